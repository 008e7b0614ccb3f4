import { useState } from 'preact/hooks';
import { get, post, tenantApi } from '../api.js';
import { ErrorNote, formatTime, Loading, short, StatusBadge, useAction, useLoad } from '../components.jsx';
import { Link } from '../router.jsx';

const NO_MORE_PAGES = { items: [], cursor: null };

/** The filter as the API takes it: the datetime inputs are local time, the API wants ISO instants. */
function filterFields(filter) {
  const fields = {};
  if (filter.apiKeyId) fields.apiKeyId = filter.apiKeyId;
  if (filter.from) fields.from = new Date(filter.from).toISOString();
  if (filter.to) fields.to = new Date(filter.to).toISOString();
  return fields;
}

function pageQuery(filter) {
  const params = new URLSearchParams({ limit: '50' });
  if (filter.status) params.set('status', filter.status);
  for (const [name, value] of Object.entries(filterFields(filter))) params.set(name, value);
  return params;
}

/** The first page of the log for the filter, and the pages "Load more" added below it. */
function useWebhookPages(tenantId, filter, action) {
  const path = tenantApi(tenantId);
  const [extra, setExtra] = useState(NO_MORE_PAGES);
  const page = useLoad(() => {
    setExtra(NO_MORE_PAGES);
    return get(path(`/webhooks?${pageQuery(filter)}`));
  }, [tenantId, filter.status, filter.apiKeyId, filter.from, filter.to]);
  const loadMore = (cursor) =>
    action.perform(async () => {
      const params = pageQuery(filter);
      params.set('cursor', cursor);
      const next = await get(path(`/webhooks?${params}`));
      setExtra((shown) => ({ items: [...shown.items, ...next.items], cursor: next.nextCursor }));
    });
  return { page, extra, loadMore };
}

/** Replays of the selected webhooks (one request each) and of every webhook the filter matches. */
function useReplays(tenantId, filter, action, reload) {
  const path = tenantApi(tenantId);
  const [selected, setSelected] = useState([]);
  const [note, setNote] = useState(null);
  const [bulk, setBulk] = useState(null);

  const toggle = (id) => setSelected(selected.includes(id) ? selected.filter((other) => other !== id) : [...selected, id]);

  const replaySelected = () =>
    action.perform(async () => {
      let queued = 0;
      const refused = [];
      for (const id of selected) {
        try {
          await post(path(`/webhooks/${id}/replay`), {});
          queued++;
        } catch (error) {
          refused.push(`${id.slice(0, 8)}: ${error.message}`);
        }
      }
      setNote(`Replayed ${queued} of ${selected.length}.${refused.length ? ` Refused — ${refused.join('; ')}` : ''}`);
      setSelected([]);
      await reload();
    });

  // Every webhook the filter matches, not only the page shown: the server replays them in the background.
  const replayAll = () =>
    action.perform(async () => {
      let replay = await post(path('/webhooks/replay'), { status: filter.status, ...filterFields(filter) });
      setBulk(replay);
      while (replay.status === 'running') {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        replay = await get(path(`/replays/${replay.id}`));
        setBulk(replay);
      }
      await reload();
    });

  return { selected, toggle, note, bulk, replaySelected, replayAll };
}

export function WebhookLog({ tenant, can }) {
  const initial = new URLSearchParams(location.search);
  const [filter, setFilter] = useState({ status: initial.get('status') ?? '', apiKeyId: '', from: '', to: '' });
  const keys = useLoad(() => get(tenantApi(tenant.id)('/api-keys')), [tenant.id]);
  const action = useAction();
  const { page, extra, loadMore } = useWebhookPages(tenant.id, filter, action);
  const replays = useReplays(tenant.id, filter, action, page.reload);
  const writable = can('webhooks:write');
  const keyName = (id) => keys.data?.find((key) => key.id === id)?.name ?? id.slice(0, 8);

  return (
    <section aria-labelledby="log-title">
      <div class="title-row">
        <h1 id="log-title">Webhook log</h1>
        <button type="button" class="secondary" onClick={page.reload}>
          Refresh
        </button>
      </div>
      <LogFilters filter={filter} setFilter={setFilter} keys={keys.data ?? []} />
      {writable && <ReplayActions replays={replays} status={filter.status} busy={action.busy} />}
      <ReplayOutcome bulk={replays.bulk} note={replays.note} />
      <ErrorNote error={action.error} />
      <Loading state={page}>
        {(first) => {
          const items = [...first.items, ...extra.items];
          const cursor = extra.items.length > 0 ? extra.cursor : first.nextCursor;
          if (items.length === 0) return <p class="muted">No webhooks match.</p>;
          return (
            <>
              <LogTable items={items} tenantId={tenant.id} keyName={keyName} selection={writable ? replays : null} />
              {cursor && (
                <button type="button" class="secondary" disabled={action.busy} onClick={() => loadMore(cursor)}>
                  Load more
                </button>
              )}
            </>
          );
        }}
      </Loading>
    </section>
  );
}

function LogFilters({ filter, setFilter, keys }) {
  const field = (name) => ({
    value: filter[name],
    onChange: (event) => setFilter({ ...filter, [name]: event.currentTarget.value }),
  });
  return (
    <form class="filters" onSubmit={(event) => event.preventDefault()} aria-label="Filter the log">
      <label>
        Status
        <select {...field('status')}>
          <option value="">any</option>
          <option value="processed">processed</option>
          <option value="received">kept without record</option>
          <option value="failed">failed</option>
          <option value="queued">queued</option>
        </select>
      </label>
      <label>
        API key
        <select {...field('apiKeyId')}>
          <option value="">any</option>
          {keys.map((key) => (
            <option value={key.id}>{key.name}</option>
          ))}
        </select>
      </label>
      <label>
        From
        <input type="datetime-local" {...field('from')} />
      </label>
      <label>
        To
        <input type="datetime-local" {...field('to')} />
      </label>
    </form>
  );
}

/** "Replay all" only for the two statuses the bulk replay takes: kept without record, failed. */
function ReplayActions({ replays, status, busy }) {
  const { selected, replaySelected, replayAll } = replays;
  return (
    <div class="actions">
      <button type="button" disabled={selected.length === 0 || busy} onClick={replaySelected}>
        Replay {selected.length || ''} selected
      </button>
      {(status === 'received' || status === 'failed') && (
        <button type="button" class="secondary" disabled={busy} onClick={replayAll}>
          Replay all that match
        </button>
      )}
    </div>
  );
}

function ReplayOutcome({ bulk, note }) {
  return (
    <>
      {bulk && (
        <p class={bulk.status === 'completed' ? 'ok-note' : 'muted'} role="status" data-testid="bulk-replay">
          {bulk.status === 'completed' ? 'Bulk replay finished' : 'Bulk replay running'}: {bulk.done} of {bulk.total} replayed
          {bulk.failed > 0 && `, ${bulk.failed} could not be (last: ${bulk.lastError})`}.
        </p>
      )}
      {note && (
        <p class="ok-note" role="status">
          {note}
        </p>
      )}
    </>
  );
}

/** The log's rows; `selection` (null for a role that cannot replay) adds a checkbox column. */
function LogTable({ items, tenantId, keyName, selection }) {
  return (
    <table class="log">
      <thead>
        <tr>
          {selection && (
            <th scope="col">
              <span class="visually-hidden">Select</span>
            </th>
          )}
          <th scope="col">Received</th>
          <th scope="col">Status</th>
          <th scope="col">API key</th>
          <th scope="col">What became of it</th>
        </tr>
      </thead>
      <tbody>
        {items.map((webhook) => (
          <tr data-webhook={webhook.id}>
            {selection && (
              <td>
                <input
                  type="checkbox"
                  aria-label={`Select the webhook of ${formatTime(webhook.receivedAt)}`}
                  checked={selection.selected.includes(webhook.id)}
                  onChange={() => selection.toggle(webhook.id)}
                />
              </td>
            )}
            <td>
              <Link href={`/t/${tenantId}/webhooks/${webhook.id}`}>{formatTime(webhook.receivedAt)}</Link>
            </td>
            <td>
              <StatusBadge status={webhook.status} />
              {webhook.nextAttemptAt && <div class="muted">next attempt {formatTime(webhook.nextAttemptAt)}</div>}
            </td>
            <td>{keyName(webhook.apiKeyId)}</td>
            <td>{outcome(webhook)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function outcome(webhook) {
  if (webhook.reason) return short(webhook.reason, 140);
  return webhook.recordIds.length > 0 ? `${webhook.recordIds.length} record(s) written` : '';
}
