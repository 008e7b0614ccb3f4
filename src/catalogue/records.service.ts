import { Injectable } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import { AppError, ErrorCode } from '../common/app-error.js';
import { decodeCursor, encodeCursor } from '../common/cursor.js';
import { CatalogueService, SYSTEM_COLUMNS, type ColumnModel, type ObjectModel } from './catalogue.service.js';
import { convertValue } from './column-types/index.js';
import { RecordEntity } from './record.entity.js';
import { RecordsRepository } from './records.repository.js';

/** A record as users see it: its Id and column values, plus the system dates. */
export type RecordView = { Id: string; CreatedOn: string; ModifiedOn: string } & Record<string, unknown>;

export type Prepared = { ok: true; values: Record<string, unknown> } | { ok: false; problems: string[] };

export interface PrepareOptions {
  /** An update: required columns need not be present. */
  partial?: boolean;
}

const KNOWN_RECORDS_LIMIT = 100_000;

@Injectable()
export class RecordsService {
  private readonly knownRecords = new Set<string>();

  constructor(
    private readonly records: RecordsRepository,
    private readonly catalogue: CatalogueService,
  ) {}

  /**
   * Turns raw values (from a webhook or an expression) into values of the object's columns:
   * converts each to its column type, checks required columns, and checks that lookup values
   * reference existing records. A lookup may also be given by name: `Country: "Canada"` for
   * the lookup column `CountryId` resolves to the Country whose display column is "Canada"
   * (trimmed, case-insensitive); an explicit `CountryId` wins. Every problem names its column.
   */
  async prepare(tenantId: string, object: ObjectModel, raw: Record<string, unknown>, options: PrepareOptions = {}): Promise<Prepared> {
    const columns = new Map(object.columns.map((column) => [column.name, column]));
    const values: Record<string, unknown> = {};
    const problems: string[] = [];
    for (const [name, value] of Object.entries(raw)) {
      if (SYSTEM_COLUMNS.has(name)) {
        problems.push(`${name}: is set by the system and cannot be written`);
        continue;
      }
      const column = columns.get(name) ?? lookupByName(columns, name);
      if (!column) {
        problems.push(`${name}: "${object.name}" has no such column`);
        continue;
      }
      if (column.name !== name) continue; // a lookup by name, resolved below
      const converted = convertValue(column.type, value);
      if (!converted.ok) problems.push(`${name}: ${converted.problem}`);
      else if (converted.value !== null) values[name] = converted.value;
    }
    for (const [name, value] of Object.entries(raw)) {
      const column = lookupByName(columns, name);
      if (!column || columns.has(name) || values[column.name] !== undefined || value === null || value === '') continue;
      const resolved = await this.resolveByName(tenantId, column, value);
      if (typeof resolved === 'string' && resolved.startsWith('!')) problems.push(`${name}: ${resolved.slice(1)}`);
      else values[column.name] = resolved;
    }
    for (const column of object.columns) {
      const value = values[column.name];
      if (column.lookup && typeof value === 'string' && raw[column.name] !== undefined) {
        if (!(await this.lookupExists(tenantId, column.lookup, value))) {
          problems.push(`${column.name}: no ${column.lookup} record has Id ${value}`);
        }
      }
      if (!options.partial && column.required && !SYSTEM_COLUMNS.has(column.name) && values[column.name] === undefined) {
        problems.push(`${column.name}: required column "${column.caption}" has no value`);
      }
    }
    return problems.length > 0 ? { ok: false, problems } : { ok: true, values };
  }

  /**
   * Whether a lookup target exists. Records are never deleted, so one seen stays known: most
   * webhooks point at the same few (countries, owners), and this saves a read per webhook.
   */
  private async lookupExists(tenantId: string, objectName: string, id: string): Promise<boolean> {
    const key = `${tenantId}\0${objectName}\0${id}`;
    if (this.knownRecords.has(key)) return true;
    if (!(await this.records.findById(tenantId, objectName, id))) return false;
    if (this.knownRecords.size >= KNOWN_RECORDS_LIMIT) this.knownRecords.clear();
    this.knownRecords.add(key);
    return true;
  }

  /** The Id of the one lookup record whose display column matches, or "!" and the problem. */
  private async resolveByName(tenantId: string, column: ColumnModel, name: unknown): Promise<string> {
    if (typeof name !== 'string') return `!expects the name of a ${column.lookup} record, got ${typeof name}`;
    const target = await this.catalogue.findObject(tenantId, column.lookup!);
    if (!target) return `!lookup object "${column.lookup}" does not exist`;
    const ids = await this.records.findIdsByColumn(tenantId, target.name, target.displayColumn, name, 2);
    if (ids.length === 0) return `!no ${target.name} record has ${target.displayColumn} "${name.trim().slice(0, 100)}"`;
    if (ids.length > 1) {
      return `!several ${target.name} records have ${target.displayColumn} "${name.trim().slice(0, 100)}"; send ${column.name} instead`;
    }
    return ids[0];
  }

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

  /**
   * Creates a record unless one with the same value in the key column was created this way
   * already (by an upsert, possibly at this very moment); answers the id of the record that
   * holds the key, and whether it is the new one. One insert-or-ignore on a unique index decides,
   * so it holds across workers, processes and both databases without a transaction or lock.
   */
  async createByKey(
    tenantId: string,
    objectName: string,
    values: Record<string, unknown>,
    sourceKey: string,
    key: { column: string; value: string | number | boolean },
  ): Promise<{ id: string; created: boolean }> {
    const now = new Date();
    const id = randomUUID();
    const written = await this.records.insertOnce(
      Object.assign(new RecordEntity(), {
        tenantId,
        id,
        objectName,
        data: values,
        createdOn: now,
        modifiedOn: now,
        sourceKey,
        upsertColumn: key.column,
        upsertKey: upsertKey(key.column, key.value),
      }),
    );
    return { id: written, created: written === id };
  }

  /** Merges values into an existing record. Answers false when it does not exist. */
  async update(tenantId: string, objectName: string, id: string, values: Record<string, unknown>): Promise<boolean> {
    const record = await this.records.findById(tenantId, objectName, id);
    if (!record) return false;
    const data = { ...record.data, ...values };
    // A key that no longer matches the column would make a later upsert of the old value update this record.
    const column = record.upsertColumn;
    const stale = column != null && record.upsertKey !== keyOf(column, data[column]);
    await this.records.update(tenantId, id, data, new Date(), stale);
    return true;
  }

  /** Ids of records whose column equals the value (text: trimmed, case-insensitive). */
  /** The record written with this source key (by a create-record or upsert-record step of one run), if any. */
  createdBy(tenantId: string, sourceKey: string): Promise<string | null> {
    return this.records.idBySourceKey(tenantId, sourceKey);
  }

  findIds(tenantId: string, objectName: string, column: string, value: string | number | boolean, limit = 2): Promise<string[]> {
    return this.records.findIdsByColumn(tenantId, objectName, column, value, limit);
  }

  async get(tenantId: string, objectName: string, id: string): Promise<RecordView | null> {
    const record = await this.records.findById(tenantId, objectName, id);
    return record ? toView(record) : null;
  }

  /** A record of any object, with the object's name. */
  async find(tenantId: string, id: string): Promise<(RecordView & { object: string }) | null> {
    const record = await this.records.findAnyById(tenantId, id);
    return record ? { object: record.objectName, ...toView(record) } : null;
  }

  exists(tenantId: string, objectName: string, id: string): Promise<boolean> {
    return this.records.exists(tenantId, objectName, id);
  }

  /** A page of records, newest first, with the cursor of the next page (null on the last). */
  async page(
    tenantId: string,
    objectName: string,
    filter: Record<string, string>,
    limit: number,
    cursor: string | null,
  ): Promise<{ items: RecordView[]; nextCursor: string | null }> {
    const object = await this.catalogue.getObject(tenantId, objectName);
    for (const column of Object.keys(filter)) {
      if (!object.columns.some((known) => known.name === column) || column === 'Id') {
        throw new AppError(ErrorCode.InvalidArgument, `filter[${column}]: "${objectName}" has no such column to filter on`);
      }
    }
    const after = decodeCursor(cursor);
    const records = await this.records.page(tenantId, objectName, filter, limit + 1, after && { createdOn: after.time, id: after.id });
    const items = records.slice(0, limit);
    const last = items[items.length - 1];
    return {
      items: items.map(toView),
      nextCursor: records.length > limit && last ? encodeCursor({ time: last.createdOn, id: last.id }) : null,
    };
  }

  /** Creates a record from column values (such as a new Country), checked like a webhook's. */
  async create(tenantId: string, objectName: string, raw: Record<string, unknown>): Promise<RecordView> {
    const object = await this.catalogue.getObject(tenantId, objectName);
    const prepared = await this.prepare(tenantId, object, raw);
    if (!prepared.ok) throw new AppError(ErrorCode.InvalidArgument, prepared.problems.join('; '));
    const id = await this.createOnce(tenantId, objectName, prepared.values, `api:${randomUUID()}`);
    return (await this.get(tenantId, objectName, id))!;
  }

  async list(tenantId: string, objectName: string, limit = 1000): Promise<RecordView[]> {
    await this.catalogue.getObject(tenantId, objectName);
    return (await this.records.list(tenantId, objectName, limit)).map(toView);
  }
}

/**
 * The key of a record an upsert created: its key column and value compared the way the upsert
 * finds records (text trimmed and case-insensitive), hashed to a fixed length for the index.
 */
function upsertKey(column: string, value: string | number | boolean): string {
  const normalized = typeof value === 'string' ? `s:${value.trim().toLowerCase()}` : `j:${JSON.stringify(value)}`;
  return createHash('sha256').update(`${column}\0${normalized}`).digest('hex');
}

function keyOf(column: string, value: unknown): string | null {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? upsertKey(column, value) : null;
}

/** The lookup column a parameter names without its Id suffix: Country → CountryId. */
function lookupByName(columns: Map<string, ColumnModel>, name: string): ColumnModel | undefined {
  const column = columns.get(`${name}Id`);
  return column?.lookup ? column : undefined;
}

function toView(record: RecordEntity): RecordView {
  return {
    Id: record.id,
    ...record.data,
    CreatedOn: record.createdOn.toISOString(),
    ModifiedOn: record.modifiedOn.toISOString(),
  };
}
