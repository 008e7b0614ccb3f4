import { Injectable } from '@nestjs/common';
import { CatalogueService } from '../../catalogue/catalogue.service.js';
import type { StepCall, StepResult, StepType } from '../step-type.js';
import { unmappable } from './record-input.js';

interface Input {
  /** The webhook parameter that names the object, "EntityName" in the reference protocol. */
  parameter: string;
}

/** Finds the object a webhook names in the tenant's Webhook entities lookup. Output: the object with its columns. */
@Injectable()
export class ResolveObjectStep implements StepType<Input> {
  readonly type = 'resolve-object';
  readonly description = "Finds the object a webhook parameter names in the tenant's Webhook entities lookup.";
  readonly inputSchema = {
    type: 'object',
    additionalProperties: false,
    required: ['parameter'],
    properties: { parameter: { type: 'string', minLength: 1, description: 'e.g. "EntityName"' } },
  };

  constructor(private readonly catalogue: CatalogueService) {}

  async execute({ input, run }: StepCall<Input>): Promise<StepResult> {
    const name = run.payload[input.parameter];
    if (name === undefined || name === null || name === '') {
      return unmappable(`Parameter "${input.parameter}" is missing: it must name the object to create, e.g. "Lead"`);
    }
    if (typeof name !== 'string') {
      return unmappable(`Parameter "${input.parameter}" must be an object code such as "Lead", got ${typeof name}`);
    }
    const object = await this.catalogue.findWebhookObject(run.tenantId, name.trim());
    if (!object) {
      return unmappable(`Object "${name.trim().slice(0, 64)}" is not in this tenant's Webhook entities lookup`);
    }
    return { ok: true, output: object, trace: { object: object.name } };
  }
}
