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

}
