import { defineScheme, headerValue, hmac, same } from './scheme.js';

export interface ShopifyConfig {
  scheme: 'shopify';
  secret: string;
}

/** Shopify: X-Shopify-Hmac-Sha256 is the base64 HMAC-SHA256 of the body. */
export const shopify = defineScheme<ShopifyConfig>({
  name: 'shopify',
  label: 'Shopify',
  settings: {},
  headers: ['x-shopify-hmac-sha256'],
  deliveryId: { header: 'x-shopify-webhook-id' },
  configProblem: () => null,
  verify(config, { headers, rawBody }) {
    const given = headerValue(headers, 'x-shopify-hmac-sha256');
    if (!given) return 'the X-Shopify-Hmac-Sha256 header is required';
    return same(given, hmac('sha256', Buffer.from(config.secret), rawBody, 'base64')) ? null : 'the signature does not match';
  },
});
