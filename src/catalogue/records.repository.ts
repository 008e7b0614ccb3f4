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

  /**
   * Records whose column equals the value; text compares trimmed and case-insensitively, the
   * way people type names and e-mail addresses. At most `limit` ids, oldest first.
   */
  async findIdsByColumn(
    tenantId: string,
    objectName: string,
    column: string,
    value: string | number | boolean,
    limit: number,
  ): Promise<string[]> {
    const postgres = this.records.manager.connection.options.type === 'postgres';
    // The column name is a catalogue identifier (letters, digits, underscore), bound as a parameter all the same.
    const field = postgres ? '(record.data::jsonb ->> :column)' : 'json_extract(record.data, :path)';
    const query = this.records
      .createQueryBuilder('record')
      .select('record.id', 'id')
      .where('record.tenant_id = :tenantId AND record.object_name = :objectName', { tenantId, objectName })
      .setParameters({ column, path: `$."${column}"` })
      .orderBy('record.created_on', 'ASC')
      .limit(limit);
    if (typeof value === 'string') {
      query.andWhere(`LOWER(TRIM(${field})) = LOWER(TRIM(:value))`, { value });
    } else {
      query.andWhere(`${field} = :value`, { value: postgres ? String(value) : value });
    }
    return (await query.getRawMany<{ id: string }>()).map((row) => row.id);
  }

  async update(tenantId: string, id: string, data: Record<string, unknown>, at: Date): Promise<void> {
    await this.records.update({ tenantId, id }, { data: data as never, modifiedOn: at });
  }

  findById(tenantId: string, objectName: string, id: string): Promise<RecordEntity | null> {
    return this.records.findOneBy({ tenantId, objectName, id });
  }

  list(tenantId: string, objectName: string, limit: number): Promise<RecordEntity[]> {
    return this.records.find({ where: { tenantId, objectName }, order: { createdOn: 'DESC', id: 'ASC' }, take: limit });
  }
}
