import { useCallback, useEffect, useState } from 'preact/hooks';

/** Loads data for a view; answers { data, error, loading, reload }. */
export function useLoad(load, deps) {
  const [state, setState] = useState({ data: null, error: null, loading: true });
  const run = useCallback(() => {
    setState((previous) => ({ ...previous, loading: true }));
    return load().then(
      (data) => setState({ data, error: null, loading: false }),
      (error) => setState({ data: null, error, loading: false }),
    );
  }, deps);
  useEffect(() => {
    run();
  }, [run]);
  return { ...state, reload: run };
}

/** Runs an action, keeping its error and whether it is busy, for buttons and forms. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const perform = async (action) => {
    setBusy(true);
    setError(null);
    try {
      return await action();
    } catch (caught) {
      setError(caught);
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, perform, setError };
}

export function ErrorNote({ error }) {
  if (!error) return null;
  return (
    <p class="error" role="alert">
      {error.message ?? String(error)}
    </p>
  );
}

export function Loading({ state, children }) {
  if (state.error) return <ErrorNote error={state.error} />;
  if (state.data === null) return <p class="loading">Loading…</p>;
  return children(state.data);
}

const STATUS_WORDS = {
  processed: 'processed',
  received: 'kept without record',
  failed: 'failed',
  queued: 'queued',
  completed: 'completed',
  skipped: 'skipped',
  ok: 'ok',
  running: 'running',
  waiting: 'waiting',
  cancelled: 'cancelled',
};

export function StatusBadge({ status }) {
  return <span class={`badge status-${status}`}>{STATUS_WORDS[status] ?? status}</span>;
}

export function formatTime(iso) {
  if (!iso) return '—';
  const date = new Date(iso);
  return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}

/** What a waiting instance waits for at one step, in words: a time, a webhook giving a key, or a person's decision. */
export function describeWait(wait) {
  if (wait.kind === 'timer') return `waits until ${formatTime(wait.until)}`;
  if (wait.kind === 'process') return `waits for instance ${wait.childId} of process ${wait.processId} to end`;
  if (wait.kind === 'retry') return `tries again (attempt ${wait.attempt}) at ${formatTime(wait.until)} after: ${wait.error}`;
  const until = wait.timeoutAt ? ` until ${formatTime(wait.timeoutAt)}` : '';
  if (wait.kind === 'approval') return `waits for approval: ${wait.title}${until}`;
  return `waits for a webhook with key ${wait.key}${until}`;
}

/** The waits of a waiting instance (several when parallel branches wait), each with its step; `more` adds to a wait's line (e.g. a link). */
export function Waits({ waits, more }) {
  if (!waits || waits.length === 0) return null;
  return (
    <ul class="waits">
      {waits.map((wait) => (
        <li data-step={wait.step}>
          {describeWait(wait)}{' '}
          <span class="muted">
            at step <code>{wait.step}</code>
          </span>
          {more?.(wait)}
        </li>
      ))}
    </ul>
  );
}

/** A credential's state in a table: active, or revoked since when. */
export function RevokedBadge({ revokedAt }) {
  return revokedAt ? <span class="badge status-failed">revoked {formatTime(revokedAt)}</span> : <span class="badge status-processed">active</span>;
}

/** Rotate and revoke buttons of a credential's row; `name` makes each button's accessible name unique. */
export function RotateRevoke({ name, busy, rotate, revoke }) {
  return (
    <div class="row-actions">
      <button type="button" class="secondary" disabled={busy} onClick={rotate}>
        Rotate<span class="visually-hidden"> {name}</span>
      </button>
      <button type="button" class="danger" disabled={busy} onClick={revoke}>
        Revoke<span class="visually-hidden"> {name}</span>
      </button>
    </div>
  );
}

export function short(value, length = 80) {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  if (text === undefined) return '';
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

/**
 * A step's result in a trace: why it failed, or what it did; a wait step that waits, and a call a dry
 * run did not make (`dryRun: "not sent"`, at the end of a long output), say so first.
 */
function StepResult({ entry }) {
  if (entry.status === 'failed') return <span class="problem">Failed: {entry.error}</span>;
  const dryRun = typeof entry.output?.dryRun === 'string' ? entry.output.dryRun : null;
  const flags = [entry.status === 'waiting' && <span class="badge status-waiting">waits</span>, dryRun && <span class="badge status-skipped">{dryRun}</span>];
  return (
    <>
      {flags.filter(Boolean).map((flag) => (
        <>{flag} </>
      ))}
      <code class="output">{short(entry.output, 160)}</code>
    </>
  );
}

/** A run's steps, one row each: what the step did, that it waits, or why it failed. */
export function Trace({ trace, label = 'Steps' }) {
  if (!trace || trace.length === 0) return <p class="muted">No step ran.</p>;
  return (
    <table class="trace">
      <caption class="visually-hidden">{label}</caption>
      <thead>
        <tr>
          <th scope="col">#</th>
          <th scope="col">Step</th>
          <th scope="col">Type</th>
          <th scope="col">Result</th>
        </tr>
      </thead>
      <tbody>
        {trace.map((entry, index) => (
          <tr class={entry.status === 'failed' ? 'failed-row' : ''}>
            <td>{index + 1}</td>
            <td>
              <code>{entry.step}</code>
            </td>
            <td>{entry.type}</td>
            <td>
              <StepResult entry={entry} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Records a run wrote, or would write (dry run). */
export function PlannedRecords({ records, empty = 'No record.' }) {
  if (!records || records.length === 0) return <p class="muted">{empty}</p>;
  return (
    <ul class="records">
      {records.map((record) => (
        <li>
          <strong>
            {record.action ?? 'create'} {record.object}
          </strong>
          {record.recordId && <code> {record.recordId}</code>}
          <dl class="values">
            {Object.entries(record.values ?? record).map(([name, value]) => (
              <>
                <dt>{name}</dt>
                <dd>{short(value, 120)}</dd>
              </>
            ))}
          </dl>
        </li>
      ))}
    </ul>
  );
}

export function JsonBlock({ value, label }) {
  return (
    <pre class="json" tabIndex={0} aria-label={label}>
      {JSON.stringify(value, null, 2)}
    </pre>
  );
}

/** A switch: a button whose pressed state is the setting. */
export function Switch({ checked, onChange, label, disabled, title }) {
  return (
    <button
      type="button"
      role="switch"
      class={`switch ${checked ? 'on' : 'off'}`}
      aria-checked={checked ? 'true' : 'false'}
      aria-label={label}
      disabled={disabled}
      title={title}
      onClick={() => onChange(!checked)}
    >
      <span class="knob" aria-hidden="true" />
      <span class="switch-text">{checked ? 'On' : 'Off'}</span>
    </button>
  );
}

export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

/** The columns of a catalogue object: code, caption, type, required, lookup target. */
export function ColumnsTable({ columns, class: className }) {
  return (
    <table class={className}>
      <thead>
        <tr>
          <th scope="col">Code</th>
          <th scope="col">Caption</th>
          <th scope="col">Type</th>
          <th scope="col">Required</th>
          <th scope="col">Lookup of</th>
        </tr>
      </thead>
      <tbody>
        {columns.map((column) => (
          <tr>
            <td>
              <code>{column.name}</code>
            </td>
            <td>{column.caption}</td>
            <td>{column.type}</td>
            <td>{column.required ? 'yes' : ''}</td>
            <td>{column.lookup ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
