import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { CatalogueService } from './catalogue.service.js';
import { RecordEntity } from './record.entity.js';
import { RecordsRepository } from './records.repository.js';

/** A record as users see it: its Id and column values, plus the system dates. */
export type RecordView = { Id: string; CreatedOn: string; ModifiedOn: string } & Record<string, unknown>;

@Injectable()
export class RecordsService {
  constructor(
    private readonly records: RecordsRepository,
    private readonly catalogue: CatalogueService,
  ) {}

  /**
   * Creates a record once per source key: a retried run that writes the same source key gets
   * the id of the first write back instead of a second record.
   */
  async createOnce(tenantId: string, objectName: string, values: Record<string, unknown>, sourceKey: string): Promise<string> {
    const now = new Date();
    return this.records.insertOnce(
      Object.assign(new RecordEntity(), {
        tenantId,
        id: randomUUID(),
        objectName,
        data: values,
        createdOn: now,
        modifiedOn: now,
        sourceKey,
      }),
    );
  }

  exists(tenantId: string, objectName: string, id: string): Promise<boolean> {
    return this.records.exists(tenantId, objectName, id);
  }

  async list(tenantId: string, objectName: string, limit = 1000): Promise<RecordView[]> {
    await this.catalogue.getObject(tenantId, objectName);
    return (await this.records.list(tenantId, objectName, limit)).map((record) => ({
      Id: record.id,
      ...record.data,
      CreatedOn: record.createdOn.toISOString(),
      ModifiedOn: record.modifiedOn.toISOString(),
    }));
  }
}
