import { boolean } from './boolean.js';
import type { ColumnTypeDefinition, Conversion, ScalarValue } from './column-type.js';
import { dateTime } from './date-time.js';
import { date } from './date.js';
import { decimal } from './decimal.js';
import { guid } from './guid.js';
import { int32 } from './int32.js';
import { text } from './string.js';

export type { ColumnTypeDefinition, ColumnValue, Conversion } from './column-type.js';

/**
 * Every column type, in the order the console offers them (the first is its default). A new
 * type is one file in this folder, one line here, and its cases in column-types.spec.ts.
 */
export const COLUMN_TYPE_DEFINITIONS = [text, int32, decimal, boolean, date, dateTime, guid] as const;

/** Column types as the reference protocol names them (its .NET type names). */
export type ColumnType = (typeof COLUMN_TYPE_DEFINITIONS)[number]['name'];

export const COLUMN_TYPES: readonly ColumnType[] = COLUMN_TYPE_DEFINITIONS.map((definition) => definition.name);

const BY_NAME = new Map<string, ColumnTypeDefinition>();
for (const definition of COLUMN_TYPE_DEFINITIONS) {
  // A second type of one name would silently shadow the first: refuse to start instead.
  if (BY_NAME.has(definition.name)) throw new Error(`Two column types are named "${definition.name}"`);
  BY_NAME.set(definition.name, definition);
}

export function isColumnType(name: unknown): name is ColumnType {
  return typeof name === 'string' && BY_NAME.has(name);
}

export function columnTypeDefinition(type: ColumnType): ColumnTypeDefinition {
  return BY_NAME.get(type)!;
}

/** The types a lookup column may have. */
export const LOOKUP_COLUMN_TYPES: readonly ColumnType[] = COLUMN_TYPE_DEFINITIONS.filter((definition) => definition.takesLookup).map(
  (definition) => definition.name,
);

/**
 * Converts one webhook value to a column type: a value, or the problem in plain words. Form
 * fields arrive as strings and convert by the same rules.
 */
export function convertValue(type: ColumnType, raw: unknown): Conversion {
  if (raw === null || raw === undefined) return { ok: true, value: null };
  if (Array.isArray(raw)) return { ok: false, problem: `expects one value, got a list of ${raw.length}` };
  if (typeof raw === 'object') return { ok: false, problem: 'expects a single value, got an object' };
  const definition = BY_NAME.get(type);
  if (!definition) return { ok: false, problem: `has the unknown column type "${String(type)}"` };
  // An empty form field means "no value" for every type but text.
  if (raw === '' && !definition.keepsEmptyString) return { ok: true, value: null };
  return definition.convert(raw as ScalarValue);
}

/** A column type as the admin API (GET /api/column-types) and the console show it. */
export interface ColumnTypeView {
  name: ColumnType;
  label: string;
  description: string;
  takesLookup: boolean;
}

export function describeColumnTypes(): ColumnTypeView[] {
  return COLUMN_TYPE_DEFINITIONS.map(({ name, label, description, takesLookup }) => ({ name, label, description, takesLookup }));
}
