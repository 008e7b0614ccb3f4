/**
 * The console talks to the admin API only, with the session cookie (HttpOnly, set at sign-in)
 * and the session's CSRF token in X-CSRF-Token on every request that changes something.
 */
let csrfToken = null;
let onSignedOut = () => {};

export function setCsrfToken(token) {
  csrfToken = token;
}

export function whenSignedOut(callback) {
  onSignedOut = callback;
}

/** An answer other than 2xx: its status, and the error body's code and details when it has them. */
export class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.code = body?.code;
    this.details = body?.details;
  }
}

/** A request to the admin API; a body of another content type than JSON is sent as the text it is. */
export async function api(method, path, body, contentType = 'application/json') {
  const headers = {};
  if (body !== undefined) headers['content-type'] = contentType;
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined || contentType !== 'application/json' ? body : JSON.stringify(body),
    credentials: 'same-origin',
  });
  const text = await response.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = text;
    }
  }
  if (!response.ok) {
    if (response.status === 401 && path !== '/api/session') onSignedOut();
    const message = (data && data.message) || `${response.status} ${response.statusText}`;
    throw new ApiError(response.status, message, data && typeof data === 'object' ? data : null);
  }
  return data;
}

export const get = (path) => api('GET', path);
export const post = (path, body = {}) => api('POST', path, body);
export const put = (path, body) => api('PUT', path, body);
export const del = (path) => api('DELETE', path);

/** Paths of one tenant's part of the admin API. */
export function tenantApi(tenantId) {
  const base = `/api/tenants/${encodeURIComponent(tenantId)}`;
  return (path) => `${base}${path}`;
}

/** A tenant's process instances: the list (newest first, filtered), one with its timeline, cancel, retry. */
export function instancesApi(tenantId) {
  const path = tenantApi(tenantId);
  const one = (id) => path(`/instances/${encodeURIComponent(id)}`);
  return {
    list(filter, limit) {
      const params = new URLSearchParams({ limit: String(limit) });
      for (const [name, value] of Object.entries(filter)) if (value) params.set(name, value);
      return get(path(`/instances?${params}`));
    },
    get: (id) => get(one(id)),
    cancel: (id) => post(`${one(id)}/cancel`),
    retry: (id) => post(`${one(id)}/retry`),
    /** The BPMN document of the version the instance ran, and each element's outcome on it. */
    diagram: (id) => get(`${one(id)}/diagram`),
  };
}

/** A tenant's user tasks (wait-for-approval): the inbox (newest first, filtered), one task, and the decisions on it. */
export function tasksApi(tenantId) {
  const path = tenantApi(tenantId);
  const one = (id) => path(`/tasks/${encodeURIComponent(id)}`);
  const decide = (id, verb, comment) => post(`${one(id)}/${verb}`, comment ? { comment } : {});
  return {
    list(filter, limit) {
      const params = new URLSearchParams({ limit: String(limit) });
      for (const [name, value] of Object.entries(filter)) if (value) params.set(name, value);
      return get(path(`/tasks?${params}`));
    },
    get: (id) => get(one(id)),
    approve: (id, comment) => decide(id, 'approve', comment),
    reject: (id, comment) => decide(id, 'reject', comment),
  };
}

/** A process as a BPMN 2.0 document: the one that runs (XML text), and a drawn one saved as the tenant's (answers the process). */
export function processBpmnApi(tenantId, processId) {
  const path = tenantApi(tenantId)(`/processes/${encodeURIComponent(processId)}/bpmn`);
  return {
    get: () => api('GET', path),
    save: (xml) => api('PUT', path, xml, 'application/xml'),
  };
}

/** The registered step types: type, description, the JSON Schema of the input (what forms are made from), nested step lists. */
export const stepTypes = () => get('/api/step-types');

/** Per diagram element, a process's instances started since `from` (until now) waiting there, failed there and gone through it. */
export function elementCountsApi(tenantId, processId) {
  const path = tenantApi(tenantId)(`/processes/${encodeURIComponent(processId)}/element-counts`);
  return (from) => get(`${path}?${new URLSearchParams({ from })}`);
}
