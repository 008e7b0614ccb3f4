import { useState } from 'preact/hooks';
import { del, get, put, tenantApi } from '../api.js';
import { ErrorNote, formatTime, Loading, useAction, useLoad } from '../components.jsx';

/** The tenant's secrets for processes: set or replaced here, never shown again. */
export function Secrets({ tenant, can }) {
  const path = tenantApi(tenant.id);
  const state = useLoad(() => get(path('/secrets')), [tenant.id]);
  const writable = can('secrets:write');
  const action = useAction();
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const [saved, setSaved] = useState(null);

  const save = async (event) => {
    event.preventDefault();
    const result = await action.perform(() => put(path(`/secrets/${encodeURIComponent(name)}`), { value }));
    if (result) {
      setSaved(result.name);
      setName('');
      setValue('');
      await state.reload();
    }
  };
  const remove = async (secret) => {
    if (!window.confirm(`Delete the secret “${secret.name}”? Processes that use it will fail at that step.`)) return;
    const done = await action.perform(() => del(path(`/secrets/${encodeURIComponent(secret.name)}`)).then(() => true));
    if (done) await state.reload();
  };

  return (
    <section aria-labelledby="secrets-title">
      <h1 id="secrets-title">Secrets</h1>
      <p class="muted">
        Values processes send to other systems (client secrets, tokens). A process refers to one by name, as{' '}
        <code>{'{"secret": "crm"}'}</code>; the value is stored encrypted and never shown again.
      </p>
      {writable && (
        <form class="panel inline-form" onSubmit={save} aria-label="Set a secret">
          <label>
            Name
            <input value={name} required maxLength={64} pattern="[A-Za-z0-9][A-Za-z0-9_.\-]*" placeholder="crm" onInput={(event) => setName(event.currentTarget.value)} />
          </label>
          <label>
            Value
            <input type="password" autocomplete="off" value={value} required maxLength={8192} onInput={(event) => setValue(event.currentTarget.value)} />
          </label>
          <button type="submit" disabled={action.busy}>
            Save secret
          </button>
        </form>
      )}
      {saved && (
        <p class="ok-note" role="status">
          Secret “{saved}” saved.
        </p>
      )}
      <ErrorNote error={action.error} />
      <Loading state={state}>
        {(secrets) =>
          secrets.length === 0 ? (
            <p class="muted">No secrets yet.</p>
          ) : (
            <table class="secrets">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Created</th>
                  <th scope="col">Last changed</th>
                  {writable && (
                    <th scope="col">
                      <span class="visually-hidden">Actions</span>
                    </th>
                  )}
                </tr>
              </thead>
              <tbody>
                {secrets.map((secret) => (
                  <tr data-secret={secret.name}>
                    <td>
                      <code>{secret.name}</code>
                    </td>
                    <td>{formatTime(secret.createdAt)}</td>
                    <td>{formatTime(secret.updatedAt)}</td>
                    {writable && (
                      <td>
                        <button type="button" class="danger" onClick={() => remove(secret)} aria-label={`Delete secret ${secret.name}`}>
                          Delete
                        </button>
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Loading>
    </section>
  );
}
