import { useState } from 'preact/hooks';
import { get, post, tenantApi } from '../api.js';
import { ColumnsTable, ErrorNote, Loading, useAction, useLoad } from '../components.jsx';

export function Catalogue({ tenant, can }) {
  const path = tenantApi(tenant.id);
  // The column types come from the service, which alone knows which it converts.
  const state = useLoad(() => Promise.all([get(path('/entities')), get('/api/column-types')]), [tenant.id]);
  const writable = can('catalogue:write');
  return (
    <section aria-labelledby="catalogue-title">
      <h1 id="catalogue-title">Catalogue</h1>
      <p class="muted">Objects and their columns. Webhooks can write the objects of the Webhook entities lookup.</p>
      <Loading state={state}>
        {([objects, types]) => (
          <>
            {writable && <AddObject tenant={tenant} done={state.reload} />}
            {objects.map((object) => (
              <details class="object" data-object={object.name}>
                <summary>
                  <strong>{object.caption}</strong> <code>{object.name}</code> — {object.columns.length} columns
                  {object.inWebhookLookup && <span class="badge">in the Webhook entities lookup</span>}
                </summary>
                <ColumnsTable columns={object.columns} />
                {writable && <AddColumn tenant={tenant} object={object} objects={objects} types={types} done={state.reload} />}
              </details>
            ))}
          </>
        )}
      </Loading>
    </section>
  );
}

function AddObject({ tenant, done }) {
  const [name, setName] = useState('');
  const [caption, setCaption] = useState('');
  const action = useAction();
  const submit = async (event) => {
    event.preventDefault();
    const created = await action.perform(() => post(tenantApi(tenant.id)('/entities'), { name, caption: caption || undefined, fields: [] }));
    if (created) {
      setName('');
      setCaption('');
      await done();
    }
  };
  return (
    <form class="panel inline-form" onSubmit={submit} aria-label="Add an object">
      <label>
        New object code
        <input value={name} required pattern="[A-Za-z][A-Za-z0-9_]{0,63}" onInput={(event) => setName(event.currentTarget.value)} />
      </label>
      <label>
        Caption
        <input value={caption} onInput={(event) => setCaption(event.currentTarget.value)} />
      </label>
      <button type="submit" disabled={action.busy}>
        Add object
      </button>
      <ErrorNote error={action.error} />
    </form>
  );
}

function AddColumn({ tenant, object, objects, types, done }) {
  const empty = { name: '', caption: '', type: types[0]?.name ?? '', required: false, lookup: '' };
  const [column, setColumn] = useState(empty);
  const selected = types.find((type) => type.name === column.type);
  const action = useAction();
  const set = (name) => (event) =>
    setColumn({ ...column, [name]: event.currentTarget.type === 'checkbox' ? event.currentTarget.checked : event.currentTarget.value });
  const submit = async (event) => {
    event.preventDefault();
    const body = { name: column.name, type: column.type, required: column.required };
    if (column.caption) body.caption = column.caption;
    if (selected?.takesLookup && column.lookup) body.lookup = column.lookup;
    const saved = await action.perform(() => post(tenantApi(tenant.id)(`/entities/${encodeURIComponent(object.name)}/fields`), body));
    if (saved) {
      setColumn(empty);
      await done();
    }
  };
  return (
    <form class="inline-form" onSubmit={submit} aria-label={`Add a column to ${object.name}`}>
      <label>
        Column code
        <input value={column.name} required onInput={set('name')} />
      </label>
      <label>
        Caption
        <input value={column.caption} onInput={set('caption')} />
      </label>
      <label>
        Type
        <select value={column.type} onChange={set('type')} aria-describedby={`type-of-${object.name}`}>
          {types.map((type) => (
            <option value={type.name}>
              {type.label} ({type.name})
            </option>
          ))}
        </select>
      </label>
      <span class="muted" id={`type-of-${object.name}`} data-type-description>
        {selected?.description}
      </span>
      {selected?.takesLookup && (
        <label>
          Lookup of
          <select value={column.lookup} onChange={set('lookup')}>
            <option value="">(not a lookup)</option>
            {objects.map((candidate) => (
              <option value={candidate.name}>{candidate.name}</option>
            ))}
          </select>
        </label>
      )}
      <label class="inline">
        <input type="checkbox" checked={column.required} onChange={set('required')} />
        Required
      </label>
      <button type="submit" disabled={action.busy}>
        Add column
      </button>
      <ErrorNote error={action.error} />
    </form>
  );
}
