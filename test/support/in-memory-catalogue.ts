// In-memory fakes for unit tests of the engine: a new tenant's catalogue and records table.
import type { CatalogueService, ObjectModel } from '../../src/catalogue/catalogue.service.js';
import { DEFAULT_CATALOGUE } from '../../src/catalogue/default-catalogue.js';
import { RecordEntity } from '../../src/catalogue/record.entity.js';
import type { RecordsRepository } from '../../src/catalogue/records.repository.js';
import { AppError, ErrorCode } from '../../src/common/app-error.js';

export const TENANT = 'tenant-1';
/** When the default lookup records were written. */
export const SEEDED_AT = new Date('2024-01-01T00:00:00.000Z');

/** The catalogue of a new tenant, as CatalogueService.findObject builds it from the default seeds. */
export class FakeCatalogue implements Pick<CatalogueService, 'findObject' | 'findWebhookObject' | 'getObject'> {
  async findObject(tenantId: string, name: string): Promise<ObjectModel | null> {
    const seed = DEFAULT_CATALOGUE.find((object) => object.name === name);
    if (tenantId !== TENANT || !seed) return null;
    return {
      name: seed.name,
      caption: seed.caption,
      displayColumn: seed.displayColumn,
      inWebhookLookup: seed.inWebhookLookup,
      columns: seed.columns.map((column) => ({
        name: column.name,
        caption: column.caption,
        type: column.type,
        required: column.required ?? false,
        lookup: column.lookup ?? null,
      })),
    };
  }

  async findWebhookObject(tenantId: string, name: string): Promise<ObjectModel | null> {
    const object = await this.findObject(tenantId, name);
    return object?.inWebhookLookup ? object : null;
  }

  async getObject(tenantId: string, name: string): Promise<ObjectModel> {
    const object = await this.findObject(tenantId, name);
    if (!object) throw new AppError(ErrorCode.NotFound, `Object "${name}" does not exist in this tenant's catalogue`);
    return object;
  }
}

/**
 * The records table in memory, seeded with the default lookup records. insertOnce keeps one
 * record per source key; findIdsByColumn compares text trimmed and case-insensitively.
 */
export class FakeRecordsRepository implements Pick<
  RecordsRepository,
  'insertOnce' | 'idBySourceKey' | 'exists' | 'findIdsByColumn' | 'update' | 'findById' | 'list'
> {
  readonly rows: RecordEntity[] = [];
  readonly writes: string[] = [];
  /** Set to make every write fail, as an unavailable database would. */
  failWith: Error | null = null;

  constructor() {
    for (const seed of DEFAULT_CATALOGUE) {
      for (const { Id, ...data } of seed.records ?? []) this.seed(seed.name, Id, data);
    }
  }

  seed(objectName: string, id: string, data: Record<string, unknown>): void {
    this.rows.push(
      Object.assign(new RecordEntity(), {
        tenantId: TENANT,
        id,
        objectName,
        data,
        createdOn: SEEDED_AT,
        modifiedOn: SEEDED_AT,
        sourceKey: null,
      }),
    );
  }

  async insertOnce(record: RecordEntity & { sourceKey: string }): Promise<string> {
    this.writes.push(`insert ${record.sourceKey}`);
    if (this.failWith) throw this.failWith;
    const owner = this.rows.find((row) => row.tenantId === record.tenantId && row.sourceKey === record.sourceKey);
    if (owner) return owner.id;
    this.rows.push(Object.assign(new RecordEntity(), record, { data: structuredClone(record.data) }));
    return record.id;
  }

  async idBySourceKey(tenantId: string, sourceKey: string): Promise<string | null> {
    return this.rows.find((row) => row.tenantId === tenantId && row.sourceKey === sourceKey)?.id ?? null;
  }

  async exists(tenantId: string, objectName: string, id: string): Promise<boolean> {
    return this.rows.some((row) => row.tenantId === tenantId && row.objectName === objectName && row.id === id);
  }

  async findIdsByColumn(tenantId: string, objectName: string, column: string, value: string | number | boolean, limit: number): Promise<string[]> {
    const matches = (stored: unknown) =>
      typeof value === 'string'
        ? (typeof stored === 'string' || typeof stored === 'number') && String(stored).trim().toLowerCase() === value.trim().toLowerCase()
        : stored === value;
    return this.rows
      .filter((row) => row.tenantId === tenantId && row.objectName === objectName && matches(row.data[column]))
      .sort((a, b) => a.createdOn.getTime() - b.createdOn.getTime())
      .slice(0, limit)
      .map((row) => row.id);
  }

  async update(tenantId: string, id: string, data: Record<string, unknown>, at: Date): Promise<void> {
    this.writes.push(`update ${id}`);
    if (this.failWith) throw this.failWith;
    const row = this.rows.find((candidate) => candidate.tenantId === tenantId && candidate.id === id);
    if (row) Object.assign(row, { data: structuredClone(data), modifiedOn: at });
  }

  async findById(tenantId: string, objectName: string, id: string): Promise<RecordEntity | null> {
    const row = this.rows.find((candidate) => candidate.tenantId === tenantId && candidate.objectName === objectName && candidate.id === id);
    return row ? Object.assign(new RecordEntity(), row, { data: structuredClone(row.data) }) : null;
  }

  async list(tenantId: string, objectName: string, limit: number): Promise<RecordEntity[]> {
    return this.rows
      .filter((row) => row.tenantId === tenantId && row.objectName === objectName)
      .sort((a, b) => b.createdOn.getTime() - a.createdOn.getTime())
      .slice(0, limit);
  }

  /** Records (of an object) that runs wrote (they have a source key), oldest first. */
  created(objectName?: string): RecordEntity[] {
    return this.rows.filter((row) => (!objectName || row.objectName === objectName) && row.sourceKey !== null);
  }
}
