import { describe, expect, it } from '@jest/globals';
import { createHmac } from 'node:crypto';
import { deliveryIdOf } from './index.js';
import { shopify, type ShopifyConfig } from './shopify.js';

const config: ShopifyConfig = { scheme: 'shopify', secret: 'shopify-app-secret' };
const body = Buffer.from('{"id":820982911946154500,"email":"jon@example.com"}');
const signature = (secret: string) => createHmac('sha256', secret).update(body).digest('base64');

describe('Shopify', () => {
  it('accepts a correctly signed request', () => {
    expect(shopify.verify(config, { headers: { 'x-shopify-hmac-sha256': signature(config.secret) }, rawBody: body }, 0)).toBeNull();
  });

  it('refuses a wrong signature, and a missing one', () => {
    expect(shopify.verify(config, { headers: { 'x-shopify-hmac-sha256': signature('another-secret') }, rawBody: body }, 0)).toBe(
      'the signature does not match',
    );
    expect(shopify.verify(config, { headers: {}, rawBody: body }, 0)).toBe('the X-Shopify-Hmac-Sha256 header is required');
  });

  it('takes its delivery id from X-Shopify-Webhook-Id', () => {
    expect(deliveryIdOf(config, { 'x-shopify-webhook-id': 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043' }, {})).toBe('b54557e4-bdd9-4b37-8a5f-bf7d70bcd043');
  });
});
