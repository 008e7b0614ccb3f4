import { AppError, ErrorCode } from '../../common/app-error.js';
import { github } from './github.js';
import { hmac } from './hmac.js';
import type { RequestHeaders, SchemeConfig, SchemeDefinition, SchemeSetting } from './scheme.js';
import { shopify } from './shopify.js';
import { standardWebhooks } from './standard-webhooks.js';
import { stripe } from './stripe.js';

export type { DeliveryIdSource, RequestHeaders, SchemeDefinition, SchemeSetting, SignedRequest } from './scheme.js';

/**
 * Every signature scheme, in the order the admin API and the CLI list them. A new scheme is one
 * file in this folder, with its test, and one line here.
 */
export const SCHEME_DEFINITIONS = [standardWebhooks, stripe, github, shopify, hmac] as const;

type ConfigOf<D> = D extends SchemeDefinition<infer C> ? C : never;

/** How a webhook source signs its requests; configured per API key. */
export type SignatureConfig = ConfigOf<(typeof SCHEME_DEFINITIONS)[number]>;
export type SignatureScheme = SignatureConfig['scheme'];

export const SIGNATURE_SCHEMES: readonly SignatureScheme[] = SCHEME_DEFINITIONS.map((definition) => definition.name);

const BY_NAME = new Map<string, SchemeDefinition>();
for (const definition of SCHEME_DEFINITIONS) {
  // A second scheme of one name would silently shadow the first: refuse to start instead.
  if (BY_NAME.has(definition.name)) throw new Error(`Two signature schemes are named "${definition.name}"`);
  BY_NAME.set(definition.name, definition);
}

/** A setting of one or more schemes' configurations, with the schemes that take it. */
export interface SignatureSetting extends SchemeSetting {
  name: string;
  schemes: SignatureScheme[];
}

/** Every setting any scheme takes besides scheme and secret: what the admin API's signature body may hold. */
export const SIGNATURE_SETTINGS: readonly SignatureSetting[] = mergeSettings();

function mergeSettings(): SignatureSetting[] {
  const merged = new Map<string, SignatureSetting>();
  for (const definition of SCHEME_DEFINITIONS) {
    for (const [name, setting] of Object.entries(definition.settings)) {
      if (name === 'scheme' || name === 'secret') throw new Error(`Signature scheme ${definition.name}: "${name}" is not a setting of its own`);
      const known = merged.get(name);
      if (!known) {
        merged.set(name, { ...setting, name, schemes: [definition.name] });
        continue;
      }
      // One property of the admin API's body: schemes that share a name must mean the same by it.
      const { name: _name, schemes: _schemes, ...shape } = known;
      if (JSON.stringify(shape) !== JSON.stringify({ ...setting })) {
        throw new Error(`Signature schemes ${known.schemes.join(', ')} and ${definition.name} define the setting "${name}" differently`);
      }
      known.schemes.push(definition.name);
    }
  }
  return [...merged.values()];
}

/** What is wrong with a key's signature configuration, as "<property>: <problem>"; null if nothing. */
export function signatureConfigProblem(config: SignatureConfig): string | null {
  const definition = typeof config.scheme === 'string' ? BY_NAME.get(config.scheme) : undefined;
  if (!definition) return `scheme: "${String(config.scheme)}" is not one of ${SIGNATURE_SCHEMES.join(', ')}`;
  const secret: unknown = config.secret;
  if (typeof secret !== 'string' || secret.length < 8 || secret.length > 500) return 'secret: must be 8 to 500 characters';
  return definition.configProblem(config as SchemeConfig);
}

/**
 * Checks a request's signature over the raw body bytes as received (never re-serialised JSON).
 * Answers null when valid, otherwise what is wrong — never anything about the secret.
 */
export function signatureProblem(config: SignatureConfig, headers: RequestHeaders, rawBody: Buffer, now = Date.now()): string | null {
  const definition = BY_NAME.get(config.scheme);
  // A key stored with a scheme this version no longer has: nothing can be verified.
  if (!definition) return `the scheme "${config.scheme}" is not one of ${SIGNATURE_SCHEMES.join(', ')}`;
  return definition.verify(config, { headers, rawBody }, now);
}

/** Every scheme's signature headers, hidden from the webhook log whether or not the key asks for that scheme. */
export const SIGNATURE_HEADERS: ReadonlySet<string> = new Set(SCHEME_DEFINITIONS.flatMap((definition) => definition.headers));

/** The headers a key's own configuration names for its signatures (generic HMAC), hidden as well. */
export function configuredSignatureHeaders(config: SignatureConfig | null): readonly string[] {
  if (!config) return [];
  return BY_NAME.get(config.scheme)?.configuredHeaders?.(config) ?? [];
}

const MAX_DELIVERY_ID = 200;

/** Delivery-id headers of every sender, whichever scheme a key uses, then the IETF draft's Idempotency-Key. */
const DELIVERY_ID_HEADERS = [
  ...new Set([...SCHEME_DEFINITIONS.flatMap(({ deliveryId }) => (deliveryId && 'header' in deliveryId ? [deliveryId.header] : [])), 'idempotency-key']),
];

/**
 * The sender's id of this delivery, which deduplicates repeats: the key's own scheme's first
 * (a field of the signed body, or its header), then any delivery-id header. A header longer than
 * 200 characters is refused (400).
 */
export function deliveryIdOf(config: SignatureConfig | null, headers: RequestHeaders, payload: Record<string, unknown>): string | undefined {
  const own = config ? BY_NAME.get(config.scheme)?.deliveryId : null;
  if (own && 'payloadField' in own && Object.hasOwn(payload, own.payloadField)) {
    const value = payload[own.payloadField];
    if (typeof value === 'string' && value !== '') return value.slice(0, MAX_DELIVERY_ID);
  }
  const names = own && 'header' in own ? [own.header, ...DELIVERY_ID_HEADERS] : DELIVERY_ID_HEADERS;
  for (const name of names) {
    const value = headers[name];
    if (typeof value !== 'string' || value === '') continue;
    if (value.length > MAX_DELIVERY_ID) throw new AppError(ErrorCode.InvalidBody, `The ${name} header is longer than ${MAX_DELIVERY_ID} characters`);
    return value;
  }
  return undefined;
}

/** A scheme as a list of schemes shows it (CLI, documentation): never anything of a key's configuration. */
export interface SignatureSchemeView {
  name: SignatureScheme;
  label: string;
  settings: Array<SchemeSetting & { name: string }>;
  signatureHeaders: string[];
  /** "header webhook-id", "body field id", or null when the scheme has no delivery id. */
  deliveryId: string | null;
}

export function describeSignatureSchemes(): SignatureSchemeView[] {
  return SCHEME_DEFINITIONS.map((definition) => ({
    name: definition.name,
    label: definition.label,
    settings: Object.entries(definition.settings).map(([name, setting]) => ({ name, ...setting })),
    signatureHeaders: [...definition.headers],
    deliveryId: !definition.deliveryId
      ? null
      : 'header' in definition.deliveryId
        ? `header ${definition.deliveryId.header}`
        : `body field ${definition.deliveryId.payloadField}`,
  }));
}
