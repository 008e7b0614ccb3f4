import { describe, expect, it } from '@jest/globals';
import { createHmac } from 'node:crypto';
import { hmac, type HmacConfig } from './hmac.js';
import { configuredSignatureHeaders, deliveryIdOf } from './index.js';

const config: HmacConfig = { scheme: 'hmac', secret: 'generic-secret-1234', header: 'X-Signature', algorithm: 'sha512', encoding: 'base64', prefix: 'sha512=' };
const body = Buffer.from('EntityName=FormSubmit&Name=Form+signed');
const signature = (secret: string) => `sha512=${createHmac('sha512', secret).update(body).digest('base64')}`;

describe('generic HMAC', () => {
  it('accepts a request signed with the configured header, algorithm, encoding and prefix', () => {
    expect(hmac.verify(config, { headers: { 'x-signature': signature(config.secret) }, rawBody: body }, 0)).toBeNull();
    const hex: HmacConfig = { ...config, algorithm: 'sha256', encoding: 'hex', prefix: undefined };
    const hexSignature = createHmac('sha256', config.secret).update(body).digest('hex');
    expect(hmac.verify(hex, { headers: { 'x-signature': hexSignature }, rawBody: body }, 0)).toBeNull();
  });

  it('refuses a wrong signature, one without its prefix, and a missing one', () => {
    expect(hmac.verify(config, { headers: { 'x-signature': signature('another-secret') }, rawBody: body }, 0)).toBe('the signature does not match');
    expect(hmac.verify(config, { headers: { 'x-signature': signature(config.secret).slice('sha512='.length) }, rawBody: body }, 0)).toBe(
      'the signature does not match',
    );
    expect(hmac.verify(config, { headers: {}, rawBody: body }, 0)).toBe('the X-Signature header is required');
  });

  it('has no delivery id of its own', () => {
    expect(hmac.deliveryId).toBeNull();
    expect(deliveryIdOf(config, { 'idempotency-key': 'k1' }, { id: 'not-this' })).toBe('k1');
  });

  it('hides the header its configuration names', () => {
    expect(configuredSignatureHeaders(config)).toEqual(['x-signature']);
  });

  it('requires a header name, a known algorithm and encoding', () => {
    expect(hmac.configProblem(config)).toBeNull();
    expect(hmac.configProblem({ ...config, header: 'X Bad' })).toBe('header: the name of the signature header is required');
    expect(hmac.configProblem({ ...config, algorithm: 'md5' as never })).toBe('algorithm: sha256 or sha512');
    expect(hmac.configProblem({ ...config, encoding: 'base32' as never })).toBe('encoding: hex or base64');
  });
});
