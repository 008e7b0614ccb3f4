import { Injectable } from '@nestjs/common';
import { DataSource, Repository, type SelectQueryBuilder } from 'typeorm';
import { insertEachOnce, insertOnce } from '../database/insert-once.js';
import { StatementBatcher } from '../database/statement-batcher.js';
import { RecordEntity } from './record.entity.js';

type SourcedRecord = RecordEntity & { sourceKey: string };

@Injectable()
export class RecordsRepository {
  private readonly records: Repository<RecordEntity>;
  // Records that concurrent runs create at the same time go in one statement.
  private readonly inserts = new StatementBatcher<SourcedRecord, string>(
    async (records) => {
      const written = await insertEachOnce(this.records, records, 'id');
      return Promise.all(records.map((record, i) => (written[i] ? record.id : this.ownerOf(record))));
    },
    async (record) => ((await insertOnce(this.records, record)) ? record.id : this.ownerOf(record)),
  );

  constructor(dataSource: DataSource) {
    this.records = dataSource.getRepository(RecordEntity);
  }

  /**
   * Inserts the record unless one with the same source key exists; either way answers the id
   * of the record that holds that source key.
   */
  insertOnce(record: SourcedRecord): Promise<string> {
    return this.inserts.send(record);
  }

  /**
   * Insert-or-ignore ignored the record: whoever wrote the source key first owns it (an earlier
   * attempt of the same run), else whoever wrote the upsert key (a concurrent upsert). Either
   * insert was a single statement that has finished, so the owner is complete when read.
   */
  private async ownerOf(record: SourcedRecord): Promise<string> {
    const owner = await this.records.findOne({
      where: { tenantId: record.tenantId, sourceKey: record.sourceKey },
      select: { id: true },
    });
    if (owner || !record.upsertKey) return owner?.id ?? record.id;
    const keyOwner = await this.records.findOne({
      where: { tenantId: record.tenantId, objectName: record.objectName, upsertKey: record.upsertKey },
      select: { id: true },
    });
    return keyOwner?.id ?? record.id;
  }

  async idBySourceKey(tenantId: string, sourceKey: string): Promise<string | null> {
    return (await this.records.findOne({ where: { tenantId, sourceKey }, select: { id: true } }))?.id ?? null;
  }

  async exists(tenantId: string, objectName: string, id: string): Promise<boolean> {
    return (await this.records.countBy({ tenantId, objectName, id })) > 0;
  }

  /**
   * Records whose column equals the value; text compares trimmed and case-insensitively, the
   * way people type names and e-mail addresses. At most `limit` ids, oldest first.
   */
  async findIdsByColumn(tenantId: string, objectName: string, column: string, value: string | number | boolean, limit: number): Promise<string[]> {
    const query = this.records
      .createQueryBuilder('record')
      .select('record.id', 'id')
      .where('record.tenant_id = :tenantId AND record.object_name = :objectName', { tenantId, objectName })
      .orderBy('record.created_on', 'ASC')
      .limit(limit);
    this.whereColumn(query, column, value, 0);
    return (await query.getRawMany<{ id: string }>()).map((row) => row.id);
  }

  /**
   * A page of records, newest first, after the cursor (the created time and id of the last
   * record of the previous page), whose columns equal the filter values.
   */
  async page(
    tenantId: string,
    objectName: string,
    filter: Record<string, string>,
    limit: number,
    after: { createdOn: Date; id: string } | null,
  ): Promise<RecordEntity[]> {
    const query = this.records
      .createQueryBuilder('record')
      .where('record.tenant_id = :tenantId AND record.object_name = :objectName', { tenantId, objectName })
      .orderBy('record.created_on', 'DESC')
      .addOrderBy('record.id', 'DESC')
      .take(limit);
    Object.entries(filter).forEach(([column, value], index) => this.whereColumn(query, column, value, index));
    if (after) {
      query.andWhere('(record.created_on < :afterTime OR (record.created_on = :afterTime AND record.id < :afterId))', {
        afterTime: after.createdOn,
        afterId: after.id,
      });
    }
    return query.getMany();
  }

  /** A condition on one column of the JSON data; the column name is bound as a parameter. */
  private whereColumn(query: SelectQueryBuilder<RecordEntity>, column: string, value: string | number | boolean, index: number): void {
    const postgres = this.records.manager.connection.options.type === 'postgres';
    const field = postgres ? `(record.data::jsonb ->> :column${index})` : `json_extract(record.data, :path${index})`;
    query.setParameters({ [`column${index}`]: column, [`path${index}`]: `$."${column}"` });
    if (typeof value === 'string') {
      query.andWhere(`LOWER(TRIM(${field})) = LOWER(TRIM(:value${index}))`, { [`value${index}`]: value });
    } else {
      query.andWhere(`${field} = :value${index}`, { [`value${index}`]: postgres ? String(value) : value });
    }
  }

  /** Replaces the record's data; `dropUpsertKey` when its key column no longer has the value of its key. */
  async update(tenantId: string, id: string, data: Record<string, unknown>, at: Date, dropUpsertKey = false): Promise<void> {
    const keyless = dropUpsertKey ? { upsertColumn: null, upsertKey: null } : {};
    await this.records.update({ tenantId, id }, { data: data as never, modifiedOn: at, ...keyless });
  }

  findAnyById(tenantId: string, id: string): Promise<RecordEntity | null> {
    return this.records.findOneBy({ tenantId, id });
  }

  findById(tenantId: string, objectName: string, id: string): Promise<RecordEntity | null> {
    return this.records.findOneBy({ tenantId, objectName, id });
  }

  list(tenantId: string, objectName: string, limit: number): Promise<RecordEntity[]> {
    return this.records.find({ where: { tenantId, objectName }, order: { createdOn: 'DESC', id: 'ASC' }, take: limit });
  }
}
