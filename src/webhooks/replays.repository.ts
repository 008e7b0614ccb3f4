import { Injectable } from '@nestjs/common';
import { DataSource, Repository } from 'typeorm';
import { Replay } from './replay.entity.js';

@Injectable()
export class ReplaysRepository {
  private readonly replays: Repository<Replay>;

  constructor(dataSource: DataSource) {
    this.replays = dataSource.getRepository(Replay);
  }

  async insert(replay: Replay): Promise<void> {
    await this.replays.insert(replay);
  }

  findById(tenantId: string, id: string): Promise<Replay | null> {
    return this.replays.findOneBy({ tenantId, id });
  }

  async progress(tenantId: string, id: string, change: Pick<Replay, 'status' | 'done' | 'failed' | 'cursor' | 'lastError' | 'finishedAt'>): Promise<void> {
    await this.replays.update({ tenantId, id }, change);
  }
}
