import { parse as secureParse } from 'secure-json-parse';

/**
 * One value of a webhook a process can map: where it is, the JSONata expression that reads it
 * (the very expression a proposed definition runs), and the names it goes by.
 */
export interface PayloadParameter {
  /** Where the value is, as a user reads it: `form_response.answers[field.ref='email']`. */
  path: string;
  expression: string;
  /** The form's own title of the field, when the payload has one. */
  label: string | null;
  /** The names to compare with columns, most telling first (a ref, a key, a title). */
  names: string[];
  /** The value on this webhook, as the form tool sent it (the expression's result is the sample). */
  value: unknown;
  /** The form tool's type of the field (Typeform `email`, Tally `INPUT_PHONE_NUMBER`), when it says one. */
  fieldType: string | null;
  /** A list of objects: a for-each maps it, not a column. */
  list: boolean;
}

export type FormSource = 'typeform' | 'tally' | 'jotform' | null;

export interface PayloadParameters {
  source: FormSource;
  parameters: PayloadParameter[];
  /** How many parameters the payload has; more than parameters.length when cut at the limit. */
  total: number;
}

/** Typeform's answer types and the property that holds each one's value. */
const TYPEFORM_VALUES: Record<string, string> = {
  text: 'text',
  email: 'email',
  phone_number: 'phone_number',
  number: 'number',
  boolean: 'boolean',
  date: 'date',
  url: 'url',
  file_url: 'file_url',
  choice: 'choice.label',
  choices: 'choices.labels',
  payment: 'payment.amount',
};

/** Tally's field types whose value is a list of option ids rather than the answer itself. */
const TALLY_OPTION_TYPES = new Set(['DROPDOWN', 'MULTIPLE_CHOICE', 'CHECKBOXES', 'MULTI_SELECT', 'RANKING']);

/** What identifies an item of a list of name/value pairs, in the order tried. */
const PAIR_KEYS = ['name', 'key', 'id', 'field', 'label'];

/** Parts of a person's name as form tools send them in one object (Jotform's fullName). */
const NAME_PARTS = ['prefix', 'first', 'middle', 'last', 'suffix'];

/** Jotform prefixes each field with its question number: q4_email. */
const JOTFORM_PREFIX = /^q\d+_/;

const RESERVED = new Set(['and', 'or', 'in', 'true', 'false', 'null', 'function']);

/**
 * The leaves of a webhook's payload as parameters: plain nested objects (`data.contact.email`),
 * answers of Typeform (`form_response.answers[]` by `field.ref`) and Tally (`data.fields[]` by
 * `key`), lists of name/value pairs, and JSON sent as text inside a form field (Jotform's
 * `rawRequest`, read with `$parseJson`). At most `limit` parameters; `total` counts them all.
 */
export function payloadParameters(payload: Record<string, unknown>, limit: number): PayloadParameters {
  const found: PayloadParameter[] = [];
  let total = 0;
  const add = (parameter: PayloadParameter) => {
    total++;
    if (found.length < limit) found.push(parameter);
  };
  const source = formSource(payload);
  const skip = new Set<unknown>();
  const response = record(payload.form_response);
  if (source === 'typeform' && response) {
    typeformAnswers(response, add);
    skip.add(response.answers);
    skip.add(response.definition);
  }
  const data = record(payload.data);
  if (source === 'tally' && data) {
    tallyFields(data, add);
    skip.add(data.fields);
  }
  walk(payload, [], null, add, skip, 0);
  return { source, parameters: found, total };
}

export function formSource(payload: Record<string, unknown>): FormSource {
  const response = record(payload.form_response);
  if (response && Array.isArray(response.answers)) return 'typeform';
  const data = record(payload.data);
  if (data && Array.isArray(data.fields) && (payload.eventType === 'FORM_RESPONSE' || typeof data.responseId === 'string')) return 'tally';
  if (typeof payload.rawRequest === 'string' && (payload.formID !== undefined || payload.submissionID !== undefined)) return 'jotform';
  return null;
}

function typeformAnswers(response: Record<string, unknown>, add: (parameter: PayloadParameter) => void): void {
  const definition = record(response.definition);
  const titles = new Map<string, string>();
  for (const field of Array.isArray(definition?.fields) ? definition.fields : []) {
    const entry = record(field);
    if (entry && typeof entry.ref === 'string' && typeof entry.title === 'string') titles.set(entry.ref, entry.title);
  }
  const seen = new Set<string>();
  for (const item of response.answers as unknown[]) {
    const answer = record(item);
    const field = record(answer?.field);
    const ref = field?.ref;
    if (!answer || typeof ref !== 'string' || seen.has(ref)) continue;
    seen.add(ref);
    const type = typeof answer.type === 'string' ? answer.type : '';
    const property = TYPEFORM_VALUES[type] ?? Object.keys(answer).find((key) => key !== 'type' && key !== 'field');
    if (!property) continue;
    const path = `form_response.answers[field.ref=${literal(ref)}]`;
    const label = titles.get(ref) ?? null;
    add({
      path,
      expression: `${path}.${property.split('.').map(name).join('.')}`,
      label,
      names: label ? [ref, label] : [ref],
      value: property.split('.').reduce<unknown>((value, key) => record(value)?.[key], answer),
      fieldType: typeof field?.type === 'string' ? field.type : type || null,
      list: false,
    });
  }
}

function tallyFields(data: Record<string, unknown>, add: (parameter: PayloadParameter) => void): void {
  const seen = new Set<string>();
  for (const item of data.fields as unknown[]) {
    const field = record(item);
    const key = field?.key;
    if (!field || typeof key !== 'string' || seen.has(key)) continue;
    seen.add(key);
    const type = typeof field.type === 'string' ? field.type : null;
    const label = typeof field.label === 'string' && field.label.trim() !== '' ? field.label : null;
    const path = `data.fields[key=${literal(key)}]`;
    const options = Array.isArray(field.options) ? field.options.map(record) : [];
    let expression = `${path}.value`;
    let value = field.value;
    if (type && TALLY_OPTION_TYPES.has(type) && options.length > 0) {
      // The value is the ids of the chosen options; their texts are what the person chose.
      const chosen = new Set(Array.isArray(field.value) ? field.value : [field.value]);
      const texts = options.filter((option) => option && chosen.has(option.id)).map((option) => option!.text);
      expression = `$join(${path}.($chosen := value; options[id in $chosen].text), ', ')`;
      value = texts.length > 0 ? texts.join(', ') : undefined;
    } else if (Array.isArray(value) && value.every(isScalar)) {
      expression = `$join(${path}.value, ', ')`;
      value = value.length > 0 ? value.join(', ') : undefined;
    }
    add({ path, expression, label, names: label ? [label, key] : [key], value, fieldType: type, list: false });
  }
}

/** Every other leaf: nested objects, lists of name/value pairs, JSON inside text. */
function walk(
  value: unknown,
  keys: string[],
  base: { expression: string; path: string } | null,
  add: (parameter: PayloadParameter) => void,
  skip: Set<unknown>,
  depth: number,
): void {
  if (skip.has(value) && value !== undefined) return;
  const here = base ?? { expression: keys.map(name).join('.'), path: keys.join('.') };
  const last = keys[keys.length - 1] ?? '';
  const leaf = (leafValue: unknown, expression = here.expression) =>
    add({ path: here.path, expression, label: null, names: [last.replace(JOTFORM_PREFIX, '')], value: leafValue, fieldType: null, list: false });
  if (Array.isArray(value)) {
    const pairs = pairList(value);
    if (pairs) {
      for (const pair of pairs.items) {
        const path = `${here.path}[${pairs.key}=${literal(pair.id)}]`;
        const expression = `${here.expression}[${pairs.key}=${literal(pair.id)}].value`;
        add({ path, expression, label: pair.label, names: pair.label ? [pair.id, pair.label] : [pair.id], value: pair.value, fieldType: null, list: false });
      }
    } else if (value.every(isScalar)) leaf(value.length > 0 ? value.join(', ') : undefined, `$join(${here.expression}, ', ')`);
    else add({ path: here.path, expression: here.expression, label: null, names: [last], value, fieldType: null, list: true });
    return;
  }
  const object = record(value);
  if (object && depth < 32) {
    const parts = Object.keys(object);
    if (parts.length > 0 && parts.every((part) => NAME_PARTS.includes(part)) && parts.includes('first')) {
      // A person's name in parts: one parameter, the parts joined as a name column takes it.
      const present = NAME_PARTS.filter((part) => parts.includes(part));
      const joined = present
        .map((part) => object[part])
        .filter((part) => typeof part === 'string' && part !== '')
        .join(' ');
      return leaf(joined || undefined, `$join(${here.expression}.[${present.join(', ')}][$ != ''], ' ')`);
    }
    if (parts.length === 1 && parts[0] === 'full') return leaf(object.full, `${here.expression}.full`);
    for (const key of parts) {
      if (!isNameable(key)) continue;
      const inner = base ? { expression: `${base.expression}.${name(key)}`, path: `${base.path}.${key}` } : null;
      walk(object[key], [...keys, key], inner, add, skip, depth + 1);
    }
    return;
  }
  const parsed = typeof value === 'string' ? jsonObject(value) : null;
  if (parsed && depth < 32) {
    // JSON sent as the text of a form field: its leaves, read through $parseJson.
    walk(parsed, keys, { expression: `$parseJson(${here.expression})`, path: here.path }, add, skip, depth + 1);
    return;
  }
  leaf(value);
}

function pairList(items: unknown[]): { key: string; items: Array<{ id: string; value: unknown; label: string | null }> } | null {
  const objects = items.map(record);
  if (objects.length === 0 || objects.some((item) => !item || !('value' in item))) return null;
  for (const key of PAIR_KEYS) {
    const ids = objects.map((item) => item![key]);
    if (ids.every((id) => typeof id === 'string' && id !== '') && new Set(ids).size === ids.length) {
      return {
        key,
        items: objects.map((item) => {
          const label = [item!.label, item!.title].find((text) => typeof text === 'string' && text !== item![key]);
          return { id: item![key] as string, value: item!.value, label: (label as string | undefined) ?? null };
        }),
      };
    }
  }
  return null;
}

function jsonObject(text: string): Record<string, unknown> | null {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{') || !trimmed.endsWith('}')) return null;
  try {
    return record(secureParse(trimmed, undefined, { protoAction: 'remove', constructorAction: 'remove' }));
  } catch {
    return null;
  }
}

/** A key as a JSONata name: plain when it can be, else in backticks (which a name cannot contain). */
function name(key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) && !RESERVED.has(key) ? key : `\`${key}\``;
}

function isNameable(key: string): boolean {
  return !key.includes('`') && key !== '';
}

/** A text as a JSONata string literal, in the single quotes users write when it can be. */
function literal(text: string): string {
  return /['\\\n\r\t]/.test(text) ? JSON.stringify(text) : `'${text}'`;
}

function record(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

function isScalar(value: unknown): boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}
