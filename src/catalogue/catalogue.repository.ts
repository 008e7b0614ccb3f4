import { Injectable } from '@nestjs/common';
import { DataSource, Repository, type QueryDeepPartialEntity } from 'typeorm';
import { CatalogueColumn } from './catalogue-column.entity.js';
import { CatalogueObject } from './catalogue-object.entity.js';
import { RecordEntity } from './record.entity.js';

@Injectable()
export class CatalogueRepository {
  private readonly objects: Repository<CatalogueObject>;
  private readonly columns: Repository<CatalogueColumn>;

  constructor(private readonly dataSource: DataSource) {
    this.objects = dataSource.getRepository(CatalogueObject);
    this.columns = dataSource.getRepository(CatalogueColumn);
  }

  /** Writes a whole catalogue (objects, columns, lookup records) in one transaction. */
  async insertCatalogue(objects: CatalogueObject[], columns: CatalogueColumn[], records: RecordEntity[]): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await manager.insert(CatalogueObject, objects);
      await manager.insert(CatalogueColumn, columns);
      // Chunked: SQLite limits the number of bound parameters per statement.
      for (let i = 0; i < records.length; i += 50) {
        await manager.insert(RecordEntity, records.slice(i, i + 50) as QueryDeepPartialEntity<RecordEntity>[]);
      }
    });
  }

  listObjects(tenantId: string): Promise<CatalogueObject[]> {
    return this.objects.find({ where: { tenantId }, order: { name: 'ASC' } });
  }

  listAllColumns(tenantId: string): Promise<CatalogueColumn[]> {
    return this.columns.find({ where: { tenantId }, order: { objectName: 'ASC', position: 'ASC' } });
  }

  async insertColumn(column: CatalogueColumn): Promise<void> {
    await this.columns.insert(column);
  }

  async setInWebhookLookup(tenantId: string, name: string, inWebhookLookup: boolean): Promise<void> {
    await this.objects.update({ tenantId, name }, { inWebhookLookup });
  }

  listWebhookObjects(tenantId: string): Promise<CatalogueObject[]> {
    return this.objects.find({ where: { tenantId, inWebhookLookup: true }, order: { name: 'ASC' } });
  }

  findObject(tenantId: string, name: string): Promise<CatalogueObject | null> {
    return this.objects.findOneBy({ tenantId, name });
  }

  listColumns(tenantId: string, objectName: string): Promise<CatalogueColumn[]> {
    return this.columns.find({ where: { tenantId, objectName }, order: { position: 'ASC' } });
  }
}
