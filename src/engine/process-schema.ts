import { Ajv } from 'ajv';
import { isoDurationSchema } from '../common/iso-duration.js';
import { DIAGRAM_LIMITS } from './diagram-limits.js';
import type { StepType } from './step-type.js';

/**
 * The JSON Schema of process definitions, built from the registered step types so that the
 * published file (processes/process.schema.json, written by `hookflow process schema`) lets
 * editors complete and check each step's input.
 */
export function buildProcessSchema(stepTypes: StepType<never, unknown>[]): Record<string, unknown> {
  const stepRef = { $ref: '#/definitions/step' };
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://hookflow.dev/schemas/process.schema.json',
    title: 'Hookflow process definition',
    description:
      'A declarative business process: which webhooks start it and the steps it runs. One process per file; the file name (without .json) is the process id. See docs/processes.md.',
    type: 'object',
    additionalProperties: false,
    required: ['id', 'name', 'version', 'activeByDefault', 'trigger', 'steps'],
    properties: {
      $schema: { type: 'string' },
      id: {
        description: 'Process id: lower-case letters, digits and dashes; equal to the file name without .json.',
        type: 'string',
        pattern: '^[a-z0-9][a-z0-9-]{0,99}$',
      },
      name: { description: 'Name shown to analysts.', type: 'string', minLength: 1, maxLength: 200 },
      description: { type: 'string', maxLength: 2000 },
      version: { description: 'Increases with every change of the definition.', type: 'integer', minimum: 1 },
      activeByDefault: {
        description: 'Whether the process runs for a tenant that has not switched it on or off.',
        type: 'boolean',
      },
      trigger: triggerSchema(),
      steps: { description: 'Run in order.', type: 'array', minItems: 1, maxItems: 100, items: stepRef },
      diagram: diagramSchema(),
    },
    definitions: { step: stepSchema(stepTypes, stepRef) },
  };
}

/** Positions for the BPMN view (src/engine/bpmn), by element id; the engine never reads them. */
function diagramSchema(): Record<string, unknown> {
  const coordinate = { type: 'number', minimum: -DIAGRAM_LIMITS.coordinate, maximum: DIAGRAM_LIMITS.coordinate };
  const size = { type: 'number', minimum: 0, maximum: DIAGRAM_LIMITS.coordinate };
  const elementId = { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9_-]{0,199}$' };
  return {
    description:
      "Where the BPMN designer draws each element, by BPMN element id (a step's element has the step's id). Written by BPMN import; ignored when the process runs.",
    type: 'object',
    additionalProperties: false,
    properties: {
      shapes: {
        description: 'Tasks, events, gateways and sub-processes: their bounds.',
        type: 'object',
        maxProperties: DIAGRAM_LIMITS.elements,
        propertyNames: elementId,
        additionalProperties: {
          type: 'object',
          additionalProperties: false,
          required: ['x', 'y', 'width', 'height'],
          properties: { x: coordinate, y: coordinate, width: size, height: size },
        },
      },
      edges: {
        description: 'Sequence flows: their waypoints, [x, y] each.',
        type: 'object',
        maxProperties: DIAGRAM_LIMITS.elements,
        propertyNames: elementId,
        additionalProperties: {
          type: 'array',
          minItems: 2,
          maxItems: DIAGRAM_LIMITS.waypoints,
          items: { type: 'array', minItems: 2, maxItems: 2, items: coordinate },
        },
      },
    },
  };
}

/** What starts a process: a webhook, a schedule or a record; each type with its own properties. */
function triggerSchema(): Record<string, unknown> {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['type'],
    properties: {
      type: {
        description:
          'What starts the process: a webhook of the tenant, a schedule (once per tick, per tenant where it is active), or a record another process writes.',
        enum: ['webhook', 'schedule', 'record'],
      },
      condition: {
        description: 'webhook: JSONata expression on the webhook parameters; record: on the record ($); the process runs only when it is true.',
        type: 'string',
        minLength: 1,
      },
      apiKeys: {
        description: "webhook: names or ids of the tenant's API keys whose webhooks start the process (all keys when absent).",
        type: 'array',
        items: { type: 'string', minLength: 1 },
        minItems: 1,
      },
      cron: {
        description: 'schedule: when, as a cron expression ("0 2 * * *": every day at 2:00; a sixth field first for seconds).',
        type: 'string',
        minLength: 1,
        maxLength: 100,
      },
      timezone: {
        description: 'schedule: the IANA time zone of the cron expression ("Europe/Berlin"); UTC when absent.',
        type: 'string',
        minLength: 1,
        maxLength: 64,
      },
      object: {
        description: 'record: the object whose records start the process when a process writes one ("Lead").',
        type: 'string',
        minLength: 1,
        maxLength: 100,
      },
      on: {
        description: 'record: which writes start it: "created", "updated" or both.',
        type: 'array',
        items: { enum: ['created', 'updated'] },
        minItems: 1,
        uniqueItems: true,
      },
    },
    allOf: [
      {
        if: { properties: { type: { const: 'schedule' } } },
        then: { required: ['cron'], properties: { condition: false, apiKeys: false, object: false, on: false } },
      },
      { if: { properties: { type: { const: 'webhook' } } }, then: { properties: { cron: false, timezone: false, object: false, on: false } } },
      {
        if: { properties: { type: { const: 'record' } } },
        then: { required: ['object', 'on'], properties: { cron: false, timezone: false, apiKeys: false } },
      },
    ],
  };
}

/** A step of a definition: its id, type, input (checked per type) and nested steps. */
function stepSchema(stepTypes: StepType<never, unknown>[], stepRef: Record<string, string>): Record<string, unknown> {
  const ajv = new Ajv({ strict: false });
  return {
    type: 'object',
    additionalProperties: false,
    required: ['id', 'type'],
    properties: {
      id: {
        description: 'Unique in the process; the step output is $steps.<id> in later expressions.',
        type: 'string',
        pattern: '^[A-Za-z][A-Za-z0-9_]{0,63}$',
      },
      type: { enum: stepTypes.map((step) => step.type) },
      description: { type: 'string', maxLength: 500 },
      input: { type: 'object' },
      then: { description: 'condition: steps run when "if" is true.', type: 'array', maxItems: 100, items: stepRef },
      else: { description: 'condition: steps run when "if" is false.', type: 'array', maxItems: 100, items: stepRef },
      steps: { description: 'for-each: steps run once per item ($item, $index).', type: 'array', minItems: 1, maxItems: 100, items: stepRef },
      cases: {
        description: 'switch: the steps run for each value of "value" (compared as text).',
        type: 'object',
        minProperties: 1,
        maxProperties: 100,
        additionalProperties: { type: 'array', maxItems: 100, items: stepRef },
      },
      default: { description: 'switch: steps run when no case matches.', type: 'array', maxItems: 100, items: stepRef },
      branches: {
        description: 'parallel: lists of steps run side by side, then joined.',
        type: 'array',
        minItems: 2,
        maxItems: 20,
        items: { type: 'array', minItems: 1, maxItems: 100, items: stepRef },
      },
      retry: {
        description:
          'Tries again a step that fails for a reason that may pass (network, database, a 5xx answer): the instance waits between attempts, holding no worker.',
        type: 'object',
        additionalProperties: false,
        required: ['attempts'],
        properties: {
          attempts: { description: 'Attempts in all, the first included.', type: 'integer', minimum: 2, maximum: 100 },
          delay: isoDurationSchema('Wait before the second attempt, doubling after each (ISO 8601, default "PT1M").'),
          maxDelay: isoDurationSchema('The longest wait between two attempts (ISO 8601, default "PT1H").'),
        },
      },
      onError: {
        description: 'Steps run when this step fails, with $error ({ step, code, message }); the run then goes on after this step.',
        type: 'array',
        minItems: 1,
        maxItems: 100,
        items: stepRef,
      },
    },
    allOf: stepTypes.map((step) => ({
      if: { required: ['type'], properties: { type: { const: step.type } } },
      then: {
        description: step.description,
        // A step type that cannot do without input (an empty input breaks its schema) needs one.
        ...(ajv.validate(step.inputSchema, {}) ? {} : { required: ['input'] }),
        properties: { input: step.inputSchema },
      },
    })),
  };
}
