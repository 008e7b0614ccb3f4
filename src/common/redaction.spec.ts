import { describe, expect, it } from '@jest/globals';
import { redactSecrets, urlForDisplay } from './redaction.js';

describe('urlForDisplay', () => {
  it.each([
    ['https://user:pass@crm.example.com/leads', 'https://crm.example.com/leads'],
    ['https://crm.example.com/leads?api_key=k-123&source=web', 'https://crm.example.com/leads?api_key=…&source=…'],
    ['http://admin@10.0.0.1:8080/x#frag', 'http://10.0.0.1:8080/x'],
    ['https://crm.example.com/leads', 'https://crm.example.com/leads'],
    ['not a url ?token=abc', 'not a url ?…'],
  ])('%s → %s', (raw, shown) => {
    expect(urlForDisplay(raw)).toBe(shown);
  });
});

describe('redactSecrets', () => {
  it('replaces secret-looking fields at any depth and keeps the rest', () => {
    const body = { error: 'invalid_grant', refresh_token: 'r-1', nested: [{ access_token: 'a-1', id: 7 }], Password: 'p' };
    expect(redactSecrets(body)).toEqual({
      error: 'invalid_grant',
      refresh_token: '[redacted]',
      nested: [{ access_token: '[redacted]', id: 7 }],
      Password: '[redacted]',
    });
  });

  it('redacts key-value pairs inside text bodies', () => {
    expect(redactSecrets('error: bad request; refresh_token=r-123&x=1')).toBe('error: bad request; refresh_token=[redacted]&x=1');
    expect(redactSecrets('{"refresh_token": "r-1", "id": 2}')).toBe('{"refresh_token": [redacted], "id": 2}');
    expect(redactSecrets('plain words')).toBe('plain words');
  });
});
