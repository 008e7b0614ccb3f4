import { useState } from 'preact/hooks';
import { get, post, tenantApi } from '../api.js';
import { ErrorNote, Loading, Switch, useAction, useLoad } from '../components.jsx';
import { Link, navigate } from '../router.jsx';

const SOURCE_WORDS = { base: 'base', override: 'override', custom: 'custom' };

export function ProcessList({ tenant, can }) {
  const path = tenantApi(tenant.id);
  const state = useLoad(() => get(path('/processes')), [tenant.id]);
  const action = useAction();
  const writable = can('processes:write');
  const [creating, setCreating] = useState(false);

  const toggle = (process, active) =>
    action.perform(async () => {
      await post(path(`/processes/${encodeURIComponent(process.id)}/${active ? 'activate' : 'deactivate'}`));
      await state.reload();
    });

  return (
    <section aria-labelledby="processes-title">
      <div class="title-row">
        <h1 id="processes-title">Processes</h1>
        {writable && (
          <button type="button" onClick={() => setCreating(!creating)} aria-expanded={creating ? 'true' : 'false'}>
            New custom process
          </button>
        )}
      </div>
      <p class="muted">
        What runs for {tenant.name}'s webhooks. Base processes ship with Hookflow; an override changes one for this tenant; custom processes are the tenant's
        own.
      </p>
      {creating && <NewProcess tenant={tenant} />}
      <ErrorNote error={action.error} />
      <Loading state={state}>
        {(processes) => (
          <table class="processes">
            <thead>
              <tr>
                <th scope="col">Process</th>
                <th scope="col">Source</th>
                <th scope="col">Version</th>
                <th scope="col">Active</th>
              </tr>
            </thead>
            <tbody>
              {processes.map((process) => (
                <tr data-process={process.id}>
                  <td>
                    <Link href={`/t/${tenant.id}/processes/${encodeURIComponent(process.id)}`}>{process.name}</Link>
                    <div class="muted">
                      <code>{process.id}</code>
                    </div>
                  </td>
                  <td>
                    <span class={`badge source-${process.source}`}>{SOURCE_WORDS[process.source]}</span>
                  </td>
                  <td>v{process.version}</td>
                  <td>
                    <Switch
                      checked={process.active}
                      label={`${process.name} active`}
                      disabled={!writable || action.busy}
                      title={writable ? undefined : 'Your role cannot switch processes'}
                      onChange={(active) => toggle(process, active)}
                    />
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

/** A process id as definitions take it (process-schema.ts): lower-case words joined by "-". */
const PROCESS_ID = /^[a-z0-9][a-z0-9-]{0,99}$/;

/**
 * The definition of a new custom process: a webhook trigger (with a key chosen, only that key's
 * webhooks) and one `stop` step — a definition has at least one step; the Designer then inserts
 * the real ones on the flow before it.
 */
export function newProcessDefinition(id, name, keyName) {
  return {
    id,
    name,
    version: 1,
    activeByDefault: false,
    trigger: keyName ? { type: 'webhook', apiKeys: [keyName] } : { type: 'webhook' },
    steps: [{ id: 'done', type: 'stop', description: 'Done', input: { reason: 'nothing more to do' } }],
  };
}

/** "New custom process": an id, a name and optionally the API key whose webhooks start it; it opens in the Designer. */
function NewProcess({ tenant }) {
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const [keyName, setKeyName] = useState('');
  const keys = useLoad(() => get(tenantApi(tenant.id)('/api-keys')).catch(() => []), [tenant.id]);
  const action = useAction();
  const idProblem = id && !PROCESS_ID.test(id) ? 'lower-case letters, digits and "-", at most 100' : null;
  const create = async (event) => {
    event.preventDefault();
    const created = await action.perform(() => post(tenantApi(tenant.id)('/processes'), { definition: newProcessDefinition(id, name.trim(), keyName) }));
    if (created) navigate(`/t/${tenant.id}/processes/${encodeURIComponent(created.id)}?tab=designer`);
  };
  return (
    <form class="panel new-process" onSubmit={create} aria-label="New custom process">
      <label for="new-process-id">Process id</label>
      <input id="new-process-id" value={id} required aria-invalid={idProblem ? 'true' : undefined} onInput={(e) => setId(e.currentTarget.value.trim())} />
      {idProblem && <p class="field-problem">{idProblem}</p>}
      <label for="new-process-name">Name</label>
      <input id="new-process-name" value={name} required onInput={(e) => setName(e.currentTarget.value)} />
      <label for="new-process-key">Started by webhooks of</label>
      <select id="new-process-key" value={keyName} onChange={(e) => setKeyName(e.currentTarget.value)}>
        <option value="">any API key of the tenant</option>
        {(keys.data ?? [])
          .filter((key) => !key.revokedAt)
          .map((key) => (
            <option value={key.name}>the key {key.name}</option>
          ))}
      </select>
      <p class="muted">It starts with no step of its own (one "stop", which ends the run) and is off until you switch it on; it opens in the Designer.</p>
      <ErrorNote error={action.error} />
      <button type="submit" disabled={action.busy || !id || !name.trim() || Boolean(idProblem)}>
        Create
      </button>
    </form>
  );
}
