import { useState } from 'preact/hooks';
import { get, post, tenantApi } from '../api.js';
import { ErrorNote, formatTime, Loading, short, StatusBadge, useAction, useLoad } from '../components.jsx';
import { Link } from '../router.jsx';

export function WebhookLog({ tenant, can }) {
  const path = tenantApi(tenant.id);
  const initial = new URLSearchParams(location.search);
  const [filter, setFilter] = useState({ status: initial.get('status') ?? '', apiKeyId: '', from: '', to: '' });
  const [extra, setExtra] = useState({ items: [], cursor: null });
  const [selected, setSelected] = useState([]);
  const [note, setNote] = useState(null);
  const [bulk, setBulk] = useState(null);
  const keys = useLoad(() => get(path('/api-keys')), [tenant.id]);
  const query = () => {
    const params = new URLSearchParams({ limit: '50' });
    if (filter.status) params.set('status', filter.status);
    if (filter.apiKeyId) params.set('apiKeyId', filter.apiKeyId);
    if (filter.from) params.set('from', new Date(filter.from).toISOString());
    if (filter.to) params.set('to', new Date(filter.to).toISOString());
    return params;
  };
  const page = useLoad(() => {
    setExtra({ items: [], cursor: null });
    return get(path(`/webhooks?${query()}`));
  }, [tenant.id, filter.status, filter.apiKeyId, filter.from, filter.to]);
  const action = useAction();
  const writable = can('webhooks:write');
  const keyName = (id) => keys.data?.find((key) => key.id === id)?.name ?? id.slice(0, 8);

  const loadMore = (cursor) =>
    action.perform(async () => {
      const params = query();
      params.set('cursor', cursor);
      const next = await get(path(`/webhooks?${params}`));
      setExtra({ items: [...extra.items, ...next.items], cursor: next.nextCursor });
    });

  const replay = () =>
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
      await page.reload();
    });

  // Every webhook the filter matches, not only the page shown: the server replays them in the background.
  const replayAll = () =>
    action.perform(async () => {
      const body = { status: filter.status };
      if (filter.apiKeyId) body.apiKeyId = filter.apiKeyId;
      if (filter.from) body.from = new Date(filter.from).toISOString();
      if (filter.to) body.to = new Date(filter.to).toISOString();
      let replay = await post(path('/webhooks/replay'), body);
      setBulk(replay);
      while (replay.status === 'running') {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        replay = await get(path(`/replays/${replay.id}`));
        setBulk(replay);
      }
      await page.reload();
    });

  const field = (name) => ({
    value: filter[name],
    onChange: (event) => setFilter({ ...filter, [name]: event.currentTarget.value }),
  });

  return (
    <section aria-labelledby="log-title">
      <div class="title-row">
        <h1 id="log-title">Webhook log</h1>
        <button type="button" class="secondary" onClick={page.reload}>
          Refresh
        </button>
      </div>
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
            {(keys.data ?? []).map((key) => (
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
      {writable && (
        <div class="actions">
          <button type="button" disabled={selected.length === 0 || action.busy} onClick={replay}>
            Replay {selected.length || ''} selected
          </button>
          {(filter.status === 'received' || filter.status === 'failed') && (
            <button type="button" class="secondary" disabled={action.busy} onClick={replayAll}>
              Replay all that match
            </button>
          )}
        </div>
      )}
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
      <ErrorNote error={action.error} />
      <Loading state={page}>
        {(first) => {
          const items = [...first.items, ...extra.items];
          const cursor = extra.items.length > 0 ? extra.cursor : first.nextCursor;
          return items.length === 0 ? (
            <p class="muted">No webhooks match.</p>
          ) : (
            <>
              <table class="log">
                <thead>
                  <tr>
                    {writable && (
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
                      {writable && (
                        <td>
                          <input
                            type="checkbox"
                            aria-label={`Select the webhook of ${formatTime(webhook.receivedAt)}`}
                            checked={selected.includes(webhook.id)}
                            onChange={() =>
                              setSelected(selected.includes(webhook.id) ? selected.filter((id) => id !== webhook.id) : [...selected, webhook.id])
                            }
                          />
                        </td>
                      )}
                      <td>
                        <Link href={`/t/${tenant.id}/webhooks/${webhook.id}`}>{formatTime(webhook.receivedAt)}</Link>
                      </td>
                      <td>
                        <StatusBadge status={webhook.status} />
                        {webhook.nextAttemptAt && <div class="muted">next attempt {formatTime(webhook.nextAttemptAt)}</div>}
                      </td>
                      <td>{keyName(webhook.apiKeyId)}</td>
                      <td>{webhook.reason ? short(webhook.reason, 140) : webhook.recordIds.length > 0 ? `${webhook.recordIds.length} record(s) written` : ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
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
