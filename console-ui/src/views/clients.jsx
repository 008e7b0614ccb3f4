import { useState } from 'preact/hooks';
import { get, post } from '../api.js';
import { ErrorNote, formatTime, Loading, RevokedBadge, RotateRevoke, useAction, useLoad } from '../components.jsx';

/** The admin API's OAuth clients, for platform admins: rotate a secret (shown once) or revoke a client. */
export function Clients() {
  const state = useLoad(() => get('/api/clients'), []);
  const action = useAction();
  const [rotated, setRotated] = useState(null);

  const rotate = async (client) => {
    if (!window.confirm(`Rotate the secret of “${client.clientId}”? The old secret and its tokens stop working within seconds.`)) return;
    const result = await action.perform(() => post(`/api/clients/${encodeURIComponent(client.clientId)}/rotate`));
    if (result) {
      setRotated(result);
      await state.reload();
    }
  };
  const revoke = async (client) => {
    if (!window.confirm(`Revoke “${client.clientId}”? It gets no more tokens, and its tokens stop working within seconds.`)) return;
    const done = await action.perform(() => post(`/api/clients/${encodeURIComponent(client.clientId)}/revoke`));
    if (done) await state.reload();
  };

  return (
    <section aria-labelledby="clients-title">
      <h1 id="clients-title">OAuth clients</h1>
      <p class="muted">Clients of the admin API on every tenant. A secret is shown once, when it is rotated; only its hash is stored.</p>
      {rotated && (
        <div class="panel shown-once" role="region" aria-label="The new secret">
          <h2>Secret of “{rotated.clientId}” rotated</h2>
          <p>Copy it now: it is not shown again.</p>
          <label>
            Client secret
            <input readOnly value={rotated.clientSecret} class="code" onFocus={(event) => event.currentTarget.select()} />
          </label>
          <div class="actions">
            <button type="button" class="secondary" onClick={() => setRotated(null)}>
              Done
            </button>
          </div>
        </div>
      )}
      <ErrorNote error={action.error} />
      <Loading state={state}>
        {(clients) => (
          <table class="clients">
            <thead>
              <tr>
                <th scope="col">Client id</th>
                <th scope="col">Kind</th>
                <th scope="col">Scopes</th>
                <th scope="col">Created</th>
                <th scope="col">State</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {clients.map((client) => (
                <tr data-client={client.clientId}>
                  <td>
                    <code>{client.clientId}</code>
                  </td>
                  <td>{client.kind === 'tenant' ? `tenant ${client.tenantId}` : 'platform'}</td>
                  <td>{client.scopes.join(' ')}</td>
                  <td>{formatTime(client.createdAt)}</td>
                  <td>
                    <RevokedBadge revokedAt={client.revokedAt} />
                  </td>
                  <td>
                    {!client.revokedAt && (
                      <RotateRevoke name={client.clientId} busy={action.busy} rotate={() => rotate(client)} revoke={() => revoke(client)} />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Loading>
    </section>
  );
}
