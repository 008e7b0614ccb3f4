import { useState } from 'preact/hooks';
import { ApiError, get, instancesApi, post, tenantApi } from '../api.js';
import { ErrorNote, formatTime, JsonBlock, Loading, PlannedRecords, StatusBadge, Trace, useAction, useLoad, Waits } from '../components.jsx';
import { Link } from '../router.jsx';
import { PathDiagram } from './path-diagram.jsx';

/** Replays the webhook, then waits for the worker's outcome before showing it. */
function useReplay(tenantId, webhookId, reload) {
  const path = tenantApi(tenantId);
  const action = useAction();
  const [force, setForce] = useState(false);
  const [note, setNote] = useState(null);
  const replay = () =>
    action.perform(async () => {
      const { runIds } = await post(path(`/webhooks/${webhookId}/replay`), { force });
      setNote(`Replayed: ${runIds.length} run(s) queued.`);
      // The worker finishes within moments; show its outcome.
      for (let i = 0; i < 40; i++) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        const fresh = await get(path(`/webhooks/${webhookId}`));
        if (fresh.status !== 'queued') break;
      }
      await reload();
    });
  return { action, force, setForce, note, replay };
}

export function WebhookDetail({ tenant, can, webhookId }) {
  const state = useLoad(() => get(tenantApi(tenant.id)(`/webhooks/${webhookId}`)), [tenant.id, webhookId]);
  const replay = useReplay(tenant.id, webhookId, state.reload);

  return (
    <Loading state={state}>
      {(webhook) => (
        <section aria-labelledby="webhook-title">
          <WebhookSummary webhook={webhook} tenantId={tenant.id} />
          {can('webhooks:write') && <ReplayActions webhook={webhook} replay={replay} />}
          {webhook.records.length === 0 && webhook.status !== 'queued' && (
            <p class="map-offer">
              No process wrote a record of it. <Link href={`/t/${tenant.id}/webhooks/${webhook.id}/map`}>Map this webhook</Link>: a process proposed from its
              parameters.
            </p>
          )}
          <ErrorNote error={replay.action.error} />
          <h2>Records created</h2>
          <PlannedRecords records={webhook.records.map(createdRecord)} empty="No record." />
          <h2>Runs</h2>
          <Runs runs={webhook.runs} tenantId={tenant.id} canRetry={can('webhooks:write')} reload={state.reload} />
          {webhook.resumedIds?.length > 0 && <ResumedInstances ids={webhook.resumedIds} tenantId={tenant.id} />}
          <PayloadAndHeaders webhook={webhook} />
        </section>
      )}
    </Loading>
  );
}

/** A record the webhook created, without the CreatedOn and ModifiedOn that every record carries. */
export function createdRecord({ Id, CreatedOn: _createdOn, ModifiedOn: _modifiedOn, object, ...values }) {
  return { action: 'created', object: object ?? '', recordId: Id, values };
}

function WebhookSummary({ webhook, tenantId }) {
  return (
    <>
      <p class="crumbs">
        <Link href={`/t/${tenantId}/webhooks`}>Webhook log</Link> / <code>{webhook.id}</code>
      </p>
      <div class="title-row">
        <h1 id="webhook-title">Webhook of {formatTime(webhook.receivedAt)}</h1>
        <StatusBadge status={webhook.status} />
      </div>
      {webhook.reason && (
        <p class="reason" data-testid="reason">
          <strong>Why: </strong>
          {webhook.reason}
        </p>
      )}
      {webhook.nextAttemptAt && (
        <p class="muted" data-testid="next-attempt">
          An attempt failed; the next attempt is at {formatTime(webhook.nextAttemptAt)}.
        </p>
      )}
      <dl class="facts">
        <dt>API key</dt>
        <dd>{webhook.apiKeyName}</dd>
        <dt>Content type</dt>
        <dd>{webhook.contentType}</dd>
        <dt>Id</dt>
        <dd>
          <code>{webhook.id}</code>
        </dd>
      </dl>
    </>
  );
}

/** Force only for a processed webhook: the server runs one again only when forced, writing new records. */
function ReplayActions({ webhook, replay }) {
  const { action, force, setForce, note } = replay;
  return (
    <div class="actions">
      <button type="button" onClick={replay.replay} disabled={action.busy || webhook.status === 'queued'}>
        Replay
      </button>
      {webhook.status === 'processed' && (
        <label class="inline">
          <input type="checkbox" checked={force} onChange={(event) => setForce(event.currentTarget.checked)} />
          write its records anew (force)
        </label>
      )}
      {note && (
        <span class="ok-note" role="status">
          {note}
        </span>
      )}
    </div>
  );
}

/** The instances the webhook started; each opens as an instance, with its timeline, cancel and retry, and shows its path on the diagram. */
function Runs({ runs, tenantId, canRetry, reload }) {
  if (runs.length === 0) return <p class="muted">No process ran.</p>;
  return (
    <>
      {runs.map((run) => (
        <Run key={run.id} run={run} tenantId={tenantId} canRetry={canRetry} reload={reload} />
      ))}
    </>
  );
}

function Run({ run, tenantId, canRetry, reload }) {
  const [diagram, setDiagram] = useState(false);
  const action = useAction();
  const retry = () =>
    action.perform(async () => {
      const instances = instancesApi(tenantId);
      await instances.retry(run.id);
      // The worker runs it again within moments; show its outcome.
      for (let i = 0; i < 40 && (await instances.get(run.id)).status === 'running'; i++) await new Promise((resolve) => setTimeout(resolve, 250));
      await reload();
    });
  return (
    <article class="run" data-instance={run.id}>
      <h3>
        <Link href={`/t/${tenantId}/instances/${run.id}`}>
          {run.processId} v{run.processVersion}
        </Link>{' '}
        <StatusBadge status={run.status} />
      </h3>
      {run.reason && <p class="problem">{run.reason}</p>}
      {run.status === 'waiting' && <Waits waits={run.waits} />}
      <Trace trace={run.trace} label={`Steps of ${run.processId}`} />
      <button type="button" class="secondary" aria-expanded={diagram ? 'true' : 'false'} onClick={() => setDiagram(!diagram)}>
        {diagram ? 'Hide the path' : 'Show the path on the diagram'}
      </button>
      <ErrorNote error={action.error} />
      {diagram && <PathDiagram tenantId={tenantId} instance={run} retry={canRetry && run.status === 'failed' ? { busy: action.busy, run: retry } : null} />}
    </article>
  );
}

/** The waiting instances this webhook resumed (wait-for-webhook), each read for its process and status. */
function ResumedInstances({ ids, tenantId }) {
  const state = useLoad(() => {
    const instances = instancesApi(tenantId);
    // An instance removed since (retention) is listed by its id only.
    return Promise.all(
      ids.map((id) => instances.get(id).catch((error) => (error instanceof ApiError && error.status === 404 ? { id } : Promise.reject(error)))),
    );
  }, [tenantId, ids.join(',')]);
  return (
    <>
      <h2>Instances it resumed</h2>
      <Loading state={state}>
        {(instances) => (
          <ul class="resumed">
            {instances.map((instance) => (
              <li data-instance={instance.id}>
                <Link href={`/t/${tenantId}/instances/${instance.id}`}>
                  {instance.processId ? `${instance.processId} v${instance.processVersion}` : <code>{instance.id}</code>}
                </Link>{' '}
                {instance.status && <StatusBadge status={instance.status} />}
              </li>
            ))}
          </ul>
        )}
      </Loading>
    </>
  );
}

function PayloadAndHeaders({ webhook }) {
  return (
    <div class="two-columns">
      <div>
        <h2>Payload</h2>
        <JsonBlock value={webhook.payload} label="Payload" />
      </div>
      <div>
        <h2>Headers</h2>
        <table>
          <tbody>
            {Object.entries(webhook.headers ?? {}).map(([name, value]) => (
              <tr>
                <th scope="row">{name}</th>
                <td>{value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
