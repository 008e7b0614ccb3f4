/**
 * What may be shown of another system's URLs and answers in traces, reasons and logs, which
 * viewers read: no user info, no query values, no secret-looking fields.
 */
const SECRET_FIELD = /token|secret|password|passwd|authorization|api[-_]?key|credential|session|cookie|signature|private[-_]?key/i;
// "refresh_token": "…", refresh_token=…, in text that is not parsed JSON.
const SECRET_IN_TEXT =
  /("?[\w-]*(?:token|secret|password|passwd|api[-_]?key|credential|session|signature)[\w-]*"?\s*[:=]\s*)("(?:[^"\\]|\\.)*"|[^\s&,;"'}]+)/gi;
const MAX_DEPTH = 20;

/** The URL without user info and with each query value replaced, e.g. https://crm.example.com/leads?api_key=… */
export function urlForDisplay(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return raw
      .replace(/\/\/[^/@]*@/, '//')
      .replace(/\?.*$/, '?…')
      .slice(0, 200);
  }
  url.username = '';
  url.password = '';
  const names = [...url.searchParams.keys()];
  const query = names.length > 0 ? `?${names.map((name) => `${encodeURIComponent(name)}=…`).join('&')}` : '';
  url.search = '';
  url.hash = '';
  return `${url.toString()}${query}`;
}

/** A copy of a body with the values of secret-looking fields replaced by "[redacted]". */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.replace(SECRET_IN_TEXT, '$1[redacted]');
  if (depth > MAX_DEPTH || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => redactSecrets(item, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, SECRET_FIELD.test(key) ? '[redacted]' : redactSecrets(item, depth + 1)]));
}
