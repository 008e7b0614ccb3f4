import { payloadParameters } from '../../../../src/engine/mapping-proposal/payload-parameters.ts';

/*
 * The parameters of the Designer's sample, to click into an expression field: the form tool's
 * answers as the service reads them (payload-parameters.ts: Typeform answers by field.ref, Tally
 * fields by key, JSON in a text field through $parseJson), then every plain key of the payload by
 * its path. Each has the expression that reads it, the very text written into the field.
 */

/** How many of each a tree lists: a payload is at most what an admin body takes, a list must stay usable. */
const LIMIT = 200;

/** { form, keys, source, cut }: the form tool's parameters and the payload's nested keys, each { path, expression, label, value }. */
export function sampleParameters(payload) {
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) return { form: [], keys: [], source: null, cut: false };
  const found = payloadParameters(payload, LIMIT);
  const form = found.source ? found.parameters.filter((parameter) => !parameter.list) : [];
  const keys = [];
  collectKeys(payload, [], keys);
  return { form, keys: keys.slice(0, LIMIT), source: found.source, cut: found.total > LIMIT || keys.length > LIMIT };
}

/** The leaves of plain objects (lists of values count as one leaf; lists of objects by index, the first few). */
function collectKeys(value, path, into) {
  if (into.length > LIMIT) return;
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, inner] of Object.entries(value)) collectKeys(inner, [...path, key], into);
    return;
  }
  if (Array.isArray(value) && value.some((item) => item && typeof item === 'object')) {
    value.slice(0, 5).forEach((item, index) => collectKeys(item, [...path, index], into));
    return;
  }
  if (path.length > 0) into.push({ path: pathText(path), expression: expressionOf(path), label: null, value });
}

const NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const RESERVED = new Set(['and', 'or', 'in', 'true', 'false', 'null', 'function']);

/** A JSONata path: names as they are, others in backquotes, list items by index. */
export function expressionOf(path) {
  return path
    .map((part, index) => {
      if (typeof part === 'number') return `[${part}]`;
      const name = NAME.test(part) && !RESERVED.has(part) ? part : `\`${part.replace(/`/g, '')}\``;
      return index === 0 ? name : `.${name}`;
    })
    .join('')
    .replace(/\.\[/g, '[');
}

function pathText(path) {
  return path.map((part, index) => (typeof part === 'number' ? `[${part}]` : index === 0 ? part : `.${part}`)).join('');
}

/** A value as the tree shows it beside its parameter: short JSON. */
export function shortValue(value) {
  const text = value === undefined ? '—' : JSON.stringify(value);
  return text.length > 48 ? `${text.slice(0, 47)}…` : text;
}
