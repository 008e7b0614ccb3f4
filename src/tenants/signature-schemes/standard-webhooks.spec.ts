import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { deliveryIdOf } from './index.js';
import { standardWebhooks, type StandardWebhooksConfig } from './standard-webhooks.js';

const secret = `whsec_${randomBytes(24).toString('base64')}`;
const config: StandardWebhooksConfig = { scheme: 'standard-webhooks', secret };
const body = Buffer.from('{"EntityName":"Lead","Contact":"Ada"}');
const now = Date.UTC(2026, 0, 15, 12, 0, 0);

function signed(id: string, at: number, signingSecret = secret) {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at / 1000)),
    'webhook-signature': new Webhook(signingSecret).sign(id, new Date(at), body),
  };
}

describe('Standard Webhooks', () => {
  it('accepts a request signed by the standardwebhooks package', () => {
    expect(standardWebhooks.verify(config, { headers: signed('msg_1', now), rawBody: body }, now)).toBeNull();
  });

  it('accepts any matching v1 signature of several (a secret being rotated)', () => {
    const headers = signed('msg_1', now);
    const other = signed('msg_1', now, `whsec_${randomBytes(24).toString('base64')}`)['webhook-signature'];
    headers['webhook-signature'] = `${other} ${headers['webhook-signature']}`;
    expect(standardWebhooks.verify(config, { headers, rawBody: body }, now)).toBeNull();
  });

  it('refuses a signature made with another secret, or over another body', () => {
    const wrong = signed('msg_1', now, `whsec_${randomBytes(24).toString('base64')}`);
    expect(standardWebhooks.verify(config, { headers: wrong, rawBody: body }, now)).toBe('no signature matches');
    expect(standardWebhooks.verify(config, { headers: signed('msg_1', now), rawBody: Buffer.from('{}') }, now)).toBe('no signature matches');
  });

  it('refuses a stale timestamp, within the configured tolerance', () => {
    const headers = signed('msg_1', now - 301_000);
    expect(standardWebhooks.verify(config, { headers, rawBody: body }, now)).toBe('the signature timestamp is more than 300 s away from now');
    expect(standardWebhooks.verify({ ...config, toleranceSeconds: 600 }, { headers, rawBody: body }, now)).toBeNull();
    expect(standardWebhooks.verify(config, { headers: { ...headers, 'webhook-timestamp': 'soon' }, rawBody: body }, now)).toBe(
      'the signature timestamp is not a number of seconds',
    );
  });

  it('requires its three headers', () => {
    expect(standardWebhooks.verify(config, { headers: { 'webhook-id': 'msg_1' }, rawBody: body }, now)).toBe(
      'the webhook-id, webhook-timestamp and webhook-signature headers are required',
    );
  });

  it('takes its delivery id from webhook-id', () => {
    expect(deliveryIdOf(config, signed('msg_7', now), {})).toBe('msg_7');
  });

  it('checks that the secret is "whsec_" and base64, and the tolerance', () => {
    expect(standardWebhooks.configProblem(config)).toBeNull();
    expect(standardWebhooks.configProblem({ ...config, secret: 'not base64 at all!' })).toBe('secret: a Standard Webhooks secret is "whsec_" and base64');
    expect(standardWebhooks.configProblem({ ...config, toleranceSeconds: 0 })).toMatch(/^toleranceSeconds: /);
  });
});
