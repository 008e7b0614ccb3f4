import { Injectable } from '@nestjs/common';
import { AppError, ErrorCode } from '../common/app-error.js';
import { CatalogueColumn } from './catalogue-column.entity.js';
import { CatalogueObject } from './catalogue-object.entity.js';
import { CatalogueRepository } from './catalogue.repository.js';
import type { ColumnType } from './column-types.js';
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

/** Columns the system sets itself; a webhook cannot write them. */
export const SYSTEM_COLUMNS = new Set(['Id', 'CreatedOn', 'ModifiedOn']);

@Injectable()
export class CatalogueService {
  constructor(private readonly catalogue: CatalogueRepository) {}

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
    const columns = DEFAULT_CATALOGUE.flatMap((seed) =>
      seed.columns.map((column, position) =>
        Object.assign(new CatalogueColumn(), {
          tenantId,
          objectName: seed.name,
          name: column.name,
          caption: column.caption,
          type: column.type,
          required: column.required ?? false,
          lookupObject: column.lookup ?? null,
          position,
        }),
      ),
    );
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
    const object = await this.catalogue.findObject(tenantId, name);
    if (!object) return null;
    const columns = await this.catalogue.listColumns(tenantId, name);
    return {
      name: object.name,
      caption: object.caption,
      displayColumn: object.displayColumn,
      inWebhookLookup: object.inWebhookLookup,
      columns: columns.map((column) => ({
        name: column.name,
        caption: column.caption,
        type: column.type,
        required: column.required,
        lookup: column.lookupObject,
      })),
    };
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

