import { Injectable } from '@nestjs/common';
import { DataSource, Repository, type QueryDeepPartialEntity } from 'typeorm';
import { RecordEntity } from './record.entity.js';

@Injectable()
export class RecordsRepository {
  private readonly records: Repository<RecordEntity>;

  constructor(dataSource: DataSource) {
    this.records = dataSource.getRepository(RecordEntity);
  }

  /**
   * Inserts the record unless one with the same source key exists; either way answers the id
   * of the record that holds that source key.
   */
  async insertOnce(record: RecordEntity & { sourceKey: string }): Promise<string> {
    // Insert-or-ignore, then read back: whoever wrote the source key first owns the record.
    await this.records.createQueryBuilder().insert().into(RecordEntity).values(record as QueryDeepPartialEntity<RecordEntity>).orIgnore().execute();
    const owner = await this.records.findOne({
      where: { tenantId: record.tenantId, sourceKey: record.sourceKey },
      select: { id: true },
    });
    return owner?.id ?? record.id;
  }

  async exists(tenantId: string, objectName: string, id: string): Promise<boolean> {
    return (await this.records.countBy({ tenantId, objectName, id })) > 0;
  }

  list(tenantId: string, objectName: string, limit: number): Promise<RecordEntity[]> {
    return this.records.find({ where: { tenantId, objectName }, order: { createdOn: 'DESC', id: 'ASC' }, take: limit });
  }
}
