import { defineScheme, headerValue, hmac, same, staleness, TOLERANCE_SETTING, toleranceProblem } from './scheme.js';

export interface StandardWebhooksConfig {
  scheme: 'standard-webhooks';
  /** "whsec_" and the base64 of the key, as Standard Webhooks senders show it. */
  secret: string;
  toleranceSeconds?: number;
}

/**
 * Standard Webhooks (standardwebhooks.com): webhook-signature holds space-separated "v1,<base64>"
 * HMAC-SHA256s of "<webhook-id>.<webhook-timestamp>.<body>" — several while a secret is rotated.
 */
export const standardWebhooks = defineScheme<StandardWebhooksConfig>({
  name: 'standard-webhooks',
  label: 'Standard Webhooks',
  settings: { toleranceSeconds: TOLERANCE_SETTING },
  headers: ['webhook-signature'],
  deliveryId: { header: 'webhook-id' },
  configProblem(config) {
    if (!/^(whsec_)?[A-Za-z0-9+/]+=*$/.test(config.secret)) return 'secret: a Standard Webhooks secret is "whsec_" and base64';
    return toleranceProblem(config.toleranceSeconds);
  },
  verify(config, { headers, rawBody }, now) {
    const id = headerValue(headers, 'webhook-id');
    const timestamp = headerValue(headers, 'webhook-timestamp');
    const signatures = headerValue(headers, 'webhook-signature');
    if (!id || !timestamp || !signatures) return 'the webhook-id, webhook-timestamp and webhook-signature headers are required';
    const stale = staleness(timestamp, config.toleranceSeconds, now);
    if (stale) return stale;
    const key = Buffer.from(config.secret.replace(/^whsec_/, ''), 'base64');
    const expected = hmac('sha256', key, Buffer.concat([Buffer.from(`${id}.${timestamp}.`), rawBody]), 'base64');
    const given = signatures
      .split(' ')
      .map((entry) => entry.split(','))
      .filter(([version]) => version === 'v1')
      .map(([, value]) => value ?? '');
    return given.some((value) => same(value, expected)) ? null : 'no signature matches';
  },
});
