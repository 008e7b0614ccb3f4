import { defineScheme, headerValue, hmac, same } from './scheme.js';

export interface GitHubConfig {
  scheme: 'github';
  secret: string;
}

/**
 * GitHub: X-Hub-Signature-256 is "sha256=<hex HMAC-SHA256 of the body>". The older SHA-1
 * X-Hub-Signature is not checked, but hidden from the log like the other.
 */
export const github = defineScheme<GitHubConfig>({
  name: 'github',
  label: 'GitHub',
  settings: {},
  headers: ['x-hub-signature-256', 'x-hub-signature'],
  deliveryId: { header: 'x-github-delivery' },
  configProblem: () => null,
  verify(config, { headers, rawBody }) {
    const given = headerValue(headers, 'x-hub-signature-256');
    if (!given) return 'the X-Hub-Signature-256 header is required';
    return same(given, `sha256=${hmac('sha256', Buffer.from(config.secret), rawBody, 'hex')}`) ? null : 'the signature does not match';
  },
});
