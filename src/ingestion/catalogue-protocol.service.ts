import { Injectable } from '@nestjs/common';
import { CatalogueService } from '../catalogue/catalogue.service.js';
import { ErrorCode } from '../common/app-error.js';
import { ApiKeysService } from '../tenants/api-keys.service.js';

export interface EntitiesResponse {
  entities: Array<{ name: string; caption: string; formId: string }>;
}

export interface EntityField {
  required: boolean;
  name: string;
  net_type: string;
  caption: string;
  /** Extension of the reference protocol: the object a lookup column references. */
  lookup?: string;
}

export interface EntityDescriptionResponse {
  value: {
    entityModel: { fields: EntityField[]; name: string } | null;
    isSuccess: boolean;
    status: string;
    code: number;
    message?: string;
  };
  statusCode: number;
  /** Beside the reference envelope, whose value.code is numeric: the service's error code. */
  code?: ErrorCode;
}

/**
 * The index of mappable objects and their columns, in the exact response shapes of the
 * reference protocol, so form tools that speak it can map their fields automatically.
 */
@Injectable()
export class CatalogueProtocolService {
  constructor(
    private readonly apiKeys: ApiKeysService,
    private readonly catalogue: CatalogueService,
  ) {}

  async entities(apiKey: string): Promise<EntitiesResponse> {
    const { tenantId } = await this.apiKeys.resolve(apiKey);
    return { entities: await this.catalogue.webhookObjects(tenantId) };
  }

  async describe(apiKey: string, entityName: string): Promise<EntityDescriptionResponse> {
    const { tenantId } = await this.apiKeys.resolve(apiKey);
    const object = await this.catalogue.findWebhookObject(tenantId, entityName);
    if (!object) {
      return {
        value: {
          entityModel: null,
          isSuccess: false,
          status: 'error',
          code: 404,
          message: `Object "${entityName.slice(0, 64)}" is not in the Webhook entities lookup`,
        },
        statusCode: 404,
        code: ErrorCode.NotFound,
      };
    }
    const fields = object.columns.map((column): EntityField => {
      const field: EntityField = {
        required: column.required,
        name: column.name,
        net_type: column.type,
        caption: column.caption,
      };
      if (column.lookup) field.lookup = column.lookup;
      return field;
    });
    return { value: { entityModel: { fields, name: object.name }, isSuccess: true, status: 'ok', code: 0 }, statusCode: 200 };
  }
}
