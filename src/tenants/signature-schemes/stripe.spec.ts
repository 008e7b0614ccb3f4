import { describe, expect, it } from '@jest/globals';
import { createHmac } from 'node:crypto';
import { deliveryIdOf } from './index.js';
import { stripe, type StripeConfig } from './stripe.js';

const config: StripeConfig = { scheme: 'stripe', secret: 'whsec_stripe_test_secret' };
const body = Buffer.from('{"id":"evt_1","type":"checkout.session.completed"}');
const now = Date.UTC(2026, 0, 15, 12, 0, 0);

/** The Stripe-Signature header as Stripe makes it. */
function header(at: number, secret = config.secret, payload = body): string {
  const timestamp = Math.floor(at / 1000);
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${payload.toString()}`).digest('hex')}`;
}

describe('Stripe', () => {
  it('accepts a correctly signed request', () => {
    expect(stripe.verify(config, { headers: { 'stripe-signature': header(now) }, rawBody: body }, now)).toBeNull();
  });

  it('refuses a signature made with another secret', () => {
    expect(stripe.verify(config, { headers: { 'stripe-signature': header(now, 'whsec_other') }, rawBody: body }, now)).toBe('no signature matches');
  });

  it('refuses a stale timestamp', () => {
    const headers = { 'stripe-signature': header(now - 3600_000) };
    expect(stripe.verify(config, { headers, rawBody: body }, now)).toBe('the signature timestamp is more than 300 s away from now');
  });

  it('requires t= and v1=', () => {
    expect(stripe.verify(config, { headers: { 'stripe-signature': 't=1' }, rawBody: body }, now)).toBe(
      'the Stripe-Signature header with t= and v1= is required',
    );
    expect(stripe.verify(config, { headers: {}, rawBody: body }, now)).toBe('the Stripe-Signature header with t= and v1= is required');
  });

  it("takes its delivery id from the event's id in the body, else from a delivery header", () => {
    expect(deliveryIdOf(config, {}, { id: 'evt_1' })).toBe('evt_1');
    expect(deliveryIdOf(config, {}, { id: 'e'.repeat(300) })).toBe('e'.repeat(200));
    expect(deliveryIdOf(config, { 'idempotency-key': 'k1' }, { id: 42 })).toBe('k1');
  });
});
