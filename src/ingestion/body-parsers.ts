import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parse as parseQuery } from 'node:querystring';
import { parse as secureParse } from 'secure-json-parse';
import { AppError, ErrorCode } from '../common/app-error.js';
import { UNSUPPORTED_CONTENT_TYPE } from '../common/error.filter.js';
import { jsonErrorPosition } from '../common/json-error-position.js';

export interface BodyLimits {
  maxBodyBytes: number;
}

/** Bounds of multipart bodies; a webhook form has a handful of short fields and no files. */
export const MULTIPART_LIMITS = { fieldNameSize: 200, fieldSize: 64 * 1024, fields: 1000, files: 1, parts: 1001, headerPairs: 100 };

/**
 * The body parsers of the service: JSON, urlencoded and multipart (anything else is 415), and
 * XML for the admin API's BPMN documents only.
 * JSON errors say what is wrong and where; keys that would reach object prototypes are refused.
 */
export async function registerBodyParsers(fastify: FastifyInstance, limits: BodyLimits): Promise<void> {
  fastify.removeAllContentTypeParsers();
  // Both keep the body's bytes as received: signatures are checked over them, never over re-serialised JSON.
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: limits.maxBodyBytes }, (request, body, done) => {
    try {
      (request as RawBodyRequest).rawBody = body as Buffer;
      done(null, parseJson((body as Buffer).toString('utf8')));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  fastify.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer', bodyLimit: limits.maxBodyBytes }, (request, body, done) => {
    (request as RawBodyRequest).rawBody = body as Buffer;
    // Repeated fields become arrays. The result has no prototype, but such names are refused
    // all the same, as they are in JSON and multipart bodies.
    const fields = parseQuery((body as Buffer).toString('utf8'), '&', '=', { maxKeys: 0 });
    const forbidden = Object.keys(fields).find((name) => FORBIDDEN_NAMES.has(name));
    if (forbidden) done(new AppError(ErrorCode.InvalidBody, `Form field name "${forbidden}" is not allowed`), undefined);
    else done(null, fields);
  });
  await fastify.register(multipart, { limits: { ...MULTIPART_LIMITS, fileSize: 1 } });
  // As text, parsed by the BPMN converter; a webhook in XML stays a 415 like any other type.
  fastify.addContentTypeParser(XML_TYPES, { parseAs: 'string', bodyLimit: limits.maxBodyBytes }, (request, body, done) => {
    if (BPMN_ROUTE.test(request.url)) done(null, body);
    else done(new AppError(ErrorCode.UnsupportedMediaType, UNSUPPORTED_CONTENT_TYPE), undefined);
  });
}

const XML_TYPES = ['application/xml', 'text/xml', 'application/bpmn+xml'];
const BPMN_ROUTE = /^\/api\/tenants\/[^/?]+\/processes\/[^/?]+\/bpmn(\?|$)/;

export type RawBodyRequest = FastifyRequest & { rawBody?: Buffer };

/** Names that could reach object prototypes if anything ever merged a payload into an object. */
export const FORBIDDEN_NAMES = new Set(['__proto__', 'constructor', 'prototype']);

export function parseJson(body: string): unknown {
  // A byte order mark is not JSON; without it, positions count from the first character of JSON.
  const text = body.charCodeAt(0) === 0xfeff ? body.slice(1) : body;
  if (text.trim() === '') throw new AppError(ErrorCode.InvalidBody, 'Request body is empty; send a JSON object');
  try {
    return secureParse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
  } catch (error) {
    if (/forbidden prototype property/.test((error as Error).message)) {
      throw new AppError(ErrorCode.InvalidBody, 'JSON keys "__proto__" and "constructor.prototype" are not allowed: they could alter objects of the service');
    }
    throw new AppError(ErrorCode.InvalidBody, describeJsonError(text, error as SyntaxError));
  }
}

/** "Malformed JSON: <what> at line L, column C (position P)". */
function describeJsonError(text: string, error: SyntaxError): string {
  const reported = /at position (\d+)/.exec(error.message);
  const position = reported ? Number(reported[1]) : jsonErrorPosition(text);
  // V8 messages end in a position or a quoted snippet of the body; keep only the "what".
  const what = error.message
    .replace(/( in JSON)? at position \d+.*$/s, '')
    // A quoted snippet of the body, never sent back: `, "…" is not valid JSON` or `, ..."…"... is not valid JSON`.
    .replace(/, (\.\.\.)?"[\s\S]* is not valid JSON$/, '');
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const column = position - before.lastIndexOf('\n');
  return `Malformed JSON: ${what} at line ${line}, column ${column} (position ${position})`;
}
