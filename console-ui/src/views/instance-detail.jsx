import { useEffect, useRef, useState } from 'preact/hooks';
import { instancesApi, tasksApi } from '../api.js';
import { ErrorNote, formatTime, JsonBlock, Loading, short, StatusBadge, useAction, useLoad, Waits } from '../components.jsx';
import { Link } from '../router.jsx';
import { PathDiagram } from './path-diagram.jsx';
import { TaskStatus } from './task-list.jsx';

const CANCELLABLE = ['waiting', 'running', 'failed'];
const SHORT_OUTPUT = 160;

/** While the instance runs (just retried, or resumed), it is read again: often at first, then now and then. */
function useReloadWhileRunning(state) {
  const polls = useRef(0);
  useEffect(() => {
    if (state.data?.status !== 'running') {
      polls.current = 0;
      return undefined;
    }
    const timer = setTimeout(state.reload, polls.current++ < 20 ? 300 : 3000);
    return () => clearTimeout(timer);
  }, [state.data]);
}

/** Cancel and retry; after either the instance is read again, also when the server refused (409: it moved on). */
function useControl(tenantId, instanceId, reload) {
  const instances = instancesApi(tenantId);
  const action = useAction();
  const [note, setNote] = useState(null);
  const control = async (request, done) => {
    setNote(null);
    const answer = await action.perform(request);
    if (answer) setNote(done);
    await reload();
  };
  const cancel = () => {
    if (!window.confirm('Cancel this instance? It ends for good: nothing resumes it, and the records it wrote stay.')) return;
    return control(() => instances.cancel(instanceId), 'Cancelled.');
  };
  const retry = () => control(() => instances.retry(instanceId), 'Retried: it runs again from the step that failed.');
  return { action, note, cancel, retry };
}

export function InstanceDetail({ tenant, can, instanceId }) {
  const state = useLoad(() => instancesApi(tenant.id).get(instanceId), [tenant.id, instanceId]);
  useReloadWhileRunning(state);
  const control = useControl(tenant.id, instanceId, state.reload);

  return (
    <Loading state={state}>
      {(instance) => (
        <section aria-labelledby="instance-title">
          <InstanceSummary instance={instance} tenantId={tenant.id} reload={state.reload} canReadTasks={can('tasks:read')} />
          {can('webhooks:write') && <InstanceActions instance={instance} control={control} />}
          <ErrorNote error={control.action.error} />
          <h2>Path on the diagram</h2>
          <PathDiagram
            tenantId={tenant.id}
            instance={instance}
            retry={can('webhooks:write') && instance.status === 'failed' ? { busy: control.action.busy, run: control.retry } : null}
          />
          <h2 id="timeline-title">Timeline</h2>
          <Timeline trace={instance.trace} />
          <h2>Variables and step outputs</h2>
          <KeptState instance={instance} />
        </section>
      )}
    </Loading>
  );
}

/**
 * The user tasks of an instance that has a wait-for-approval step (none read otherwise), read again
 * when what it waits for changes: a wait links to its task, and the facts list every task.
 */
function useInstanceTasks(tenantId, instance, allowed) {
  const approves =
    (instance.waits ?? []).some((wait) => wait.kind === 'approval') || (instance.trace ?? []).some((entry) => entry.type === 'wait-for-approval');
  const waitsAt = (instance.waits ?? []).map((wait) => wait.step).join(',');
  const state = useLoad(
    () => (allowed && approves ? tasksApi(tenantId).list({ instanceId: instance.id }, 100) : Promise.resolve([])),
    [tenantId, instance.id, instance.status, waitsAt, allowed, approves],
  );
  return state.data ?? [];
}

/** After an approval wait: a link to its open task in the inbox, or to the inbox of the instance while its task is not read yet. */
function taskLink(tenantId, instanceId, tasks) {
  return (wait) => {
    if (wait.kind !== 'approval') return null;
    const task = tasks.find((candidate) => candidate.step === wait.step && candidate.status === 'open');
    const href = task ? `/t/${tenantId}/tasks/${task.id}` : `/t/${tenantId}/tasks?instanceId=${encodeURIComponent(instanceId)}`;
    return (
      <>
        {' — '}
        <Link href={href}>{task ? 'open the task' : 'see its tasks'}</Link>
      </>
    );
  };
}

function InstanceSummary({ instance, tenantId, reload, canReadTasks }) {
  const tasks = useInstanceTasks(tenantId, instance, canReadTasks);
  const webhook = (id) => (
    <Link href={`/t/${tenantId}/webhooks/${id}`}>
      webhook <code>{id}</code>
    </Link>
  );
  return (
    <>
      <p class="crumbs">
        <Link href={`/t/${tenantId}/instances`}>Instances</Link> / <code>{instance.id}</code>
      </p>
      <div class="title-row">
        <h1 id="instance-title">Instance of {instance.processId}</h1>
        <StatusBadge status={instance.status} />
        <button type="button" class="secondary" onClick={reload}>
          Refresh
        </button>
      </div>
      {instance.status === 'waiting' && (
        <div class="waiting-for" data-testid="waits">
          <strong>What it waits for</strong>
          <Waits waits={instance.waits} more={taskLink(tenantId, instance.id, tasks)} />
        </div>
      )}
      {instance.reason && (
        <p class="reason" data-testid="reason">
          <strong>Why: </strong>
          {instance.reason}
          {instance.errorCode && <span class="muted"> ({instance.errorCode})</span>}
        </p>
      )}
      <dl class="facts">
        <dt>Process</dt>
        <dd>
          <Link href={`/t/${tenantId}/processes/${encodeURIComponent(instance.processId)}`}>{instance.processId}</Link> v{instance.processVersion}{' '}
          {instance.processSource && <span class={`badge source-${instance.processSource}`}>{instance.processSource}</span>}
        </dd>
        <dt>Started</dt>
        <dd>{formatTime(instance.startedAt)}</dd>
        <dt>Finished</dt>
        <dd>{instance.finishedAt ? formatTime(instance.finishedAt) : 'not yet'}</dd>
        <dt>Started by</dt>
        <dd data-testid="started-by">
          <StartedBy instance={instance} tenantId={tenantId} webhook={webhook} />
        </dd>
        {instance.resumedBy && (
          <>
            <dt>Resumed by</dt>
            <dd>{webhook(instance.resumedBy)}</dd>
          </>
        )}
        <dt>Records written</dt>
        <dd>{instance.recordIds.length}</dd>
        {tasks.length > 0 && (
          <>
            <dt>Tasks</dt>
            <dd>
              <TaskLines tasks={tasks} tenantId={tenantId} />
            </dd>
          </>
        )}
      </dl>
    </>
  );
}

/** The instance's tasks, each with its status and who decided it. */
function TaskLines({ tasks, tenantId }) {
  return (
    <ul class="task-lines">
      {tasks.map((task) => (
        <li data-task={task.id}>
          <Link href={`/t/${tenantId}/tasks/${task.id}`}>{task.title}</Link> <TaskStatus status={task.status} />
          {task.decidedBy && <span class="muted"> by {task.decidedBy}</span>}
        </li>
      ))}
    </ul>
  );
}

/** Cancel a waiting, running or failed instance; retry a failed one. The server has the last word (409 when it moved on). */
function InstanceActions({ instance, control }) {
  const { action, note, cancel, retry } = control;
  const cancellable = CANCELLABLE.includes(instance.status);
  const retriable = instance.status === 'failed';
  if (!cancellable && !retriable && !note) return null;
  return (
    <div class="actions">
      {retriable && (
        <button type="button" disabled={action.busy} onClick={retry}>
          Retry from the failed step
        </button>
      )}
      {cancellable && (
        <button type="button" class="danger" disabled={action.busy} onClick={cancel}>
          Cancel<span class="visually-hidden"> the instance</span>
        </button>
      )}
      {note && (
        <span class="ok-note" role="status">
          {note}
        </span>
      )}
    </div>
  );
}

/** The trace as a timeline: one row per step that ran, a step waited at or retried showing once per time. */
function Timeline({ trace }) {
  if (!trace || trace.length === 0) return <p class="muted">No step ran.</p>;
  return (
    <table class="trace timeline" aria-labelledby="timeline-title">
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">Step</th>
          <th scope="col">Type</th>
          <th scope="col">Status</th>
          <th scope="col">Duration</th>
          <th scope="col">Output or error</th>
        </tr>
      </thead>
      <tbody>
        {trace.map((entry) => (
          <tr class={entry.status === 'failed' ? 'failed-row' : ''} data-step={entry.step}>
            <td>{entry.at ? formatTime(entry.at) : '—'}</td>
            <td>
              <code>{entry.step}</code>
            </td>
            <td>{entry.type}</td>
            <td>
              <StatusBadge status={entry.status} />
            </td>
            <td>{formatDuration(entry.durationMs)}</td>
            <td>
              <StepResult entry={entry} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function StepResult({ entry }) {
  if (entry.status === 'failed') return <span class="problem">{entry.error}</span>;
  if (entry.output === undefined) return <span class="muted">{entry.status === 'waiting' ? 'waited here' : '—'}</span>;
  const text = JSON.stringify(entry.output);
  if (text.length <= SHORT_OUTPUT) return <code class="output">{text}</code>;
  return (
    <details class="json-details">
      <summary>
        <code class="output">{short(text, SHORT_OUTPUT)}</code>
      </summary>
      <JsonBlock value={entry.output} label={`Output of ${entry.step}`} />
    </details>
  );
}

function formatDuration(ms) {
  if (typeof ms !== 'number') return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** Variables and step outputs, kept while the instance waits and after it failed (a resumption starts from them). */
function KeptState({ instance }) {
  if (!instance.vars && !instance.outputs) return <p class="muted">None kept: an instance keeps them while it waits and after it failed.</p>;
  return (
    <>
      <details class="json-details">
        <summary>Variables</summary>
        <JsonBlock value={instance.vars ?? {}} label="Variables" />
      </details>
      <details class="json-details">
        <summary>Step outputs</summary>
        <JsonBlock value={instance.outputs ?? {}} label="Step outputs" />
      </details>
    </>
  );
}

/** What started the instance: its webhook, a schedule's tick, the instance that called it, or the record whose write started it. */
function StartedBy({ instance, tenantId, webhook }) {
  const trigger = instance.trigger;
  const other = (id) => (
    <Link href={`/t/${tenantId}/instances/${id}`}>
      instance <code>{id}</code>
    </Link>
  );
  if (instance.webhookId) return webhook(instance.webhookId);
  if (trigger?.type === 'schedule') return <>the schedule, its tick at {formatTime(trigger.at)}</>;
  if (trigger?.type === 'process') {
    return (
      <>
        {other(trigger.parentId)}, step <code>{trigger.step}</code> (call-process)
      </>
    );
  }
  if (trigger?.type === 'record') {
    return (
      <>
        {trigger.object} <code>{trigger.recordId}</code> {trigger.action} by {other(trigger.writerId)}
      </>
    );
  }
  return 'unknown';
}
