import { describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import {
  configuredSignatureHeaders,
  deliveryIdOf,
  describeSignatureSchemes,
  SCHEME_DEFINITIONS,
  SIGNATURE_HEADERS,
  SIGNATURE_SCHEMES,
  SIGNATURE_SETTINGS,
  signatureConfigProblem,
  signatureProblem,
  type SignatureConfig,
} from './index.js';

describe('the signature scheme registry', () => {
  it('lists each scheme once, each with a file and a test of its own', () => {
    expect(new Set(SIGNATURE_SCHEMES).size).toBe(SCHEME_DEFINITIONS.length);
    for (const name of SIGNATURE_SCHEMES) {
      expect(existsSync(new URL(`./${name}.ts`, import.meta.url))).toBe(true);
      expect(existsSync(new URL(`./${name}.spec.ts`, import.meta.url))).toBe(true);
    }
  });

  it("hides every scheme's signature headers, in lower case", () => {
    for (const definition of SCHEME_DEFINITIONS) {
      for (const header of definition.headers) {
        expect(header).toBe(header.toLowerCase());
        expect(SIGNATURE_HEADERS.has(header)).toBe(true);
      }
    }
    expect(configuredSignatureHeaders(null)).toEqual([]);
    expect(configuredSignatureHeaders({ scheme: 'github', secret: 'github-secret' })).toEqual([]);
  });

  it('merges settings that schemes share, naming the schemes', () => {
    expect(SIGNATURE_SETTINGS.find((setting) => setting.name === 'toleranceSeconds')).toMatchObject({
      type: 'integer',
      schemes: ['standard-webhooks', 'stripe'],
    });
    expect(SIGNATURE_SETTINGS.find((setting) => setting.name === 'algorithm')).toMatchObject({ enum: ['sha256', 'sha512'], schemes: ['hmac'] });
  });

  it('checks the scheme and secret of every configuration, then the scheme its own', () => {
    expect(signatureConfigProblem({ scheme: 'github', secret: 'long enough' })).toBeNull();
    expect(signatureConfigProblem({ scheme: 'paypal', secret: 'long enough' } as unknown as SignatureConfig)).toBe(
      `scheme: "paypal" is not one of ${SIGNATURE_SCHEMES.join(', ')}`,
    );
    expect(signatureConfigProblem({ scheme: 'github', secret: 'short' })).toBe('secret: must be 8 to 500 characters');
    expect(signatureConfigProblem({ scheme: 'hmac', secret: 'long enough' } as SignatureConfig)).toBe('header: the name of the signature header is required');
  });

  it('answers a problem, never a verdict, for a stored scheme it does not know', () => {
    expect(signatureProblem({ scheme: 'retired', secret: 'x' } as unknown as SignatureConfig, {}, Buffer.from(''))).toMatch(/is not one of/);
  });

  describe('delivery ids', () => {
    it('reads the delivery headers of every scheme and Idempotency-Key, for keys without a signature too', () => {
      for (const header of ['webhook-id', 'x-github-delivery', 'x-shopify-webhook-id', 'idempotency-key']) {
        expect(deliveryIdOf(null, { [header]: 'd-1' }, {})).toBe('d-1');
      }
      expect(deliveryIdOf(null, {}, { id: 'evt_1' })).toBeUndefined();
    });

    it("prefers the key's own scheme's id", () => {
      const headers = { 'webhook-id': 'standard', 'x-github-delivery': 'github' };
      expect(deliveryIdOf({ scheme: 'github', secret: 'github-secret' }, headers, {})).toBe('github');
      expect(deliveryIdOf({ scheme: 'stripe', secret: 'stripe-secret' }, headers, { id: 'evt_1' })).toBe('evt_1');
    });

    it('refuses a delivery header over 200 characters, naming it', () => {
      expect(() => deliveryIdOf(null, { 'idempotency-key': 'k'.repeat(201) }, {})).toThrow('The idempotency-key header is longer than 200 characters');
      expect(deliveryIdOf(null, { 'idempotency-key': 'k'.repeat(200) }, {})).toBe('k'.repeat(200));
    });
  });

  it('describes each scheme for a list of schemes', () => {
    expect(describeSignatureSchemes().find((scheme) => scheme.name === 'stripe')).toEqual({
      name: 'stripe',
      label: 'Stripe',
      settings: [expect.objectContaining({ name: 'toleranceSeconds', type: 'integer' })],
      signatureHeaders: ['stripe-signature'],
      deliveryId: 'body field id',
    });
  });
});
