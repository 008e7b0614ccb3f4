import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { randomUUID } from 'node:crypto';
import { AppError, ErrorCode } from '../common/app-error.js';
import { CatalogueColumn } from './catalogue-column.entity.js';
import { CatalogueObject } from './catalogue-object.entity.js';
import { CatalogueRepository } from './catalogue.repository.js';
import { COLUMN_TYPES, columnTypeDefinition, isColumnType, LOOKUP_COLUMN_TYPES, type ColumnType } from './column-types/index.js';
import { DEFAULT_CATALOGUE } from './default-catalogue.js';
import { RecordEntity } from './record.entity.js';

export interface ObjectModel {
  name: string;
  caption: string;
  displayColumn: string;
  inWebhookLookup: boolean;
  columns: ColumnModel[];
}

export interface ColumnModel {
  name: string;
  caption: string;
  type: ColumnType;
  required: boolean;
  lookup: string | null;
}

/** Columns the system sets itself; a webhook cannot write them and nobody can redefine them. */
export const SYSTEM_COLUMNS = new Set(['Id', 'CreatedOn', 'ModifiedOn', 'TenantId']);

export const IDENTIFIER = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

export interface NewColumn {
  name: string;
  caption?: string;
  type: ColumnType;
  required?: boolean;
  /** For a lookup column (a type that takes a lookup, e.g. System.Guid; name ending in Id): the object it references. */
  lookup?: string;
}

export interface NewObject {
  name: string;
  caption?: string;
  inWebhookLookup?: boolean;
  fields: NewColumn[];
}

const CACHE_LIMIT = 10_000;

@Injectable()
export class CatalogueService {
  /**
   * Objects with their columns, per tenant and name, kept for PROCESS_CACHE_MS: every webhook
   * reads its object, and the catalogue rarely changes. A change made in this process applies
   * at once; one made elsewhere (another API process, the CLI) within PROCESS_CACHE_MS.
   */
  private readonly cache = new Map<string, { value: ObjectModel | null; expiresAt: number }>();

  constructor(
    private readonly catalogue: CatalogueRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async seedDefaults(tenantId: string): Promise<void> {
    const now = new Date();
    const objects = DEFAULT_CATALOGUE.map((seed) =>
      Object.assign(new CatalogueObject(), {
        tenantId,
        name: seed.name,
        caption: seed.caption,
        formId: seed.formId,
        inWebhookLookup: seed.inWebhookLookup,
        displayColumn: seed.displayColumn,
      }),
    );
    const columns = DEFAULT_CATALOGUE.flatMap((seed) => seed.columns.map((field, position) => column(tenantId, seed.name, field, position)));
    const records = DEFAULT_CATALOGUE.flatMap((seed) =>
      (seed.records ?? []).map(({ Id, ...data }) =>
        Object.assign(new RecordEntity(), {
          tenantId,
          id: Id,
          objectName: seed.name,
          data,
          createdOn: now,
          modifiedOn: now,
          sourceKey: null,
        }),
      ),
    );
    await this.catalogue.insertCatalogue(objects, columns, records);
  }

  async listObjects(tenantId: string): Promise<ObjectModel[]> {
    const columns = await this.catalogue.listAllColumns(tenantId);
    return (await this.catalogue.listObjects(tenantId)).map((object) =>
      toModel(
        object,
        columns.filter((column) => column.objectName === object.name),
      ),
    );
  }

  /** Adds an object with an Id column and the given columns. */
  async addObject(tenantId: string, spec: NewObject): Promise<ObjectModel> {
    checkIdentifier(spec.name, 'name');
    if (await this.catalogue.findObject(tenantId, spec.name)) {
      throw new AppError(ErrorCode.Conflict, `Object "${spec.name}" exists already`);
    }
    const seen = new Set<string>();
    for (const field of spec.fields) {
      await this.checkColumn(tenantId, spec.name, field);
      if (seen.has(field.name)) throw new AppError(ErrorCode.InvalidArgument, `fields: "${field.name}" is given twice`);
      seen.add(field.name);
    }
    const textColumn = spec.fields.find((field) => field.name === 'Name') ?? spec.fields.find((field) => field.type === 'System.String');
    const object = Object.assign(new CatalogueObject(), {
      tenantId,
      name: spec.name,
      caption: spec.caption ?? spec.name,
      formId: randomUUID(),
      inWebhookLookup: spec.inWebhookLookup ?? true,
      displayColumn: textColumn?.name ?? 'Id',
    });
    const columns = [{ name: 'Id', caption: 'Id', type: 'System.Guid' as const, required: true }, ...spec.fields].map((field, position) =>
      column(tenantId, spec.name, field, position),
    );
    await this.catalogue.insertCatalogue([object], columns, []);
    this.forget(tenantId);
    return this.getObject(tenantId, spec.name);
  }

  async addColumn(tenantId: string, objectName: string, field: NewColumn): Promise<ObjectModel> {
    const object = await this.getObject(tenantId, objectName);
    await this.checkColumn(tenantId, objectName, field);
    if (object.columns.some((existing) => existing.name === field.name)) {
      throw new AppError(ErrorCode.Conflict, `"${objectName}" has a column "${field.name}" already`);
    }
    await this.catalogue.insertColumn(column(tenantId, objectName, field, object.columns.length));
    this.forget(tenantId);
    return this.getObject(tenantId, objectName);
  }

  /** Adds the object to (or removes it from) the Webhook entities lookup that get_entities lists. */
  async setInWebhookLookup(tenantId: string, name: string, inWebhookLookup: boolean): Promise<ObjectModel> {
    await this.getObject(tenantId, name);
    await this.catalogue.setInWebhookLookup(tenantId, name, inWebhookLookup);
    this.forget(tenantId);
    return this.getObject(tenantId, name);
  }

  private async checkColumn(tenantId: string, objectName: string, field: NewColumn): Promise<void> {
    checkIdentifier(field.name, 'field name');
    if (SYSTEM_COLUMNS.has(field.name)) {
      throw new AppError(ErrorCode.InvalidArgument, `"${field.name}" is a system column and cannot be redefined`);
    }
    if (!isColumnType(field.type)) {
      throw new AppError(ErrorCode.InvalidArgument, `${field.name}: type "${field.type}" is not one of ${COLUMN_TYPES.join(', ')}`);
    }
    if (field.lookup !== undefined) {
      if (!columnTypeDefinition(field.type).takesLookup || !field.name.endsWith('Id') || field.name === 'Id') {
        throw new AppError(
          ErrorCode.InvalidArgument,
          `${field.name}: a lookup column has type ${LOOKUP_COLUMN_TYPES.join(' or ')} and a name ending in Id, e.g. CountryId`,
        );
      }
      if (field.lookup !== objectName && !(await this.catalogue.findObject(tenantId, field.lookup))) {
        throw new AppError(ErrorCode.InvalidArgument, `${field.name}: the lookup object "${field.lookup}" does not exist`);
      }
    }
  }

  /** The tenant's Webhook entities lookup: the objects webhooks may create records of. */
  async webhookObjects(tenantId: string): Promise<Array<{ name: string; caption: string; formId: string }>> {
    return (await this.catalogue.listWebhookObjects(tenantId)).map(({ name, caption, formId }) => ({
      name,
      caption,
      formId,
    }));
  }

  /** An object with its columns, or null if the tenant has no such object. */
  async findObject(tenantId: string, name: string): Promise<ObjectModel | null> {
    const key = `${tenantId}\0${name}`;
    const now = Date.now();
    const hit = this.cache.get(key);
    if (hit && hit.expiresAt > now) return hit.value;
    const object = await this.catalogue.findObject(tenantId, name);
    const value = object ? toModel(object, await this.catalogue.listColumns(tenantId, name)) : null;
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(key, { value, expiresAt: now + this.config.processCacheMs });
    return value;
  }

  /** After a change of the tenant's catalogue in this process. */
  private forget(tenantId: string): void {
    for (const key of this.cache.keys()) if (key.startsWith(`${tenantId}\0`)) this.cache.delete(key);
  }

  async getObject(tenantId: string, name: string): Promise<ObjectModel> {
    const object = await this.findObject(tenantId, name);
    if (!object) throw new AppError(ErrorCode.NotFound, `Object "${name}" does not exist in this tenant's catalogue`);
    return object;
  }

  /** An object webhooks may write: it must be listed in the Webhook entities lookup. */
  async findWebhookObject(tenantId: string, name: string): Promise<ObjectModel | null> {
    const object = await this.findObject(tenantId, name);
    return object?.inWebhookLookup ? object : null;
  }
}

function toModel(object: CatalogueObject, columns: CatalogueColumn[]): ObjectModel {
  return {
    name: object.name,
    caption: object.caption,
    displayColumn: object.displayColumn,
    inWebhookLookup: object.inWebhookLookup,
    columns: columns.map((entry) => ({
      name: entry.name,
      caption: entry.caption,
      type: entry.type,
      required: entry.required,
      lookup: entry.lookupObject,
    })),
  };
}

function column(tenantId: string, objectName: string, field: NewColumn, position: number): CatalogueColumn {
  return Object.assign(new CatalogueColumn(), {
    tenantId,
    objectName,
    name: field.name,
    caption: field.caption ?? field.name,
    type: field.type,
    required: field.required ?? false,
    lookupObject: field.lookup ?? null,
    position,
  });
}

function checkIdentifier(value: string, what: string): void {
  if (!IDENTIFIER.test(value)) {
    throw new AppError(ErrorCode.InvalidArgument, `${what} "${value.slice(0, 80)}" must be a letter then letters, digits or "_" (at most 64)`);
  }
}
