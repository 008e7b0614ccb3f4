import { Injectable } from '@nestjs/common';
import { DataSource, Repository } from 'typeorm';
import { OAuthClient } from './oauth-client.entity.js';
import { Setting } from './setting.entity.js';

@Injectable()
export class OAuthClientsRepository {
  private readonly clients: Repository<OAuthClient>;
  private readonly settings: Repository<Setting>;

  constructor(dataSource: DataSource) {
    this.clients = dataSource.getRepository(OAuthClient);
    this.settings = dataSource.getRepository(Setting);
  }

  async insert(client: OAuthClient): Promise<void> {
    await this.clients.insert(client as never);
  }

  findById(clientId: string): Promise<OAuthClient | null> {
    return this.clients.findOneBy({ clientId });
  }

  /** Stores the value unless the setting exists; answers the stored value either way. */
  async settingOnce(name: string, value: string): Promise<string> {
    await this.settings.createQueryBuilder().insert().into(Setting).values({ name, value }).orIgnore().execute();
    return (await this.settings.findOneByOrFail({ name })).value;
  }
}
