import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { STATUS_CODES } from 'node:http';
import { ApiKeysService } from '../src/tenants/api-keys.service.js';
import { WebhookLogService } from '../src/webhooks/webhook-log.service.js';
import { apiRequest } from './support/admin-client.js';
import { createDatabase, type TestDatabase } from './support/databases.js';
import { startTestService, type TestService } from './support/test-service.js';

/**
 * Malformed and hostile requests against one running service. Each row is answered with the
 * documented status and a message that says what is wrong; a valid webhook sent after every row
 * must still be accepted and processed, and nothing the service refused may be queued.
 */

/** What apiRequest sends as it is: strings, bytes and FormData. */
type Body = string | Buffer | FormData;

interface Row {
  name: string;
  /** `{key}` is the tenant's API key, `{revoked}` a revoked key of the same tenant. */
  path?: string;
  method?: string;
  headers?: Record<string, string>;
  /** Built when the row runs, so large bodies are not held for the whole suite. */
  body?: () => Body;
  /** The status; a list when more than one answer is correct. */
  status: number | number[];
  /** Error rows: `{statusCode, error, message}`, the message containing this text or matching this pattern. */
  message?: string | RegExp;
  /** get_entity_description rows: the protocol's 404 envelope naming this object. */
  entity?: string;
  /** Only the status (and Allow on 405) is checked: answers made before the application sees the request. */
  bare?: true;
  /** Accepted rows: what the worker stored for the webhook. */
  stored?: (payload: Record<string, unknown>) => void;
}

const JSON_TYPE = { 'content-type': 'application/json' };
const FORM_TYPE = { 'content-type': 'application/x-www-form-urlencoded' };
const MULTIPART_TYPE = { 'content-type': 'multipart/form-data; boundary=XyZ' };
const TEN_MB = 10 * 1024 * 1024;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MALFORMED = /^Malformed JSON: .+ at line \d+, column \d+ \(position \d+\)$/s;
const PROTO_KEYS = 'JSON keys "__proto__" and "constructor.prototype" are not allowed';
const UNSUPPORTED = 'Unsupported Content-Type: send application/json, multipart/form-data or application/x-www-form-urlencoded';
const UNKNOWN_KEY = 'Unknown or revoked API key';

/** An asymmetric matcher for one of several statuses, shown as such in a failure. */
function oneOf(expected: number | number[]): unknown {
  const values = Array.isArray(expected) ? expected : [expected];
  if (values.length === 1) return values[0];
  return { asymmetricMatch: (actual: unknown) => values.includes(actual as number), toAsymmetricMatcher: () => `one of ${values.join(', ')}` };
}

const json = (value: unknown) => () => JSON.stringify(value);
const text = (value: string) => () => value;

function form(entries: Array<[string, string | Blob]>): () => FormData {
  return () => {
    const data = new FormData();
    for (const [name, value] of entries) data.append(name, value);
    return data;
  };
}

/** A multipart body written by hand, for what FormData will not produce. */
function multipart(parts: string[], { closed = true } = {}): () => string {
  return () => parts.map((part) => `--XyZ\r\n${part}\r\n`).join('') + (closed ? '--XyZ--\r\n' : '');
}

/** `{"EntityName":"Lead","n":{"n":…}}` with `levels` objects under the top one. */
function nested(levels: number): () => string {
  return () => `{"EntityName":"Lead","n":${'{"n":'.repeat(levels)}1${'}'.repeat(levels)}}`;
}

/** A JSON object of `count` fields in all, EntityName included. */
function wide(count: number): () => string {
  return json(Object.fromEntries([['EntityName', 'Lead'], ...Array.from({ length: count - 1 }, (_, i) => [`f${i}`, i])]));
}

const rows: Row[] = [
  // ---- malformed JSON: 400 with what is wrong and where ------------------------------------
  {
    name: 'truncated JSON',
    headers: JSON_TYPE,
    body: text('{"EntityName":"Le'),
    status: 400,
    message: 'Malformed JSON: Unterminated string at line 1, column 18 (position 17)',
  },
  {
    name: 'JSON cut after a comma',
    headers: JSON_TYPE,
    body: text('{"EntityName":"Lead",'),
    status: 400,
    message: /^Malformed JSON: .+ at line 1, column 22 \(position 21\)$/,
  },
  {
    name: 'JSON missing its closing brace, over several lines',
    headers: JSON_TYPE,
    body: text('{\n  "EntityName": "Lead",\n  "Contact": "x"\n'),
    status: 400,
    message: "Malformed JSON: Expected ',' or '}' after property value at line 4, column 1 (position 43)",
  },
  {
    name: 'trailing comma',
    headers: JSON_TYPE,
    body: text('{"a":1,}'),
    status: 400,
    message: 'Malformed JSON: Expected double-quoted property name at line 1, column 8 (position 7)',
  },
  { name: 'single-quoted keys', headers: JSON_TYPE, body: text("{'a':1}"), status: 400, message: /^Malformed JSON: .+ at line 1, column 2 \(position 1\)$/ },
  {
    name: 'a comment in JSON',
    headers: JSON_TYPE,
    body: text('{"a":1 /* c */}'),
    status: 400,
    message: /^Malformed JSON: .+ at line 1, column 8 \(position 7\)$/,
  },
  {
    name: 'garbage after the JSON',
    headers: JSON_TYPE,
    body: text('{"a":1}garbage'),
    status: 400,
    message: 'Malformed JSON: Unexpected non-whitespace character after JSON at line 1, column 8 (position 7)',
  },
  {
    name: 'two JSON documents',
    headers: JSON_TYPE,
    body: text('{"a":1}{"b":2}'),
    status: 400,
    message: 'Malformed JSON: Unexpected non-whitespace character after JSON at line 1, column 8 (position 7)',
  },
  { name: 'a bare word', headers: JSON_TYPE, body: text('hello'), status: 400, message: MALFORMED },
  {
    name: 'NaN literal',
    headers: JSON_TYPE,
    body: text('{"EntityName":"Lead","n":NaN}'),
    status: 400,
    message: "Malformed JSON: Unexpected token 'N' at line 1, column 26 (position 25)",
  },
  {
    name: 'Infinity literal',
    headers: JSON_TYPE,
    body: text('{"EntityName":"Lead","n":Infinity}'),
    status: 400,
    message: "Malformed JSON: Unexpected token 'I' at line 1, column 26 (position 25)",
  },
  {
    name: '-Infinity literal',
    headers: JSON_TYPE,
    body: text('{"n":-Infinity}'),
    status: 400,
    message: 'Malformed JSON: No number after minus sign at line 1, column 7 (position 6)',
  },
  {
    // V8 quotes a cut snippet of the body (`…"Contact":NaN,"Email"… is not valid JSON`) for an
    // error in the middle of a longer body; the documented message keeps only the "what".
    name: 'NaN in the middle of a realistic body: the message does not quote the body',
    headers: JSON_TYPE,
    body: text('{"EntityName":"Lead","Contact":NaN,"Email":"someone@example.com","MobilePhone":"+1 617 221 5187"}'),
    status: 400,
    message: /^Malformed JSON: Unexpected token 'N' at line 1, column 32 \(position 31\)$/,
  },
  {
    name: 'a raw control character in a string',
    headers: JSON_TYPE,
    body: text('{"a":"x\u0001y"}'),
    status: 400,
    message: 'Malformed JSON: Bad control character in string literal at line 1, column 8 (position 7)',
  },
  {
    name: 'an invalid escape',
    headers: JSON_TYPE,
    body: text('{"a":"\\x"}'),
    status: 400,
    message: /^Malformed JSON: Bad escaped character .*at line 1, column 8 \(position 7\)$/,
  },
  {
    name: 'a number with a leading zero',
    headers: JSON_TYPE,
    body: text('{"a":01}'),
    status: 400,
    message: /^Malformed JSON: .+ at line 1, column 7 \(position 6\)$/,
  },
  {
    name: '100 000 unterminated [',
    headers: JSON_TYPE,
    body: text('['.repeat(100_000)),
    status: 400,
    message: 'Malformed JSON: Unexpected end of JSON input at line 1, column 100001 (position 100000)',
  },
  {
    name: '100 000 unterminated {"a":',
    headers: JSON_TYPE,
    body: text('{"a":'.repeat(100_000)),
    status: 400,
    message: 'Malformed JSON: Unexpected end of JSON input at line 1, column 500001 (position 500000)',
  },
  {
    name: 'UTF-16 JSON',
    headers: { 'content-type': 'application/json; charset=utf-16' },
    body: () => Buffer.from('{"EntityName":"Lead"}', 'utf16le'),
    status: 400,
    message: MALFORMED,
  },
  {
    // The BOM is stripped before parsing, so V8's positions count from after it; a computed
    // position must too (or count the BOM), never fall back to the start of the body.
    name: 'malformed JSON after a byte order mark names where it fails',
    headers: JSON_TYPE,
    body: text('\uFEFF{"a":[1,2,}'),
    status: 400,
    message: /^Malformed JSON: Unexpected token '\}' at line 1, column 1[12] \(position 1[01]\)$/,
  },
  {
    name: 'malformed JSON after a byte order mark, V8 position',
    headers: JSON_TYPE,
    body: text('\uFEFF{"a":1,}'),
    status: 400,
    message: 'Malformed JSON: Expected double-quoted property name at line 1, column 8 (position 7)',
  },
  { name: 'an empty JSON body', headers: JSON_TYPE, body: text(''), status: 400, message: 'Request body is empty; send a JSON object' },
  { name: 'a JSON body of whitespace', headers: JSON_TYPE, body: text(' \r\n\t '), status: 400, message: 'Request body is empty; send a JSON object' },

  // ---- JSON that is not an object of parameters ---------------------------------------------
  {
    name: 'top-level array',
    headers: JSON_TYPE,
    body: text('[{"EntityName":"Lead"}]'),
    status: 400,
    message: 'The webhook body must be a JSON object of parameters, got an array',
  },
  { name: 'top-level string', headers: JSON_TYPE, body: text('"EntityName=Lead"'), status: 400, message: 'got string' },
  { name: 'top-level null', headers: JSON_TYPE, body: text('null'), status: 400, message: 'got null' },
  { name: 'top-level number', headers: JSON_TYPE, body: text('42'), status: 400, message: 'got number' },
  { name: 'top-level boolean', headers: JSON_TYPE, body: text('true'), status: 400, message: 'got boolean' },
  {
    name: '100 000 nested arrays, well formed',
    headers: JSON_TYPE,
    body: text('['.repeat(100_000) + ']'.repeat(100_000)),
    status: 400,
    message: 'got an array',
  },

  // ---- limits: depth 32, 1000 fields, keys of 200, values of 64 KiB, bodies of 1 MiB ----------
  {
    name: '100 000 nested objects, well formed',
    headers: JSON_TYPE,
    body: text('{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000)),
    status: 400,
    message: 'The body is nested deeper than 32 levels',
  },
  {
    name: '100 000 nested arrays under a key',
    headers: JSON_TYPE,
    body: text(`{"EntityName":"Lead","x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`),
    status: 400,
    message: 'The body is nested deeper than 32 levels',
  },
  {
    name: '60 000 nested "constructor" objects',
    headers: JSON_TYPE,
    body: text('{"constructor":'.repeat(60_000) + '1' + '}'.repeat(60_000)),
    status: 400,
    message: 'The body is nested deeper than 32 levels',
  },
  { name: 'nesting of exactly 32 levels', headers: JSON_TYPE, body: nested(31), status: 202 },
  { name: 'nesting of 33 levels', headers: JSON_TYPE, body: nested(32), status: 400, message: 'The body is nested deeper than 32 levels' },
  {
    name: '100 000 fields (JSON, under 1 MiB)',
    headers: JSON_TYPE,
    body: json(Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [i.toString(36), 0]))),
    status: 413,
    message: 'The body has more than 1000 fields',
  },
  { name: 'exactly 1000 fields', headers: JSON_TYPE, body: wide(1000), status: 202 },
  { name: '1001 fields', headers: JSON_TYPE, body: wide(1001), status: 413, message: 'The body has more than 1000 fields' },
  {
    name: '100 000 fields (urlencoded)',
    headers: FORM_TYPE,
    body: text(Array.from({ length: 100_000 }, (_, i) => `${i.toString(36)}=`).join('&')),
    status: 413,
    message: 'The body has more than 1000 fields',
  },
  {
    name: 'one urlencoded field repeated 100 000 times',
    headers: FORM_TYPE,
    body: text('a=1&'.repeat(100_000)),
    status: 413,
    message: 'The body has more than 1000 fields',
  },
  { name: 'a field name of 200 characters', headers: JSON_TYPE, body: json({ EntityName: 'Lead', ['k'.repeat(200)]: 1 }), status: 202 },
  {
    name: 'a field name of 201 characters (JSON)',
    headers: JSON_TYPE,
    body: json({ EntityName: 'Lead', ['k'.repeat(201)]: 1 }),
    status: 400,
    message: 'A field name is longer than 200 characters',
  },
  {
    name: 'a field name of 201 characters (urlencoded)',
    headers: FORM_TYPE,
    body: text(`EntityName=Lead&${'k'.repeat(201)}=1`),
    status: 400,
    message: 'A field name is longer than 200 characters',
  },
  { name: 'a value of 65 536 characters', headers: JSON_TYPE, body: json({ EntityName: 'Lead', Contact: 'Long', Notes: 'x'.repeat(65_536) }), status: 202 },
  {
    name: 'a value of 65 537 characters (JSON)',
    headers: JSON_TYPE,
    body: json({ EntityName: 'Lead', Notes: 'x'.repeat(65_537) }),
    status: 413,
    message: 'A value is longer than 65536 characters',
  },
  {
    name: 'a value of 70 000 characters (urlencoded)',
    headers: FORM_TYPE,
    body: text(`EntityName=Lead&Notes=${'x'.repeat(70_000)}`),
    status: 413,
    message: 'A value is longer than 65536 characters',
  },
  {
    name: 'a 10 MB JSON body',
    headers: JSON_TYPE,
    body: () => Buffer.alloc(TEN_MB, 0x20),
    status: 413,
    message: 'Request body is larger than the limit of this endpoint',
  },
  {
    name: 'a 10 MB urlencoded body',
    headers: FORM_TYPE,
    body: () => Buffer.alloc(TEN_MB, 0x61),
    status: 413,
    message: 'Request body is larger than the limit of this endpoint',
  },
  {
    name: 'a JSON body of 1 MiB + 1 byte',
    headers: JSON_TYPE,
    body: text(`{"a":"${'x'.repeat(1024 * 1024 + 1 - 8)}"}`),
    status: 413,
    message: 'Request body is larger than the limit of this endpoint',
  },

  // ---- numbers and duplicate keys --------------------------------------------------------------
  {
    name: 'duplicate keys: the last wins',
    headers: JSON_TYPE,
    body: text('{"EntityName":"Contact","EntityName":"Lead","Contact":"first","Contact":"Duplicate keys"}'),
    status: 202,
    stored: (payload) => expect(payload).toEqual({ EntityName: 'Lead', Contact: 'Duplicate keys' }),
  },
  {
    // 1e400 parses to Infinity, which no column can hold and JSON would turn into null: refused.
    name: '1e400 is refused as out of range',
    headers: JSON_TYPE,
    body: text('{"EntityName":"Lead","Contact":"Huge budget","Budget":1e400}'),
    status: 400,
    message: 'A number is out of range (such as 1e400): send it as text',
  },
  { name: '-1e400', headers: JSON_TYPE, body: text('{"EntityName":"Lead","Budget":-1e400}'), status: 400, message: 'A number is out of range' },
  {
    name: '1e-400 (underflows to 0)',
    headers: JSON_TYPE,
    body: text('{"EntityName":"Lead","Budget":1e-400}'),
    status: 202,
    stored: (payload) => expect(payload.Budget).toBe(0),
  },
  {
    name: 'a 30-digit integer',
    headers: JSON_TYPE,
    body: text('{"EntityName":"Lead","Budget":123456789012345678901234567890}'),
    status: 202,
    stored: (payload) => expect(payload.Budget).toBe(1.2345678901234568e29),
  },

  // ---- keys that reach prototypes ---------------------------------------------------------------
  { name: 'JSON "__proto__" key', headers: JSON_TYPE, body: text('{"EntityName":"Lead","__proto__":{"polluted":true}}'), status: 400, message: PROTO_KEYS },
  {
    name: 'JSON "__proto__" key deep in an array',
    headers: JSON_TYPE,
    body: text('{"a":[{"b":[{"__proto__":{"polluted":true}}]}]}'),
    status: 400,
    message: PROTO_KEYS,
  },
  { name: 'JSON "\\u005f_proto__" key', headers: JSON_TYPE, body: text('{"\\u005f_proto__":{"polluted":true}}'), status: 400, message: PROTO_KEYS },
  {
    name: 'JSON "constructor": {"prototype": …}',
    headers: JSON_TYPE,
    body: text('{"constructor":{"prototype":{"polluted":true}}}'),
    status: 400,
    message: PROTO_KEYS,
  },
  {
    name: 'JSON "__proto__" under 50 000 levels',
    headers: JSON_TYPE,
    body: text('{"a":'.repeat(50_000) + '{"__proto__":{"polluted":true}}' + '}'.repeat(50_000)),
    status: 400,
    message: PROTO_KEYS,
  },
  {
    name: 'JSON "constructor" without "prototype" is only a name',
    headers: JSON_TYPE,
    body: text('{"EntityName":"Lead","Contact":"Ctor","constructor":{"name":"x"},"toString":"y"}'),
    status: 202,
    stored: (payload) => expect(payload).toEqual({ EntityName: 'Lead', Contact: 'Ctor', constructor: { name: 'x' }, toString: 'y' }),
  },
  {
    // Refused as in JSON and multipart bodies, although the parsed form has no prototype.
    name: 'urlencoded "__proto__" field is refused',
    headers: FORM_TYPE,
    body: text('__proto__=x&__proto__=y&EntityName=Lead&Contact=Proto'),
    status: 400,
    message: 'Form field name "__proto__" is not allowed',
  },
  {
    name: 'urlencoded "__proto__[polluted]" and "constructor[prototype][polluted]"',
    headers: FORM_TYPE,
    body: text('__proto__[polluted]=true&constructor[prototype][polluted]=true&EntityName=Lead'),
    status: 202,
    stored: (payload) => expect(payload).toEqual({ '__proto__[polluted]': 'true', 'constructor[prototype][polluted]': 'true', EntityName: 'Lead' }),
  },
  {
    name: 'urlencoded "constructor" and "prototype" fields',
    headers: FORM_TYPE,
    body: text('constructor=x&prototype=y&EntityName=Lead'),
    status: 400,
    message: 'is not allowed',
  },
  {
    name: 'multipart "__proto__" field',
    body: form([
      ['EntityName', 'Lead'],
      ['__proto__', 'x'],
    ]),
    status: 400,
    message: 'prototype property is not allowed as field name',
  },
  { name: 'multipart "constructor" field', body: form([['constructor', 'x']]), status: 400, message: 'prototype property is not allowed as field name' },
  { name: 'multipart "prototype" field', body: form([['prototype', 'x']]), status: 400, message: 'Form field name "prototype" is not allowed' },
  // @fastify/multipart refuses every name found on Object.prototype, "toString" included.
  { name: 'multipart "toString" field', body: form([['toString', 'x']]), status: 400, message: 'prototype property is not allowed as field name' },

  // ---- content types and encodings ---------------------------------------------------------------
  { name: 'text/plain', headers: { 'content-type': 'text/plain' }, body: json({ EntityName: 'Lead' }), status: 415, message: UNSUPPORTED },
  // The type fetch gives a string body whose sender names none.
  {
    name: 'no content type, with a body',
    headers: { 'content-type': 'text/plain;charset=UTF-8' },
    body: json({ EntityName: 'Lead' }),
    status: 415,
    message: UNSUPPORTED,
  },
  { name: 'application/xml', headers: { 'content-type': 'application/xml' }, body: text('<EntityName>Lead</EntityName>'), status: 415, message: UNSUPPORTED },
  {
    name: 'application/vnd.api+json',
    headers: { 'content-type': 'application/vnd.api+json' },
    body: json({ EntityName: 'Lead' }),
    status: 415,
    message: UNSUPPORTED,
  },
  { name: 'text/json', headers: { 'content-type': 'text/json' }, body: json({ EntityName: 'Lead' }), status: 415, message: UNSUPPORTED },
  { name: 'application/jsonx', headers: { 'content-type': 'application/jsonx' }, body: json({ EntityName: 'Lead' }), status: 415, message: UNSUPPORTED },
  {
    name: 'two media types in one header',
    headers: { 'content-type': 'application/json, text/plain' },
    body: json({ EntityName: 'Lead' }),
    status: 415,
    message: UNSUPPORTED,
  },
  {
    name: 'multipart/mixed',
    headers: { 'content-type': 'multipart/mixed; boundary=XyZ' },
    body: multipart(['Content-Disposition: form-data; name="a"\r\n\r\n1']),
    status: 415,
    message: UNSUPPORTED,
  },
  { name: 'application/json; charset=utf-8', headers: { 'content-type': 'application/json; charset=utf-8' }, body: json({ EntityName: 'Lead' }), status: 202 },
  {
    name: 'APPLICATION/JSON; Charset="UTF-8"',
    headers: { 'content-type': 'APPLICATION/JSON; Charset="UTF-8"' },
    body: json({ EntityName: 'Lead' }),
    status: 202,
  },
  {
    // Not documented: bytes that are not UTF-8 are read as U+FFFD rather than refused.
    name: 'invalid UTF-8 bytes in a JSON string',
    headers: JSON_TYPE,
    body: () => Buffer.concat([Buffer.from('{"EntityName":"Lead","Contact":"Bad'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')]),
    status: 202,
    stored: (payload) => expect(payload).toEqual({ EntityName: 'Lead', Contact: 'Bad\uFFFD\uFFFD\uFFFD' }),
  },
  {
    name: 'a byte order mark before valid JSON',
    headers: JSON_TYPE,
    body: text('\uFEFF{"EntityName":"Lead","Contact":"BOM"}'),
    status: 202,
    stored: (payload) => expect(payload).toEqual({ EntityName: 'Lead', Contact: 'BOM' }),
  },
  {
    name: 'a lone surrogate escape',
    headers: JSON_TYPE,
    body: text('{"EntityName":"Lead","Contact":"\\ud800"}'),
    status: 202,
    stored: (payload) => expect(payload.Contact).toBe('\ud800'),
  },
  {
    name: 'an escaped NUL in a value',
    headers: JSON_TYPE,
    body: text('{"EntityName":"Lead","Contact":"a\\u0000b"}'),
    status: 202,
    stored: (payload) => expect(payload.Contact).toBe('a\u0000b'),
  },
  { name: 'bad percent-encoding in a urlencoded body', headers: FORM_TYPE, body: text('EntityName=Lead&a=%E0%A4%A&b=%ZZ'), status: 202 },

  // ---- empty bodies --------------------------------------------------------------------------------
  {
    name: 'no body and no content type',
    status: 415,
    message: 'The webhook has no body: send application/json, multipart/form-data or application/x-www-form-urlencoded',
  },
  // An empty form is a form without fields: accepted, and kept without a record (no EntityName).
  { name: 'an empty urlencoded body', headers: FORM_TYPE, body: text(''), status: 202, stored: (payload) => expect(payload).toEqual({}) },
  { name: 'an empty multipart body', headers: MULTIPART_TYPE, body: text(''), status: 202, stored: (payload) => expect(payload).toEqual({}) },

  // ---- multipart ----------------------------------------------------------------------------------
  {
    name: 'multipart without a boundary',
    headers: { 'content-type': 'multipart/form-data' },
    body: text('EntityName=Lead'),
    status: 400,
    message: 'Malformed multipart body: Multipart: Boundary not found',
  },
  {
    name: 'multipart with an empty boundary',
    headers: { 'content-type': 'multipart/form-data; boundary=' },
    body: text('--\r\n'),
    status: 400,
    message: 'Malformed multipart body',
  },
  {
    name: 'multipart with another boundary than declared',
    headers: MULTIPART_TYPE,
    body: text('--Other\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--Other--\r\n'),
    status: 400,
    message: 'Malformed multipart body: Unexpected end of multipart data',
  },
  {
    name: 'multipart cut in a part header',
    headers: MULTIPART_TYPE,
    body: text('--XyZ\r\nContent-Disposition: form-data; name="EntityName"\r\n\r\nLead\r\n--XyZ\r\nContent-Disposition: form-da'),
    status: 400,
    message: 'Malformed multipart body: Unexpected end of multipart data',
  },
  {
    name: 'multipart without its closing boundary',
    headers: MULTIPART_TYPE,
    body: multipart(['Content-Disposition: form-data; name="EntityName"\r\n\r\nLead'], { closed: false }),
    status: 400,
    message: 'Malformed multipart body: Unexpected end of multipart data',
  },
  {
    name: 'multipart that is not multipart',
    headers: MULTIPART_TYPE,
    body: text('this is not multipart at all'),
    status: 400,
    message: 'Malformed multipart body',
  },
  {
    name: 'multipart with a file part',
    body: form([
      ['EntityName', 'Lead'],
      ['cv', new Blob(['%PDF-1.4'], { type: 'application/pdf' })],
    ]),
    status: 415,
    message: 'Multipart part "cv" is a file; webhooks accept form fields only',
  },
  {
    name: 'multipart with two file parts',
    body: form([
      ['a', new Blob(['x'])],
      ['b', new Blob(['y'])],
    ]),
    status: 415,
    message: 'Multipart part "a" is a file',
  },
  {
    name: 'multipart with an empty file name',
    headers: MULTIPART_TYPE,
    body: multipart(['Content-Disposition: form-data; name="a"; filename=""\r\n\r\n']),
    status: 415,
    message: 'Multipart part "a" is a file',
  },
  {
    name: 'multipart with 1000 fields',
    body: form([['EntityName', 'Lead'], ...Array.from({ length: 999 }, (_, i): [string, string] => [`f${i}`, 'v'])]),
    status: 202,
  },
  {
    name: 'multipart with 1001 fields',
    body: form(Array.from({ length: 1001 }, (_, i): [string, string] => [`f${i}`, 'v'])),
    status: 413,
    message: 'Multipart body exceeds a limit: reach fields limit',
  },
  {
    name: 'multipart with 5000 parts',
    body: form(Array.from({ length: 5000 }, (_, i): [string, string] => [`f${i % 100}`, 'v'])),
    status: 413,
    message: 'Multipart body exceeds a limit',
  },
  {
    name: 'multipart field name of 300 characters',
    body: form([
      ['EntityName', 'Lead'],
      ['n'.repeat(300), 'x'],
    ]),
    status: 400,
    message: 'A field name is longer than 200 characters',
  },
  {
    // busboy cuts a field at fieldSize (64 KiB) and says so (valueTruncated); the service must
    // refuse it as JSON and urlencoded bodies are refused, not keep the first 65 536 bytes.
    name: 'multipart field of 70 000 characters',
    body: form([
      ['EntityName', 'Lead'],
      ['Contact', 'Long form'],
      ['Notes', 'x'.repeat(70_000)],
    ]),
    status: 413,
    message: 'Form field "Notes" is longer than 65536 bytes',
  },
  {
    // 40 000 characters (80 000 bytes in UTF-8) are within the 65 536-character limit that JSON
    // and urlencoded bodies apply: accepted whole, or refused, never cut to 32 768 characters.
    name: 'multipart field of 40 000 two-byte characters',
    body: form([
      ['EntityName', 'Lead'],
      ['Contact', 'Accents'],
      ['Notes', 'é'.repeat(40_000)],
    ]),
    status: [202, 413],
    stored: (payload) => expect((payload.Notes as string).length).toBe(40_000),
  },
  {
    // MAX_BODY_BYTES (1 MiB) is documented for every webhook body; 160 fields of 64 KiB are 10 MB.
    name: 'a 10 MB multipart body',
    body: form([
      ['EntityName', 'Lead'],
      ['Contact', 'Ten megabytes'],
      ...Array.from({ length: 160 }, (_, i): [string, string] => [`f${i}`, 'y'.repeat(65_536)]),
    ]),
    status: 413,
    message: /larger than the limit|exceeds a limit/,
  },
  {
    name: 'multipart part without Content-Disposition is ignored',
    headers: MULTIPART_TYPE,
    body: multipart(['X-Foo: bar\r\n\r\nLead']),
    status: 202,
    stored: (payload) => expect(payload).toEqual({}),
  },

  // ---- delivery ids ------------------------------------------------------------------------------
  {
    name: 'webhook-id of 201 characters',
    headers: { ...JSON_TYPE, 'webhook-id': 'w'.repeat(201) },
    body: json({ EntityName: 'Lead' }),
    status: 400,
    message: 'The webhook-id header is longer than 200 characters',
  },
  { name: 'webhook-id of 200 characters', headers: { ...JSON_TYPE, 'webhook-id': 'w'.repeat(200) }, body: json({ EntityName: 'Lead' }), status: 202 },
  {
    name: 'X-GitHub-Delivery of 201 characters',
    headers: { ...JSON_TYPE, 'x-github-delivery': 'g'.repeat(201) },
    body: json({ EntityName: 'Lead' }),
    status: 400,
    message: 'The x-github-delivery header is longer than 200 characters',
  },
  { name: 'a 20 KB request header', headers: { ...JSON_TYPE, 'x-padding': 'h'.repeat(20_000) }, body: json({ EntityName: 'Lead' }), status: 431, bare: true },

  // ---- API keys -----------------------------------------------------------------------------------
  { name: 'unknown key', path: `/webhooks/hf_${'A'.repeat(43)}`, headers: JSON_TYPE, body: json({ EntityName: 'Lead' }), status: 401, message: UNKNOWN_KEY },
  { name: 'malformed key (too short)', path: '/webhooks/hf_short', headers: JSON_TYPE, body: json({ EntityName: 'Lead' }), status: 401, message: UNKNOWN_KEY },
  {
    name: 'malformed key (no prefix)',
    path: `/webhooks/${'x'.repeat(46)}`,
    headers: JSON_TYPE,
    body: json({ EntityName: 'Lead' }),
    status: 401,
    message: UNKNOWN_KEY,
  },
  { name: 'key with %00', path: '/webhooks/hf_%00', headers: JSON_TYPE, body: json({ EntityName: 'Lead' }), status: 401, message: UNKNOWN_KEY },
  {
    name: 'key ..%2F..%2Fetc%2Fpasswd',
    path: '/webhooks/..%2F..%2Fetc%2Fpasswd',
    headers: JSON_TYPE,
    body: json({ EntityName: 'Lead' }),
    status: 401,
    message: UNKNOWN_KEY,
  },
  { name: 'revoked key', path: '/webhooks/{revoked}', headers: JSON_TYPE, body: json({ EntityName: 'Lead' }), status: 401, message: UNKNOWN_KEY },
  { name: 'revoked key on get_entities', path: '/get_entities/{revoked}', status: 401, message: UNKNOWN_KEY },
  { name: 'unknown key on get_entity_description', path: `/get_entity_description/hf_${'A'.repeat(43)}/Lead`, status: 401, message: UNKNOWN_KEY },
  // Fastify refuses path parameters over 100 characters before the application sees them.
  {
    name: 'key of 1000 characters',
    path: `/webhooks/hf_${'A'.repeat(1000)}`,
    headers: JSON_TYPE,
    body: json({ EntityName: 'Lead' }),
    status: 414,
    message: 'is exceeding the max param length',
  },
  {
    name: 'key with broken percent-encoding',
    path: '/webhooks/%E0%A4%A',
    headers: JSON_TYPE,
    body: json({ EntityName: 'Lead' }),
    status: 400,
    message: 'is not a valid url component',
  },
  {
    name: 'no key',
    path: '/webhooks/',
    headers: JSON_TYPE,
    body: json({ EntityName: 'Lead' }),
    status: 404,
    message: 'No API key in the URL: send webhooks to /webhooks/<API_KEY>',
  },
  {
    name: 'a trailing slash after the key',
    path: '/webhooks/{key}/',
    headers: JSON_TYPE,
    body: json({ EntityName: 'Lead' }),
    status: 404,
    message: /^Cannot POST \/webhooks\/hf_/,
  },

  // ---- entity names of get_entity_description -----------------------------------------------------
  { name: 'entity ..%2F..%2Fetc%2Fpasswd', path: '/get_entity_description/{key}/..%2F..%2Fetc%2Fpasswd', status: 404, entity: '../../etc/passwd' },
  { name: 'entity Lead%00', path: '/get_entity_description/{key}/Lead%00', status: 404, entity: 'Lead\u0000' },
  { name: 'entity %00', path: '/get_entity_description/{key}/%00', status: 404, entity: '\u0000' },
  { name: 'entity of 99 characters (named in 64)', path: `/get_entity_description/{key}/${'L'.repeat(99)}`, status: 404, entity: 'L'.repeat(64) },
  { name: 'entity of 5000 characters', path: `/get_entity_description/{key}/${'L'.repeat(5000)}`, status: 414, message: 'is exceeding the max param length' },
  { name: "entity Lead' OR '1'='1", path: "/get_entity_description/{key}/Lead'%20OR%20'1'%3D'1", status: 404, entity: "Lead' OR '1'='1" },
  { name: 'entity "%"', path: '/get_entity_description/{key}/%25', status: 404, entity: '%' },
  { name: 'entity with broken percent-encoding', path: '/get_entity_description/{key}/%E0%A4%A', status: 400, message: 'is not a valid url component' },
  { name: 'entity 😀', path: '/get_entity_description/{key}/%F0%9F%98%80', status: 404, entity: '😀' },
  { name: 'entity "lead" (names are case-sensitive)', path: '/get_entity_description/{key}/lead', status: 404, entity: 'lead' },
  { name: 'entity __proto__', path: '/get_entity_description/{key}/__proto__', status: 404, entity: '__proto__' },
  { name: 'entity constructor', path: '/get_entity_description/{key}/constructor', status: 404, entity: 'constructor' },
  { name: 'entity toString', path: '/get_entity_description/{key}/toString', status: 404, entity: 'toString' },
  { name: 'no entity', path: '/get_entity_description/{key}/', status: 404, message: /^Cannot POST \/get_entity_description\/hf_/ },
  {
    name: 'get_entity_description with a "__proto__" JSON body',
    path: '/get_entity_description/{key}/Lead',
    headers: JSON_TYPE,
    body: text('{"__proto__":{"polluted":true}}'),
    status: 400,
    message: PROTO_KEYS,
  },
  {
    name: 'get_entities with truncated JSON',
    path: '/get_entities/{key}',
    headers: JSON_TYPE,
    body: text('{"apiKey":'),
    status: 400,
    message: 'Malformed JSON: Unexpected end of JSON input at line 1, column 11 (position 10)',
  },

  // ---- methods ------------------------------------------------------------------------------------
  ...['GET', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'].map((method): Row => ({
    name: `${method} /webhooks`,
    method,
    status: 405,
    message: `${method} is not allowed here; webhooks are sent with POST`,
  })),
  { name: 'HEAD /webhooks', method: 'HEAD', status: 405, bare: true },
  // "any method but POST: 405 with Allow: POST" (README).
  { name: 'PROPFIND /webhooks', method: 'PROPFIND', status: 405, message: 'PROPFIND is not allowed here' },
  { name: 'GET /get_entities', path: '/get_entities/{key}', method: 'GET', status: 405, message: 'GET is not allowed here' },
  { name: 'DELETE /get_entity_description', path: '/get_entity_description/{key}/Lead', method: 'DELETE', status: 405, message: 'DELETE is not allowed here' },
  // Node's HTTP parser refuses an unknown method before the application sees it.
  { name: 'method FOO', method: 'FOO', status: 400, bare: true },
];

describe('bad input at the public endpoints', () => {
  let database: TestDatabase;
  let hookflow: TestService;
  let tenantId: string;
  let apiKey: string;
  let revokedKey: string;
  let rssAtStart: number;
  const prototypeNames = Object.getOwnPropertyNames(Object.prototype).sort();
  const arrayPrototypeNames = Object.getOwnPropertyNames(Array.prototype).sort();
  /** Valid webhooks sent between the rows: their id and their Contact. */
  const probes: Array<{ id: string; contact: string }> = [];
  /** Every id answered with 202, probes and accepted rows alike. */
  const accepted: string[] = [];

  beforeAll(async () => {
    database = await createDatabase('sqlite');
    hookflow = await startTestService(database);
    ({ tenantId, apiKey } = await hookflow.newTenant('Bad input'));
    const keys = hookflow.get(ApiKeysService);
    const revoked = await keys.create(tenantId, 'Revoked source');
    await keys.revoke(tenantId, revoked.id);
    revokedKey = revoked.apiKey;
    // Warm up (first request, first job) before the memory baseline.
    const warmUp = await sendProbe('warm-up');
    await hookflow.waitForWebhook(tenantId, warmUp);
    rssAtStart = process.memoryUsage().rss;
  });

  afterAll(async () => {
    await hookflow?.close();
    await database?.drop();
  });

  async function sendProbe(label: string): Promise<string> {
    const contact = `Probe ${probes.length} after ${label}`.slice(0, 200);
    const response = await apiRequest(hookflow.url, 'POST', `/webhooks/${apiKey}`, {
      body: { EntityName: 'Lead', Contact: contact, Email: `probe${probes.length}@example.com` },
    });
    const body = response.body as { id: string; status: string };
    expect({ status: response.status, body }).toEqual({ status: 202, body: { id: expect.stringMatching(UUID), status: 'accepted' } });
    probes.push({ id: body.id, contact });
    accepted.push(body.id);
    return body.id;
  }

  it('has the rows it means to have', () => {
    expect(rows.length).toBeGreaterThanOrEqual(60);
    expect(new Set(rows.map((row) => row.name)).size).toBe(rows.length);
  });

  it.each(rows.map((row) => [row.name, row] as const))('%s', async (_name, row) => {
    try {
      await checkRow(row);
    } finally {
      // Whatever the row did, the next valid webhook is accepted.
      await sendProbe(row.name);
    }
  });

  async function checkRow(row: Row): Promise<void> {
    const path = (row.path ?? '/webhooks/{key}').replace('{key}', apiKey).replace('{revoked}', revokedKey);
    const response = await apiRequest(hookflow.url, row.method ?? 'POST', path, { body: row.body?.(), headers: row.headers });
    const raw = response.text;
    const status = response.status;
    // Counted before any expectation, so a row accepted by mistake is still waited for.
    const id = status === 202 ? (JSON.parse(raw) as { id: string }).id : undefined;
    if (id) accepted.push(id);
    // The body is part of the received value, so a failure shows what the service answered.
    expect({ status, body: raw.slice(0, 500) }).toEqual({ status: oneOf(row.status), body: expect.any(String) });
    if (status === 405) expect(response.headers.get('allow')).toBe('POST');

    if (id) {
      expect(JSON.parse(raw)).toEqual({ id: expect.stringMatching(UUID), status: 'accepted' });
      if (row.stored) {
        const webhook = await hookflow.waitForWebhook(tenantId, id);
        expect(webhook.status).not.toBe('failed');
        row.stored((await hookflow.get(WebhookLogService).get(tenantId, id)).payload);
      }
    } else if (row.entity !== undefined) {
      expect(JSON.parse(raw)).toEqual({
        value: {
          entityModel: null,
          isSuccess: false,
          status: 'error',
          code: 404,
          message: `Object "${row.entity}" is not in the Webhook entities lookup`,
        },
        statusCode: 404,
        code: 'NOT_FOUND',
      });
    } else if (!row.bare) {
      const body = JSON.parse(raw) as { statusCode: number; error: string; message: string };
      expect(body).toMatchObject({ statusCode: status, error: STATUS_CODES[status], message: expect.any(String) });
      if (typeof row.message === 'string') expect(body.message).toContain(row.message);
      else if (row.message) expect(body.message).toMatch(row.message);
    }
  }

  it('processed every valid webhook sent between the rows into a record', async () => {
    const records = new Map<string, Record<string, unknown>>();
    for (const probe of probes) {
      const webhook = await hookflow.waitForWebhook(tenantId, probe.id);
      expect({ contact: probe.contact, status: webhook.status, reason: webhook.reason }).toEqual({ contact: probe.contact, status: 'processed', reason: null });
      expect(webhook.recordIds).toHaveLength(1);
      if (records.size === 0 || !records.has(webhook.recordIds[0])) {
        for (const record of await hookflow.records(tenantId, 'Lead')) records.set(String(record.Id), record as Record<string, unknown>);
      }
      expect(records.get(webhook.recordIds[0])).toMatchObject({ Contact: probe.contact });
    }
    expect(probes.length).toBe(rows.length + 1);
  });

  it('queued nothing it refused, and no accepted webhook failed', async () => {
    for (const id of accepted) await hookflow.waitForWebhook(tenantId, id);
    const logged = await hookflow.webhooks(tenantId);
    expect(logged.map((webhook) => webhook.id).sort()).toEqual([...accepted].sort());
    expect(logged.filter((webhook) => webhook.status === 'failed')).toEqual([]);
  });

  it('left Object.prototype and Array.prototype as they were', () => {
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeNames);
    expect(Object.getOwnPropertyNames(Array.prototype).sort()).toEqual(arrayPrototypeNames);
    const plain = {} as Record<string, unknown>;
    expect(plain.polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('still answers: get_entities and a new webhook', async () => {
    const entities = await apiRequest(hookflow.url, 'POST', `/get_entities/${apiKey}`);
    expect(entities.status).toBe(200);
    expect((entities.body as { entities: Array<{ name: string }> }).entities.map((entity) => entity.name)).toContain('Lead');
    const id = await sendProbe('the suite');
    expect((await hookflow.waitForWebhook(tenantId, id)).status).toBe('processed');
  });

  it('grew by less than 300 MB of memory over the suite', () => {
    const grown = process.memoryUsage().rss - rssAtStart;
    expect(grown).toBeLessThan(300 * 1024 * 1024);
  });
});
