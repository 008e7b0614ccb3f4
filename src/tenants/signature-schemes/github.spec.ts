import { describe, expect, it } from '@jest/globals';
import { createHmac } from 'node:crypto';
import { github, type GitHubConfig } from './github.js';
import { deliveryIdOf } from './index.js';

const config: GitHubConfig = { scheme: 'github', secret: 'github-webhook-secret' };
const body = Buffer.from('{ "action" : "opened" }');
const signature = (secret: string, payload: Buffer) => `sha256=${createHmac('sha256', secret).update(payload).digest('hex')}`;

describe('GitHub', () => {
  it('accepts a correctly signed request, over the bytes as sent', () => {
    expect(github.verify(config, { headers: { 'x-hub-signature-256': signature(config.secret, body) }, rawBody: body }, 0)).toBeNull();
  });

  it('refuses a wrong signature, and a missing one', () => {
    const headers = { 'x-hub-signature-256': signature('another-secret', body) };
    expect(github.verify(config, { headers, rawBody: body }, 0)).toBe('the signature does not match');
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(body.toString())));
    expect(github.verify(config, { headers: { 'x-hub-signature-256': signature(config.secret, body) }, rawBody: reserialised }, 0)).toBe(
      'the signature does not match',
    );
    expect(github.verify(config, { headers: {}, rawBody: body }, 0)).toBe('the X-Hub-Signature-256 header is required');
  });

  it('takes its delivery id from X-GitHub-Delivery', () => {
    expect(deliveryIdOf(config, { 'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958' }, {})).toBe('72d3162e-cc78-11e3-81ab-4c9367dc0958');
  });

  it('hides both of its signature headers from the log', () => {
    expect(github.headers).toEqual(['x-hub-signature-256', 'x-hub-signature']);
  });
});
