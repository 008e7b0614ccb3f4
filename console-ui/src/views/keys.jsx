import { useState } from 'preact/hooks';
import { api, del, get, post, tenantApi } from '../api.js';
import { copyText, ErrorNote, formatTime, Loading, RevokedBadge, RotateRevoke, useAction, useLoad } from '../components.jsx';

/** The tenant's keys and what changes them; a created or rotated key is kept in `secret` to be shown once. */
function useKeys(tenantId) {
  const path = tenantApi(tenantId);
  const state = useLoad(() => get(path('/api-keys')), [tenantId]);
  const action = useAction();
  const [name, setName] = useState('');
  const [secret, setSecret] = useState(null);

  const create = async (event) => {
    event.preventDefault();
    const created = await action.perform(() => post(path('/api-keys'), { name }));
    if (created) {
      setSecret({ ...created, what: `New key “${created.name}”` });
      setName('');
      await state.reload();
    }
  };
  const rotate = async (key) => {
    const rotated = await action.perform(() => post(path(`/api-keys/${key.id}/rotate`)));
    if (rotated) {
      setSecret({ ...rotated, name: key.name, what: `Key “${key.name}” rotated` });
      await state.reload();
    }
  };
  // Empty: the tenant's limit again (null).
  const setLimit = async (key, raw) => {
    const rateLimitPerMinute = raw.trim() === '' ? null : Number(raw);
    const done = await action.perform(() => api('PATCH', path(`/api-keys/${key.id}`), { rateLimitPerMinute }).then(() => true));
    if (done) await state.reload();
  };
  const revoke = async (key) => {
    if (!window.confirm(`Revoke “${key.name}”? Webhooks sent with it will be refused at once.`)) return;
    const done = await action.perform(() => del(path(`/api-keys/${key.id}`)).then(() => true));
    if (done) await state.reload();
  };

  return { state, action, name, setName, secret, setSecret, create, rotate, setLimit, revoke };
}

export function Keys({ tenant, can }) {
  const keys = useKeys(tenant.id);
  const writable = can('keys:write');
  return (
    <section aria-labelledby="keys-title">
      <h1 id="keys-title">API keys</h1>
      <p class="muted">One key per webhook source. A key is shown once, when it is created or rotated; only its hash is stored.</p>
      {writable && <CreateKey name={keys.name} setName={keys.setName} busy={keys.action.busy} create={keys.create} />}
      {keys.secret && <ShownOnce secret={keys.secret} close={() => keys.setSecret(null)} />}
      <ErrorNote error={keys.action.error} />
      <Loading state={keys.state}>{(list) => <KeysTable list={list} writable={writable} keys={keys} />}</Loading>
    </section>
  );
}

function CreateKey({ name, setName, busy, create }) {
  return (
    <form class="panel inline-form" onSubmit={create} aria-label="Create a key">
      <label>
        Name of the source
        <input value={name} required maxLength={200} placeholder="Landing page" onInput={(event) => setName(event.currentTarget.value)} />
      </label>
      <button type="submit" disabled={busy}>
        Create key
      </button>
    </form>
  );
}

/** One row per key; a role that cannot change keys sees the limits as text and no actions column. */
function KeysTable({ list, writable, keys }) {
  const busy = keys.action.busy;
  return (
    <table class="keys">
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Starts with</th>
          <th scope="col">Created</th>
          <th scope="col">Last used</th>
          <th scope="col">State</th>
          <th scope="col">Webhooks a minute</th>
          {writable && (
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          )}
        </tr>
      </thead>
      <tbody>
        {list.map((key) => (
          <tr data-key={key.id}>
            <td>{key.name}</td>
            <td>
              <code>{key.prefix}…</code>
            </td>
            <td>{formatTime(key.createdAt)}</td>
            <td>{key.lastUsedAt ? formatTime(key.lastUsedAt) : 'never'}</td>
            <td>
              <RevokedBadge revokedAt={key.revokedAt} />
              {key.previousKeyValidUntil && !key.revokedAt && <div class="muted">old key works until {formatTime(key.previousKeyValidUntil)}</div>}
            </td>
            <td>
              {writable && !key.revokedAt ? (
                <RateLimit keyView={key} busy={busy} save={(raw) => keys.setLimit(key, raw)} />
              ) : (
                (key.rateLimitPerMinute ?? "tenant's limit")
              )}
            </td>
            {writable && (
              <td>{!key.revokedAt && <RotateRevoke name={key.name} busy={busy} rotate={() => keys.rotate(key)} revoke={() => keys.revoke(key)} />}</td>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The key's own limit; empty means its tenant's (or the service's RATE_LIMIT_PER_MINUTE). */
function RateLimit({ keyView, busy, save }) {
  const [value, setValue] = useState(keyView.rateLimitPerMinute === null ? '' : String(keyView.rateLimitPerMinute));
  return (
    <form
      class="inline-form"
      aria-label={`Rate limit of ${keyView.name}`}
      onSubmit={(event) => {
        event.preventDefault();
        save(value);
      }}
    >
      <input
        type="number"
        min="1"
        step="1"
        value={value}
        placeholder="tenant's limit"
        aria-label={`Webhooks a minute for ${keyView.name}`}
        onInput={(event) => setValue(event.currentTarget.value)}
      />
      <button type="submit" class="secondary" disabled={busy}>
        Save<span class="visually-hidden"> the limit of {keyView.name}</span>
      </button>
    </form>
  );
}

function ShownOnce({ secret, close }) {
  const [copied, setCopied] = useState('');
  const copy = async (what, text) => setCopied((await copyText(text)) ? `${what} copied.` : 'Copy it by hand: the clipboard is not available.');
  return (
    <div class="panel shown-once" role="region" aria-label="The new key">
      <h2>{secret.what}</h2>
      <p>Copy it now: it is not shown again.</p>
      <label>
        API key
        <input readOnly value={secret.apiKey} class="code" data-testid="api-key" onFocus={(event) => event.currentTarget.select()} />
      </label>
      <label>
        Webhook URL
        <input readOnly value={secret.webhookUrl} class="code" data-testid="webhook-url" onFocus={(event) => event.currentTarget.select()} />
      </label>
      <div class="actions">
        <button type="button" onClick={() => copy('The webhook URL', secret.webhookUrl)}>
          Copy webhook URL
        </button>
        <button type="button" class="secondary" onClick={() => copy('The key', secret.apiKey)}>
          Copy key
        </button>
        <button type="button" class="secondary" onClick={close}>
          Done
        </button>
        <span role="status">{copied}</span>
      </div>
    </div>
  );
}
