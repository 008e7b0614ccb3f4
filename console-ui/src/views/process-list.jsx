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

const TEMPLATE = {
  id: 'my-process',
  name: 'My process',
  version: 1,
  trigger: { type: 'webhook', condition: '$exists(email)' },
  steps: [
    {
      id: 'contact',
      type: 'create-record',
      description: 'Create a Contact from the form',
      input: { object: 'Contact', values: { Name: '$trim(name)', Email: '$lowercase($trim(email))' } },
    },
  ],
};

function NewProcess({ tenant }) {
  const [text, setText] = useState(JSON.stringify(TEMPLATE, null, 2));
  const action = useAction();
  const create = async (event) => {
    event.preventDefault();
    const created = await action.perform(async () => {
      let definition;
      try {
        definition = JSON.parse(text);
      } catch (error) {
        throw new Error(`Not JSON: ${error.message}`, { cause: error });
      }
      return post(tenantApi(tenant.id)('/processes'), { definition });
    });
    if (created) navigate(`/t/${tenant.id}/processes/${encodeURIComponent(created.id)}`);
  };
  return (
    <form class="panel" onSubmit={create}>
      <label>
        Definition of the new process (JSON)
        <textarea rows={12} class="code" spellcheck={false} value={text} onInput={(e) => setText(e.currentTarget.value)} />
      </label>
      <ErrorNote error={action.error} />
      <button type="submit" disabled={action.busy}>
        Create
      </button>
    </form>
  );
}
