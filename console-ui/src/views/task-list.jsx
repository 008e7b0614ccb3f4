import { useEffect, useState } from 'preact/hooks';
import { get, tasksApi, tenantApi } from '../api.js';
import { ErrorNote, formatTime, JsonBlock, Loading, useAction, useLoad } from '../components.jsx';
import { Link } from '../router.jsx';

const PAGE = 50;
const MOST = 500;
const FILTERS = ['status', 'processId', 'instanceId'];
const STATUSES = [
  ['open', 'Open'],
  ['approved', 'Approved'],
  ['rejected', 'Rejected'],
  ['timed-out', 'Timed out'],
  ['cancelled', 'Cancelled'],
];
const STATUS_WORDS = { open: 'open', approved: 'approved', rejected: 'rejected', 'timed-out': 'timed out', cancelled: 'cancelled' };
const SHORT_JSON = 100;
const CHANGED = 'hookflow:tasks-changed';

/** Tells the nav's count of open tasks to read it again (after a decision, or the inbox was read). */
function tasksChanged() {
  window.dispatchEvent(new Event(CHANGED));
}

/** The tenant's open tasks for the nav, from /stats: read again on another section, after a decision and when the inbox is read. */
export function useOpenTaskCount(tenantId, section, allowed) {
  const [count, setCount] = useState(null);
  useEffect(() => {
    if (!tenantId || !allowed) {
      setCount(null);
      return undefined;
    }
    let live = true;
    const read = () =>
      get(tenantApi(tenantId)('/stats?hours=1')).then(
        (stats) => live && setCount(stats.tasks?.open ?? null),
        () => live && setCount(null),
      );
    read();
    window.addEventListener(CHANGED, read);
    return () => {
      live = false;
      window.removeEventListener(CHANGED, read);
    };
  }, [tenantId, section, allowed]);
  return count;
}

/** The filter is kept in the address (status "open" is the default and left out), so going back shows the same list. */
function initialFilter() {
  const query = new URLSearchParams(location.search);
  const filter = Object.fromEntries(FILTERS.map((name) => [name, query.get(name) ?? '']));
  if (!STATUS_WORDS[filter.status]) filter.status = 'open';
  return filter;
}

function addressQuery(filter) {
  const query = new URLSearchParams();
  for (const name of FILTERS) if (filter[name] && !(name === 'status' && filter.status === 'open')) query.set(name, filter[name]);
  const search = query.toString();
  return search ? `?${search}` : '';
}

/** "in 3 days", "5 minutes ago": the largest unit that fits, rounded. */
const UNITS = [
  ['year', 365 * 86_400_000],
  ['month', 30 * 86_400_000],
  ['week', 7 * 86_400_000],
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
  ['second', 1000],
];

export function relativeTime(iso) {
  const difference = Date.parse(iso) - Date.now();
  const [unit, size] = UNITS.find(([, length]) => Math.abs(difference) >= length) ?? UNITS.at(-1);
  return new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' }).format(Math.round(difference / size), unit);
}

/** A time both ways: how long from now, then the date and time. */
function When({ iso }) {
  if (!iso) return '—';
  return (
    <>
      <time datetime={iso}>{relativeTime(iso)}</time> <span class="muted">({formatTime(iso)})</span>
    </>
  );
}

export function TaskStatus({ status }) {
  return <span class={`badge task-${status}`}>{STATUS_WORDS[status] ?? status}</span>;
}

/**
 * The Tasks inbox: what processes wait for a person to decide (wait-for-approval), by status. A task
 * picked from the list (its id in the address) opens above it, with its details and, while it is
 * open and the role may decide, Approve and Reject.
 */
export function TaskList({ tenant, can, taskId }) {
  const [filter, setFilterState] = useState(initialFilter);
  const [limit, setLimit] = useState(PAGE);
  const [version, setVersion] = useState(0);
  const query = addressQuery(filter);
  const setFilter = (next) => {
    history.replaceState(null, '', `${location.pathname}${addressQuery(next)}`);
    setLimit(PAGE);
    setFilterState(next);
  };
  // Opening or closing a task changes the path; the filter stays in the address.
  useEffect(() => history.replaceState(null, '', `${location.pathname}${query}`), [taskId]);
  const processes = useLoad(() => get(tenantApi(tenant.id)('/processes')), [tenant.id]);
  // Read again whenever a task opens or closes too: someone else may have decided one meanwhile, or a new one come in.
  const page = useLoad(() => tasksApi(tenant.id).list(filter, limit), [tenant.id, filter.status, filter.processId, filter.instanceId, limit, version, taskId]);
  // The nav's count follows what the inbox reads (a task came in or was decided meanwhile).
  useEffect(() => {
    if (page.data) tasksChanged();
  }, [page.data]);
  const refresh = () => setVersion(version + 1);

  return (
    <section aria-labelledby="tasks-title">
      <div class="title-row">
        <h1 id="tasks-title">Tasks</h1>
        <button type="button" class="secondary" onClick={refresh}>
          Refresh
        </button>
      </div>
      <p class="muted">
        What processes wait for a person to decide (wait-for-approval steps), newest first. Analysts approve or reject an open task, with a comment; its
        instance then runs on with the decision.
      </p>
      {taskId && <TaskPanel tenantId={tenant.id} taskId={taskId} writable={can('tasks:write')} query={query} version={version} onDecided={page.reload} />}
      <StatusTabs status={filter.status} setStatus={(status) => setFilter({ ...filter, status })} />
      <div role="tabpanel" id="tasks-panel" aria-labelledby={`tab-${filter.status}`} class="tab-panel">
        <TaskFilters filter={filter} setFilter={setFilter} processes={processes.data ?? []} />
        <Loading state={page}>
          {(tasks) => {
            if (tasks.length === 0) return <p class="muted">No {STATUS_WORDS[filter.status]} tasks.</p>;
            return (
              <>
                <TaskTable tasks={tasks} tenantId={tenant.id} status={filter.status} selected={taskId} query={query} />
                {tasks.length >= limit && limit < MOST && (
                  <button type="button" class="secondary" disabled={page.loading} onClick={() => setLimit(Math.min(limit + PAGE, MOST))}>
                    Show more
                  </button>
                )}
              </>
            );
          }}
        </Loading>
      </div>
    </section>
  );
}

/** One tab per status; arrow keys, Home and End move between them (one tab stop for the list). */
function StatusTabs({ status, setStatus }) {
  const onKeyDown = (event) => {
    const tabs = [...event.currentTarget.querySelectorAll('[role="tab"]')];
    const current = tabs.indexOf(document.activeElement);
    const next = { ArrowRight: current + 1, ArrowLeft: current - 1, Home: 0, End: tabs.length - 1 }[event.key];
    if (current < 0 || next === undefined) return;
    event.preventDefault();
    const tab = tabs[(next + tabs.length) % tabs.length];
    tab.focus();
    setStatus(tab.dataset.status);
  };
  return (
    <div role="tablist" aria-label="Tasks by status" class="tabs" onKeyDown={onKeyDown}>
      {STATUSES.map(([name, label]) => (
        <button
          type="button"
          role="tab"
          id={`tab-${name}`}
          data-status={name}
          aria-selected={status === name ? 'true' : 'false'}
          aria-controls="tasks-panel"
          tabIndex={status === name ? 0 : -1}
          onClick={() => setStatus(name)}
        >
          {label}
        </button>
      ))}
    </div>
  );
}

function TaskFilters({ filter, setFilter, processes }) {
  // A process filtered on from the address stays offered even if the tenant no longer has it.
  const known = processes.some((process) => process.id === filter.processId);
  return (
    <form class="filters" onSubmit={(event) => event.preventDefault()} aria-label="Filter the tasks">
      <label>
        Process
        <select value={filter.processId} onChange={(event) => setFilter({ ...filter, processId: event.currentTarget.value })}>
          <option value="">any</option>
          {processes.map((process) => (
            <option value={process.id}>{process.name}</option>
          ))}
          {filter.processId && !known && <option value={filter.processId}>{filter.processId}</option>}
        </select>
      </label>
      {filter.instanceId && (
        <p class="filter-note">
          Of instance <code>{filter.instanceId}</code> only{' '}
          <button type="button" class="link" onClick={() => setFilter({ ...filter, instanceId: '' })}>
            Show every instance's
          </button>
        </p>
      )}
    </form>
  );
}

function TaskTable({ tasks, tenantId, status, selected, query }) {
  return (
    <table class="tasks">
      <thead>
        <tr>
          <th scope="col">Task</th>
          <th scope="col">Process</th>
          <th scope="col">Created</th>
          <th scope="col">{status === 'open' ? 'Due' : 'Decided or closed'}</th>
          <th scope="col">Instance</th>
        </tr>
      </thead>
      <tbody>
        {tasks.map((task) => (
          <tr data-task={task.id} class={task.id === selected ? 'selected-row' : ''}>
            <td>
              <Link href={`/t/${tenantId}/tasks/${task.id}${query}`} aria-current={task.id === selected ? 'true' : undefined}>
                {task.title}
              </Link>
            </td>
            <td>
              <code>{task.processId}</code>
            </td>
            <td>
              <When iso={task.createdAt} />
            </td>
            <td>{status === 'open' ? <When iso={task.dueAt} /> : <Closed task={task} />}</td>
            <td>
              <Link href={`/t/${tenantId}/instances/${task.instanceId}`} aria-label={`instance ${task.instanceId} of ${task.title}`}>
                <code>{task.instanceId.slice(0, 8)}</code>
              </Link>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Closed({ task }) {
  return (
    <>
      {task.decidedBy && <>by {task.decidedBy}, </>}
      <When iso={task.decidedAt} />
    </>
  );
}

/** Approve or reject with the comment; either way the task and the list are read again (409: it was decided or closed meanwhile). */
function useDecision(tenantId, taskId, reload) {
  const action = useAction();
  const [comment, setComment] = useState('');
  const [decided, setDecided] = useState(null);
  const decide = async (verb) => {
    setDecided(null);
    const task = await action.perform(() => tasksApi(tenantId)[verb](taskId, comment.trim()));
    if (task) setDecided(task);
    tasksChanged();
    await reload();
  };
  return { action, comment, setComment, decided, approve: () => decide('approve'), reject: () => decide('reject') };
}

function TaskPanel({ tenantId, taskId, writable, query, version, onDecided }) {
  const state = useLoad(() => tasksApi(tenantId).get(taskId), [tenantId, taskId, version]);
  const decision = useDecision(tenantId, taskId, () => Promise.all([state.reload(), onDecided()]));
  return (
    <section class="panel task" aria-labelledby="task-title" data-task={taskId}>
      <Loading state={state}>
        {(task) => (
          <>
            <div class="title-row">
              <h2 id="task-title">{task.title}</h2>
              <TaskStatus status={task.status} />
              <Link href={`/t/${tenantId}/tasks${query}`}>
                Close<span class="visually-hidden"> the task</span>
              </Link>
            </div>
            <TaskFacts task={task} tenantId={tenantId} />
            <h3>Details</h3>
            <TaskDetails details={task.details} />
            {task.status === 'open' && writable && <DecisionForm decision={decision} />}
            {task.status === 'open' && !writable && <p class="muted">Your role reads tasks; analysts approve or reject them.</p>}
            {decision.decided && (
              <p class="ok-note" role="status">
                {decision.decided.status === 'approved' ? 'Approved' : 'Rejected'} by {decision.decided.decidedBy} at {formatTime(decision.decided.decidedAt)}.
              </p>
            )}
            <ErrorNote error={decision.action.error} />
          </>
        )}
      </Loading>
    </section>
  );
}

function TaskFacts({ task, tenantId }) {
  return (
    <dl class="facts">
      <dt>Process</dt>
      <dd>
        <Link href={`/t/${tenantId}/processes/${encodeURIComponent(task.processId)}`}>{task.processId}</Link>, step <code>{task.step}</code>
      </dd>
      <dt>Instance</dt>
      <dd>
        <Link href={`/t/${tenantId}/instances/${task.instanceId}`}>
          instance <code>{task.instanceId}</code>
        </Link>
      </dd>
      <dt>Created</dt>
      <dd>
        <When iso={task.createdAt} />
      </dd>
      <dt>Due</dt>
      <dd>{task.status === 'open' ? <When iso={task.dueAt} /> : formatTime(task.dueAt)}</dd>
      {task.status !== 'open' && (
        <>
          <dt>{task.decidedBy ? 'Decided' : 'Closed'}</dt>
          <dd>
            {STATUS_WORDS[task.status] ?? task.status}
            {task.decidedBy && ` by ${task.decidedBy}`} at {formatTime(task.decidedAt)}
          </dd>
          <dt>Comment</dt>
          <dd>{task.comment ? <span class="task-text">{task.comment}</span> : <span class="muted">none</span>}</dd>
        </>
      )}
    </dl>
  );
}

/** The details the step gave: an object as name and value rows (nested values as JSON), anything else as it is. */
function TaskDetails({ details }) {
  const isObject = details !== null && typeof details === 'object' && !Array.isArray(details);
  if (details === null || details === undefined || (isObject && Object.keys(details).length === 0)) return <p class="muted">No details.</p>;
  if (!isObject) return <DetailValue value={details} label="Details" />;
  return (
    <dl class="values task-details">
      {Object.entries(details).map(([name, value]) => (
        <>
          <dt>{name}</dt>
          <dd data-detail={name}>
            <DetailValue value={value} label={name} />
          </dd>
        </>
      ))}
    </dl>
  );
}

function DetailValue({ value, label }) {
  if (typeof value === 'string') return <span class="task-text">{value}</span>;
  if (value === null || typeof value !== 'object') return <code>{String(value)}</code>;
  const text = JSON.stringify(value);
  return text.length <= SHORT_JSON ? <code>{text}</code> : <JsonBlock value={value} label={label} />;
}

function DecisionForm({ decision }) {
  const { action, comment, setComment } = decision;
  return (
    <form class="decision" onSubmit={(event) => event.preventDefault()} aria-label="Decide the task">
      <label>
        Comment (optional)
        <textarea rows={3} maxLength={2000} value={comment} onInput={(event) => setComment(event.currentTarget.value)} />
      </label>
      <div class="actions">
        <button type="button" disabled={action.busy} onClick={decision.approve}>
          Approve
        </button>
        <button type="button" class="danger" disabled={action.busy} onClick={decision.reject}>
          Reject
        </button>
      </div>
    </form>
  );
}
