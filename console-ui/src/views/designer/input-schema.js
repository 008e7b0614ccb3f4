/**
 * What a form of a step's input is made of, read from the step type's `inputSchema` as
 * GET /api/step-types answers it (the schema the server validates saves with): one field per
 * property, of a kind the form renders. A property the form has no control for, or whose value
 * does not fit its control, is a JSON field, so that nothing of the input is lost or changed.
 */

/** The fields of an input schema, in the schema's order, for an input (an object, or nothing yet). */
export function fieldsOf(schema, input) {
  const required = new Set(Array.isArray(schema?.required) ? schema.required : []);
  const properties = schema?.properties && typeof schema.properties === 'object' ? schema.properties : {};
  const value = isObject(input) ? input : {};
  const fields = Object.entries(properties).map(([name, property]) => ({
    name,
    kind: kindOf(property, value[name]),
    required: required.has(name),
    description: typeof property?.description === 'string' ? property.description : '',
    options: optionsOf(property),
    expression: isExpression(property),
    schema: property,
  }));
  // Properties of the input the schema does not name (it refuses them on save) are kept, as JSON.
  for (const name of Object.keys(value)) {
    if (!Object.hasOwn(properties, name))
      fields.push({ name, kind: 'json', required: false, description: 'Not in the schema of this step type.', options: [], expression: false, schema: {} });
  }
  return fields;
}

/**
 * Whether the property's text is an expression (a map's: its values'): the step type says so with
 * `x-expression` in its schema, which the service's validation ignores.
 */
export function isExpression(property) {
  return isObject(property) && property['x-expression'] === true;
}

/** The control a property takes: text, number, integer, boolean, enum, map (key → text), list (of texts), or json. */
export function kindOf(property, value) {
  if (!isObject(property)) return 'json';
  const options = optionsOf(property);
  if (options.length > 0) return value === undefined || options.includes(value) ? 'enum' : 'json';
  const type = property.type;
  if (type === 'string') return value === undefined || typeof value === 'string' ? 'text' : 'json';
  if (type === 'integer' || type === 'number') return value === undefined || typeof value === 'number' ? type : 'json';
  if (type === 'boolean') return value === undefined || typeof value === 'boolean' ? 'boolean' : 'json';
  if (type === 'object' && isTextMap(property))
    return value === undefined || (isObject(value) && Object.values(value).every((item) => typeof item === 'string')) ? 'map' : 'json';
  if (type === 'array' && acceptsText(property.items))
    return value === undefined || (Array.isArray(value) && value.every((item) => typeof item === 'string')) ? 'list' : 'json';
  return 'json';
}

/** The values of an enum (or a const) of texts; none for anything else. */
function optionsOf(property) {
  if (!isObject(property)) return [];
  const options = Array.isArray(property.enum) ? property.enum : 'const' in property ? [property.const] : [];
  return options.length > 0 && options.every((option) => typeof option === 'string') ? options : [];
}

/** An object of free keys (column codes, header names) whose values may be texts (expressions). */
function isTextMap(property) {
  if (property.properties && Object.keys(property.properties).length > 0) return false;
  const additional = property.additionalProperties;
  if (additional === false) return false;
  if (isObject(additional)) return acceptsText(additional);
  // Keys constrained but values free (create-record's values: column code → expression or constant).
  return additional === true || isObject(property.propertyNames);
}

/** Whether a schema admits a text: type string (or a list with it), or any of its anyOf/oneOf does. */
function acceptsText(schema) {
  if (!isObject(schema)) return false;
  if (schema.type === 'string' || (Array.isArray(schema.type) && schema.type.includes('string'))) return true;
  return [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])].some(acceptsText);
}

/** "One of these is required" groups of the schema (its oneOf, and allOf's oneOfs, of `required`). */
export function choicesOf(schema) {
  const groups = [schema, ...(Array.isArray(schema?.allOf) ? schema.allOf : [])]
    .map((part) => (Array.isArray(part?.oneOf) ? part.oneOf : null))
    .filter(Boolean)
    .map((options) => options.flatMap((option) => (Array.isArray(option?.required) ? option.required : [])));
  return groups.filter((names) => names.length > 1);
}

/** The input with one property set, or removed when the value is undefined (an emptied field). */
export function withValue(input, name, value) {
  const next = { ...(isObject(input) ? input : {}) };
  if (value === undefined) delete next[name];
  else next[name] = value;
  return next;
}

/** What a text control's text means: an empty field is no value; a number field's text a number (NaN: not one). */
export function valueOfText(kind, text) {
  if (text === '') return undefined;
  if (kind === 'number' || kind === 'integer') return Number(text);
  return text;
}

/** Whether a number field's value is one its kind takes. */
export function numberProblem(kind, value) {
  if (value === undefined) return null;
  if (!Number.isFinite(value)) return 'not a number';
  if (kind === 'integer' && !Number.isInteger(value)) return 'not a whole number';
  return null;
}

/** A map's rows as [key, value] pairs, and back: rows without a key are not part of the value. */
export function rowsOf(map) {
  return isObject(map) ? Object.entries(map) : [];
}

export function mapOf(rows) {
  const entries = rows.filter(([key]) => key !== '');
  return entries.length === 0 ? undefined : Object.fromEntries(entries);
}

/** A JSON field's text, and what it holds: `{ value }`, or `{ problem }` when it is not JSON. */
export function jsonOf(value) {
  return value === undefined ? '' : JSON.stringify(value, null, 2);
}

export function parseJsonField(text) {
  if (text.trim() === '') return { value: undefined };
  try {
    return { value: JSON.parse(text) };
  } catch (error) {
    return { problem: `not JSON: ${error.message}` };
  }
}

function isObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
