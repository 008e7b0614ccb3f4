import { Injectable } from '@nestjs/common';
import { DataSource, Repository } from 'typeorm';
import { Setting } from './setting.entity.js';

/** Values every process of an installation must share (signing and encryption keys). */
@Injectable()
export class SettingsRepository {
  private readonly settings: Repository<Setting>;

  constructor(dataSource: DataSource) {
    this.settings = dataSource.getRepository(Setting);
  }

  /** Stores the value unless the setting exists; answers the stored value either way. */
  async once(name: string, value: string): Promise<string> {
    await this.settings.createQueryBuilder().insert().into(Setting).values({ name, value }).orIgnore().execute();
    return (await this.settings.findOneByOrFail({ name })).value;
  }
}
