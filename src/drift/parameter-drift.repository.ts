import { Injectable } from '@nestjs/common';
import { DataSource, IsNull } from 'typeorm';
import { DriftEvent, type DriftKind } from './drift-event.entity.js';
import { ParameterStat, ParameterWatch } from './parameter-stat.entity.js';

export interface KeyState {
  watch: ParameterWatch | null;
  stats: ParameterStat[];
  openEvents: DriftEvent[];
}

@Injectable()
export class ParameterDriftRepository {
  constructor(private readonly dataSource: DataSource) {}

  async load(apiKeyId: string): Promise<KeyState> {
    const [watch, stats, openEvents] = await Promise.all([
      this.dataSource.getRepository(ParameterWatch).findOneBy({ apiKeyId }),
      this.dataSource.getRepository(ParameterStat).findBy({ apiKeyId }),
      this.dataSource.getRepository(DriftEvent).findBy({ apiKeyId, resolvedAt: IsNull() }),
    ]);
    return { watch, stats, openEvents };
  }

  /** Writes what one flush found for one key, together. */
  async save(watch: ParameterWatch, stats: ParameterStat[], events: DriftEvent[]): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await manager.save(ParameterWatch, watch);
      if (stats.length > 0) await manager.save(ParameterStat, stats, { chunk: 100 });
      if (events.length > 0) await manager.save(DriftEvent, events);
    });
  }

  listByKey(tenantId: string, apiKeyId: string): Promise<DriftEvent[]> {
    return this.dataSource.getRepository(DriftEvent).find({ where: { tenantId, apiKeyId }, order: { detectedAt: 'DESC' }, take: 500 });
  }

  listOpenByTenant(tenantId: string): Promise<DriftEvent[]> {
    return this.dataSource.getRepository(DriftEvent).find({ where: { tenantId, resolvedAt: IsNull() }, order: { detectedAt: 'DESC' }, take: 100 });
  }

  async countOpenByKind(): Promise<Array<{ kind: DriftKind; count: number }>> {
    const rows = await this.dataSource
      .getRepository(DriftEvent)
      .createQueryBuilder('event')
      .select('event.kind', 'kind')
      .addSelect('COUNT(*)', 'count')
      .where('event.resolved_at IS NULL')
      .groupBy('event.kind')
      .getRawMany<{ kind: DriftKind; count: string | number }>();
    return rows.map((row) => ({ kind: row.kind, count: Number(row.count) }));
  }
}
