import { defineScheme, headerValue, hmac as digest, same } from './scheme.js';

const ALGORITHMS = ['sha256', 'sha512'] as const;
const ENCODINGS = ['hex', 'base64'] as const;

export interface HmacConfig {
  scheme: 'hmac';
  secret: string;
  /** The header that carries the signature, as the sender spells it. */
  header: string;
  algorithm: (typeof ALGORITHMS)[number];
  encoding: (typeof ENCODINGS)[number];
  /** Text before the signature in the header, e.g. "sha256=". */
  prefix?: string;
}

/** A generic HMAC of the body, for senders that follow no named scheme: header, algorithm, encoding and prefix are configured. */
export const hmac = defineScheme<HmacConfig>({
  name: 'hmac',
  label: 'HMAC',
  settings: {
    header: { type: 'string', description: 'the header that carries the signature' },
    algorithm: { type: 'string', enum: ALGORITHMS, description: 'the HMAC hash function' },
    encoding: { type: 'string', enum: ENCODINGS, description: 'how the signature is written' },
    prefix: { type: 'string', description: 'text before the signature, e.g. "sha256="' },
  },
  // The header is whatever the key's configuration names: see configuredHeaders.
  headers: [],
  configuredHeaders: (config) => [config.header.toLowerCase()],
  deliveryId: null,
  configProblem(config) {
    if (!/^[A-Za-z0-9-]{1,100}$/.test(config.header ?? '')) return 'header: the name of the signature header is required';
    if (!ALGORITHMS.includes(config.algorithm)) return 'algorithm: sha256 or sha512';
    if (!ENCODINGS.includes(config.encoding)) return 'encoding: hex or base64';
    if (config.prefix !== undefined && typeof config.prefix !== 'string') return 'prefix: a text';
    return null;
  },
  verify(config, { headers, rawBody }) {
    const given = headerValue(headers, config.header.toLowerCase());
    if (!given) return `the ${config.header} header is required`;
    const expected = (config.prefix ?? '') + digest(config.algorithm, Buffer.from(config.secret), rawBody, config.encoding);
    return same(given, expected) ? null : 'the signature does not match';
  },
});
