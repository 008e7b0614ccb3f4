import { defineScheme, headerValue, hmac, same, staleness, TOLERANCE_SETTING, toleranceProblem } from './scheme.js';

export interface StripeConfig {
  scheme: 'stripe';
  /** The endpoint's signing secret ("whsec_…"), used as it is. */
  secret: string;
  toleranceSeconds?: number;
}

/**
 * Stripe: Stripe-Signature is "t=<timestamp>,v1=<hex HMAC-SHA256 of "<timestamp>.<body>">", with
 * several v1 entries while a secret is rolled.
 */
export const stripe = defineScheme<StripeConfig>({
  name: 'stripe',
  label: 'Stripe',
  settings: { toleranceSeconds: TOLERANCE_SETTING },
  headers: ['stripe-signature'],
  // Stripe names each event in the body ("id": "evt_…") and sends no delivery header.
  deliveryId: { payloadField: 'id' },
  configProblem: (config) => toleranceProblem(config.toleranceSeconds),
  verify(config, { headers, rawBody }, now) {
    const parts = (headerValue(headers, 'stripe-signature') ?? '').split(',').map((part) => part.split('='));
    const timestamp = parts.find(([name]) => name === 't')?.[1];
    const given = parts.filter(([name]) => name === 'v1').map(([, value]) => value ?? '');
    if (!timestamp || given.length === 0) return 'the Stripe-Signature header with t= and v1= is required';
    const stale = staleness(timestamp, config.toleranceSeconds, now);
    if (stale) return stale;
    const expected = hmac('sha256', Buffer.from(config.secret), Buffer.concat([Buffer.from(`${timestamp}.`), rawBody]), 'hex');
    return given.some((value) => same(value, expected)) ? null : 'no signature matches';
  },
});
