import { AppError, ErrorCode } from '../../common/app-error.js';
import type { CatalogueService, ObjectModel } from '../../catalogue/catalogue.service.js';
import { compileFields, EXPRESSION_MARK, compileValue, evaluate, evaluateFields, type RunContext, type ValueSource } from '../step-type.js';

/** The input record steps share: which object, and the values to write. */
export interface RecordInput {
  /** Object code, e.g. "Lead". */
  object?: string;
  /** Or an expression that yields the object code, e.g. "$steps.object.name". */
  objectFrom?: string;
  /** Column values: a string is an expression on the webhook, anything else a constant. */
  values?: Record<string, unknown>;
  /** Or an expression that yields an object of column values, e.g. "$steps.fields". */
  valuesFrom?: string;
}

export interface CompiledRecordInput {
  object: ValueSource;
  values: Map<string, ValueSource> | ValueSource;
}

const IDENTIFIER = { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9_]{0,63}$' };

export const RECORD_INPUT_PROPERTIES = {
  object: { ...IDENTIFIER, description: 'Object code, e.g. "Lead".' },
  objectFrom: { type: 'string', minLength: 1, description: 'Expression that yields the object code.', ...EXPRESSION_MARK },
  values: {
    type: 'object',
    description: 'Column code → expression (a string) or constant.',
    propertyNames: { pattern: '^[A-Za-z][A-Za-z0-9_]{0,63}$' },
    ...EXPRESSION_MARK,
  },
  valuesFrom: { type: 'string', minLength: 1, description: 'Expression that yields an object of column values.', ...EXPRESSION_MARK },
};

/** Exactly one of object/objectFrom and one of values/valuesFrom. */
export const RECORD_INPUT_RULES = [
  { oneOf: [{ required: ['object'] }, { required: ['objectFrom'] }] },
  { oneOf: [{ required: ['values'] }, { required: ['valuesFrom'] }] },
];

export function compileRecordInput(input: RecordInput): CompiledRecordInput {
  return {
    object: input.object !== undefined ? { constant: input.object } : compileValue(input.objectFrom, '/objectFrom'),
    values: input.values !== undefined ? compileFields(input.values, '/values') : compileValue(input.valuesFrom, '/valuesFrom'),
  };
}

export type ResolvedRecordInput = { ok: true; object: ObjectModel; raw: Record<string, unknown> } | { ok: false; error: AppError };

/** Evaluates the input: the object must be in the Webhook entities lookup, the values an object. */
export async function resolveRecordInput(run: RunContext, input: CompiledRecordInput, catalogue: CatalogueService): Promise<ResolvedRecordInput> {
  const name = await evaluate(run, input.object);
  if (typeof name !== 'string') return unmappable(`the object code must be text, got ${JSON.stringify(name) ?? 'nothing'}`);
  const object = await catalogue.findWebhookObject(run.tenantId, name);
  if (!object) return unmappable(`Object "${name.slice(0, 64)}" is not in this tenant's Webhook entities lookup`);
  const raw = input.values instanceof Map ? await evaluateFields(run, input.values) : await evaluate(run, input.values);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return unmappable(`the values to write must be an object of column values, got ${Array.isArray(raw) ? 'a list' : typeof raw}`);
  }
  return { ok: true, object, raw: raw as Record<string, unknown> };
}

export function unmappable(message: string): { ok: false; error: AppError } {
  return { ok: false, error: new AppError(ErrorCode.Unmappable, message) };
}
