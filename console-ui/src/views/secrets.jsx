import { useState } from 'preact/hooks';
import { del, get, put, tenantApi } from '../api.js';
import { ErrorNote, formatTime, Loading, useAction, useLoad } from '../components.jsx';

/** The tenant's secret names, and setting or deleting one; `saved` names the secret saved last. */
function useSecrets(tenantId) {
  const path = tenantApi(tenantId);
  const state = useLoad(() => get(path('/secrets')), [tenantId]);
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

  return { state, action, form: { name, setName, value, setValue }, saved, save, remove };
}

/** The tenant's secrets for processes: set or replaced here, never shown again. */
export function Secrets({ tenant, can }) {
  const secrets = useSecrets(tenant.id);
  const writable = can('secrets:write');
  return (
    <section aria-labelledby="secrets-title">
      <h1 id="secrets-title">Secrets</h1>
      <p class="muted">
        Values processes send to other systems (client secrets, tokens). A process refers to one by name, as <code>{'{"secret": "crm"}'}</code>; the value is
        stored encrypted and never shown again.
      </p>
      {writable && <SetSecret form={secrets.form} busy={secrets.action.busy} save={secrets.save} />}
      {secrets.saved && (
        <p class="ok-note" role="status">
          Secret “{secrets.saved}” saved.
        </p>
      )}
      <ErrorNote error={secrets.action.error} />
      <Loading state={secrets.state}>
        {(list) => (list.length === 0 ? <p class="muted">No secrets yet.</p> : <SecretsTable list={list} writable={writable} remove={secrets.remove} />)}
      </Loading>
    </section>
  );
}

function SetSecret({ form, busy, save }) {
  return (
    <form class="panel inline-form" onSubmit={save} aria-label="Set a secret">
      <label>
        Name
        <input
          value={form.name}
          required
          maxLength={64}
          pattern="[A-Za-z0-9][A-Za-z0-9_.\-]*"
          placeholder="crm"
          onInput={(event) => form.setName(event.currentTarget.value)}
        />
      </label>
      <label>
        Value
        <input type="password" autocomplete="off" value={form.value} required maxLength={8192} onInput={(event) => form.setValue(event.currentTarget.value)} />
      </label>
      <button type="submit" disabled={busy}>
        Save secret
      </button>
    </form>
  );
}

function SecretsTable({ list, writable, remove }) {
  return (
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
        {list.map((secret) => (
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
  );
}
