import { Injectable } from '@nestjs/common';
import { DataSource, Repository } from 'typeorm';
import { OAuthClient } from './oauth-client.entity.js';

@Injectable()
export class OAuthClientsRepository {
  private readonly clients: Repository<OAuthClient>;

  constructor(dataSource: DataSource) {
    this.clients = dataSource.getRepository(OAuthClient);
  }

  async insert(client: OAuthClient): Promise<void> {
    await this.clients.insert(client as never);
  }

  findById(clientId: string): Promise<OAuthClient | null> {
    return this.clients.findOneBy({ clientId });
  }

  list(): Promise<OAuthClient[]> {
    return this.clients.find({ order: { createdAt: 'ASC', clientId: 'ASC' } });
  }

  /** A new secret hash and the next generation, in one statement, so two rotations cannot both win. */
  async rotate(clientId: string, secretHash: string): Promise<void> {
    await this.clients
      .createQueryBuilder()
      .update()
      .set({ secretHash, generation: () => 'generation + 1' })
      .where('client_id = :clientId', { clientId })
      .execute();
  }

  async revoke(clientId: string, at: Date): Promise<void> {
    await this.clients.update({ clientId }, { revokedAt: at });
  }
}
