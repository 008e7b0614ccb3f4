import { useEffect, useRef, useState } from 'preact/hooks';
import { del, get, post, put, tenantApi } from '../api.js';
import { ErrorNote, formatTime, Loading, PlannedRecords, short, StatusBadge, Switch, Trace, useAction, useLoad } from '../components.jsx';
import { diffLines, lineOfPointer, parseJson, pretty } from '../json-tools.js';
import { Link, navigate } from '../router.jsx';
import defaultSample from '../../../processes/samples/create-object-records-from-webhook.json';
import landingSample from '../../../processes/samples/landing-page-lead.json';
import upsertSample from '../../../processes/samples/upsert-contact-by-email.json';

const TABS = [
  ['steps', 'Steps'],
  ['edit', 'Edit and test'],
  ['diff', 'Diff against base'],
  ['history', 'History'],
];

export function ProcessDetail({ tenant, can, processId }) {
  const path = tenantApi(tenant.id);
  const processPath = (suffix = '') => path(`/processes/${encodeURIComponent(processId)}${suffix}`);
  const state = useLoad(() => get(processPath()), [tenant.id, processId]);
  const [tab, setTab] = useState('steps');
  const [draft, setDraft] = useState(null);
  const action = useAction();
  const writable = can('processes:write');

  useEffect(() => {
    if (state.data && draft === null) setDraft(pretty(state.data.definition));
  }, [state.data]);

  // Switching on or off keeps the draft being edited; revert and rollback show what now runs.
  const act = (suffix, body) =>
    action.perform(async () => {
      await post(processPath(suffix), body);
      if (suffix === '/revert' || suffix === '/rollback' || suffix === '/rebase') setDraft(pretty((await get(processPath())).definition));
      await state.reload();
    });

  return (
    <Loading state={state}>
      {(detail) => (
        <section aria-labelledby="process-title">
          <p class="crumbs">
            <Link href={`/t/${tenant.id}/processes`}>Processes</Link> / <code>{detail.id}</code>
          </p>
          <div class="title-row">
            <h1 id="process-title">{detail.name}</h1>
            <span class={`badge source-${detail.source}`}>{detail.source}</span>
            <span class="badge">v{detail.version}</span>
            <Switch
              checked={detail.active}
              label={`${detail.name} active`}
              disabled={!writable || action.busy}
              title={writable ? undefined : 'Your role cannot switch processes'}
              onChange={(active) => act(active ? '/activate' : '/deactivate')}
            />
          </div>
          {detail.definition.description && <p class="muted">{detail.definition.description}</p>}
          {detail.baseChanged && (
            <p class="panel" role="status">
              {detail.baseChanged.message}
              {detail.baseUpgrade?.conflicts?.length ? `; a rebase conflicts at ${detail.baseUpgrade.conflicts.join(', ')}` : ''}{' '}
              {writable && (
                <button type="button" class="secondary" disabled={action.busy} onClick={() => act('/rebase')}>
                  Rebase onto base v{detail.baseChanged.to}
                </button>
              )}
            </p>
          )}
          <ErrorNote error={action.error} />
          <div role="tablist" aria-label="Process views" class="tabs" onKeyDown={(event) => moveTab(event, setTab)}>
            {TABS.filter(([name]) => name !== 'diff' || detail.base).map(([name, label]) => (
              <button
                type="button"
                role="tab"
                id={`tab-${name}`}
                aria-selected={tab === name ? 'true' : 'false'}
                aria-controls={`panel-${name}`}
                tabIndex={tab === name ? 0 : -1}
                onClick={() => setTab(name)}
              >
                {label}
              </button>
            ))}
          </div>
          <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`} class="tab-panel">
            {tab === 'steps' && <StepList steps={detail.definition.steps} trigger={detail.definition.trigger} />}
            {tab === 'edit' && draft !== null && (
              <Editor
                tenant={tenant}
                detail={detail}
                draft={draft}
                setDraft={setDraft}
                writable={writable}
                saved={async () => {
                  await state.reload();
                }}
              />
            )}
            {tab === 'diff' && detail.base && !detail.baseUpgrade && <Diff base={detail.base} draft={draft} />}
            {tab === 'diff' && detail.baseUpgrade && <ThreeWayDiff upgrade={detail.baseUpgrade} draft={draft} />}
            {tab === 'history' && <History tenant={tenant} detail={detail} writable={writable} busy={action.busy} act={act} />}
          </div>
        </section>
      )}
    </Loading>
  );
}

/** Arrow keys, Home and End move between tabs (one tab stop for the whole list). */
function moveTab(event, setTab) {
  const tabs = [...event.currentTarget.querySelectorAll('[role="tab"]')];
  const current = tabs.indexOf(document.activeElement);
  if (current < 0) return;
  const next = { ArrowRight: current + 1, ArrowLeft: current - 1, Home: 0, End: tabs.length - 1 }[event.key];
  if (next === undefined) return;
  event.preventDefault();
  const tab = tabs[(next + tabs.length) % tabs.length];
  tab.focus();
  setTab(tab.id.replace(/^tab-/, ''));
}

/** The steps as a readable list: what each does, with its inputs. */
function StepList({ steps, trigger }) {
  return (
    <>
      <h2>Starts</h2>
      <p>
        For every webhook
        {trigger?.apiKeys && <> sent with the key {trigger.apiKeys.map((name) => `“${name}”`).join(' or ')}</>}
        {trigger?.condition && (
          <>
            {' '}
            when <code>{trigger.condition}</code>
          </>
        )}
        .
      </p>
      <h2>Steps</h2>
      <Steps steps={steps} />
    </>
  );
}

function Steps({ steps }) {
  return (
    <ol class="steps">
      {steps.map((step) => (
        <li class="step" data-step={step.id}>
          <div class="step-head">
            <strong>{step.id}</strong> <span class="badge">{step.type}</span>
          </div>
          {step.description && <p>{step.description}</p>}
          {step.input && <Inputs value={step.input} />}
          {step.then && (
            <div class="branch">
              <div class="branch-label">Then</div>
              <Steps steps={step.then} />
            </div>
          )}
          {step.else && (
            <div class="branch">
              <div class="branch-label">Else</div>
              <Steps steps={step.else} />
            </div>
          )}
        </li>
      ))}
    </ol>
  );
}

function Inputs({ value }) {
  if (value === null || typeof value !== 'object') return <code>{JSON.stringify(value)}</code>;
  if (Array.isArray(value)) return <code>{value.map((item) => JSON.stringify(item)).join(', ')}</code>;
  return (
    <dl class="inputs">
      {Object.entries(value).map(([key, item]) => (
        <>
          <dt>{key}</dt>
          <dd>{item !== null && typeof item === 'object' && !Array.isArray(item) ? <Inputs value={item} /> : <code>{typeof item === 'string' ? item : JSON.stringify(item)}</code>}</dd>
        </>
      ))}
    </dl>
  );
}

/** Problems of the draft: JSON syntax, then the service's schema and step checks, each with its line. */
function useProblems(tenant, draft) {
  const [problems, setProblems] = useState([]);
  useEffect(() => {
    const parsed = parseJson(draft);
    if (parsed.error) {
      setProblems([{ line: parsed.error.line, path: `line ${parsed.error.line}, column ${parsed.error.column}`, message: parsed.error.message }]);
      return undefined;
    }
    let stale = false;
    const timer = setTimeout(async () => {
      try {
        const result = await post(tenantApi(tenant.id)('/processes/validate'), { definition: parsed.value });
        if (!stale) setProblems(result.problems.map((problem) => ({ ...problem, line: lineOfPointer(draft, problem.path) })));
      } catch (error) {
        if (!stale) setProblems([{ line: 1, path: '/', message: error.message }]);
      }
    }, 300);
    return () => {
      stale = true;
      clearTimeout(timer);
    };
  }, [draft]);
  return problems;
}

function Editor({ tenant, detail, draft, setDraft, writable, saved }) {
  const problems = useProblems(tenant, draft);
  const area = useRef(null);
  const gutter = useRef(null);
  const action = useAction();
  const [note, setNote] = useState(null);
  const lines = draft.split('\n');
  const errorLines = new Set(problems.map((problem) => problem.line));
  const editable = writable;

  const jumpTo = (line) => {
    const textarea = area.current;
    const start = lines.slice(0, line - 1).reduce((sum, text) => sum + text.length + 1, 0);
    textarea.focus();
    textarea.setSelectionRange(start, start + (lines[line - 1]?.length ?? 0));
    textarea.scrollTop = Math.max(0, (line - 3) * 20);
  };

  const save = async () => {
    const result = await action.perform(async () => {
      const definition = JSON.parse(draft);
      return put(tenantApi(tenant.id)(`/processes/${encodeURIComponent(detail.id)}`), { definition });
    });
    if (result) {
      setNote(`Saved as version ${result.version} (${result.source}).`);
      await saved();
    }
  };

  return (
    <>
      <p class="muted">
        {detail.source === 'custom'
          ? 'Saving stores a new version of this custom process.'
          : 'Saving stores an override of the base process for this tenant; the base stays as it is and can be restored.'}
      </p>
      <label for="definition-editor">Definition (JSON)</label>
      <div class="editor">
        <pre class="gutter" ref={gutter} aria-hidden="true">
          {lines.map((_, index) => (
            <span class={errorLines.has(index + 1) ? 'error-line' : ''}>{index + 1}
</span>
          ))}
        </pre>
        <textarea
          id="definition-editor"
          ref={area}
          class="code"
          spellcheck={false}
          readOnly={!editable}
          aria-invalid={problems.length > 0 ? 'true' : 'false'}
          aria-describedby="definition-problems"
          value={draft}
          onInput={(event) => setDraft(event.currentTarget.value)}
          onScroll={(event) => {
            if (gutter.current) gutter.current.scrollTop = event.currentTarget.scrollTop;
          }}
        />
      </div>
      <div id="definition-problems" class="problems" aria-live="polite">
        {problems.length === 0 ? (
          <p class="ok-note">The definition is valid.</p>
        ) : (
          <ul>
            {problems.map((problem) => (
              <li>
                <button type="button" class="link" onClick={() => jumpTo(problem.line)}>
                  Line {problem.line}
                </button>{' '}
                <code>{problem.path}</code>: {problem.message}
              </li>
            ))}
          </ul>
        )}
      </div>
      {writable && (
        <div class="actions">
          <button type="button" onClick={save} disabled={action.busy || problems.length > 0}>
            {detail.source === 'custom' ? 'Save new version' : 'Save override'}
          </button>
          {note && (
            <span class="ok-note" role="status">
              {note}
            </span>
          )}
        </div>
      )}
      <ErrorNote error={action.error} />
      <DryRun tenant={tenant} detail={detail} draft={draft} valid={problems.length === 0} writable={writable} saved={saved} />
    </>
  );
}

// The sample payloads that ship with the base processes (processes/samples), bundled at build time.
const SAMPLES = {
  'The reference example (Lead)': defaultSample,
  'A landing-page form': landingSample,
  'A contact with an email': upsertSample,
};

/** Dry-runs the draft on a sample payload and on picked stored webhooks, next to what happened. */
function DryRun({ tenant, detail, draft, valid, writable, saved }) {
  const path = tenantApi(tenant.id);
  const [payload, setPayload] = useState(JSON.stringify(defaultSample, null, 2));
  const [status, setStatus] = useState('');
  const [selected, setSelected] = useState([]);
  const [result, setResult] = useState(null);
  const [replayed, setReplayed] = useState(null);
  const webhooks = useLoad(() => get(path(`/webhooks?limit=20${status ? `&status=${status}` : ''}`)), [tenant.id, status]);
  const action = useAction();

  const run = () =>
    action.perform(async () => {
      setReplayed(null);
      const definition = JSON.parse(draft);
      const sample = parseJson(payload);
      if (sample.error) throw new Error(`Sample payload, line ${sample.error.line}: ${sample.error.message}`);
      const test = await post(path('/processes/test'), { definition, payload: sample.value });
      const compared = selected.length > 0 ? await post(path('/processes/what-if'), { definition, webhookIds: selected }) : null;
      setResult({ test, compared });
    });

  const saveAndReplay = () =>
    action.perform(async () => {
      const definition = JSON.parse(draft);
      await put(path(`/processes/${encodeURIComponent(detail.id)}`), { definition });
      if (!detail.active) await post(path(`/processes/${encodeURIComponent(detail.id)}/activate`));
      const outcomes = [];
      for (const id of selected) {
        try {
          await post(path(`/webhooks/${id}/replay`), {});
          outcomes.push({ id, ok: true });
        } catch (error) {
          outcomes.push({ id, ok: false, message: error.message });
        }
      }
      setReplayed(outcomes);
      await saved();
    });

  const toggle = (id) => setSelected(selected.includes(id) ? selected.filter((other) => other !== id) : [...selected, id]);

  return (
    <section class="panel" aria-labelledby="dry-run-title">
      <h2 id="dry-run-title">Test before activating</h2>
      <div class="two-columns">
        <div>
          <label class="inline">
            Start from
            <select onChange={(event) => SAMPLES[event.currentTarget.value] && setPayload(JSON.stringify(SAMPLES[event.currentTarget.value], null, 2))}>
              {Object.keys(SAMPLES).map((name) => (
                <option value={name}>{name}</option>
              ))}
            </select>
          </label>
          <label>
            Sample payload (JSON)
            <textarea class="code" rows={9} spellcheck={false} value={payload} onInput={(event) => setPayload(event.currentTarget.value)} />
          </label>
        </div>
        <fieldset>
          <legend>Stored webhooks to compare</legend>
          <label class="inline">
            Status
            <select value={status} onChange={(event) => setStatus(event.currentTarget.value)}>
              <option value="">any</option>
              <option value="received">kept without record</option>
              <option value="failed">failed</option>
              <option value="processed">processed</option>
            </select>
          </label>
          <Loading state={webhooks}>
            {(page) =>
              page.items.length === 0 ? (
                <p class="muted">No stored webhooks.</p>
              ) : (
                <ul class="pick-list">
                  {page.items.map((webhook) => (
                    <li>
                      <label class="inline">
                        <input type="checkbox" checked={selected.includes(webhook.id)} onChange={() => toggle(webhook.id)} />
                        {formatTime(webhook.receivedAt)} <StatusBadge status={webhook.status} /> <span class="muted">{short(webhook.reason ?? '', 60)}</span>
                      </label>
                    </li>
                  ))}
                </ul>
              )
            }
          </Loading>
        </fieldset>
      </div>
      <div class="actions">
        <button type="button" onClick={run} disabled={action.busy || !valid}>
          Dry-run the draft
        </button>
        {writable && selected.length > 0 && (
          <button type="button" onClick={saveAndReplay} disabled={action.busy || !valid}>
            Save, activate and replay {selected.length} selected
          </button>
        )}
      </div>
      <ErrorNote error={action.error} />
      {replayed && (
        <p class="ok-note" role="status">
          Replayed {replayed.filter((entry) => entry.ok).length} of {replayed.length} webhooks.
          {replayed
            .filter((entry) => !entry.ok)
            .map((entry) => ` ${entry.id.slice(0, 8)}: ${entry.message}`)
            .join(' ')}{' '}
          <Link href={`/t/${tenant.id}/webhooks`}>Open the webhook log</Link>
        </p>
      )}
      {result && (
        <div class="dry-run-result" aria-live="polite">
          <h3>
            On the sample payload: <StatusBadge status={result.test.status} />
          </h3>
          {result.test.error && <p class="problem">{result.test.error.message}</p>}
          <div class="two-columns">
            <div>
              <h4>Step by step</h4>
              <Trace trace={result.test.trace} label="Dry-run steps" />
            </div>
            <div>
              <h4>Records it would write</h4>
              <PlannedRecords records={result.test.records} empty="It would write no record." />
            </div>
          </div>
          {result.compared && (
            <>
              <h3>On the stored webhooks</h3>
              <p>
                {result.compared.compared} compared; {result.compared.wouldNowWrite} kept without record would now write records.
              </p>
              <table class="what-if">
                <thead>
                  <tr>
                    <th scope="col">Webhook</th>
                    <th scope="col">What happened</th>
                    <th scope="col">With the draft</th>
                  </tr>
                </thead>
                <tbody>
                  {result.compared.entries.map((entry) => (
                    <tr>
                      <td>
                        <Link href={`/t/${tenant.id}/webhooks/${entry.webhook.id}`}>{formatTime(entry.webhook.receivedAt)}</Link>
                      </td>
                      <td>
                        <StatusBadge status={entry.webhook.status} /> {entry.webhook.reason && <span class="problem">{entry.webhook.reason}</span>}
                        {entry.webhook.recordIds.length > 0 && <span> {entry.webhook.recordIds.length} record(s)</span>}
                      </td>
                      <td>
                        <StatusBadge status={entry.draft.status} /> {entry.draft.error && <span class="problem">{entry.draft.error.message}</span>}
                        <PlannedRecords records={entry.draft.records} empty="no record" />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
        </div>
      )}
    </section>
  );
}

function Diff({ base, draft, label = 'the base definition', rightLabel = 'the draft' }) {
  const parsed = parseJson(draft ?? '');
  const right = parsed.error ? draft : pretty(parsed.value);
  const lines = diffLines(pretty(base), right);
  const changed = lines.filter((line) => line.kind !== 'same').length;
  return (
    <>
      <p>
        {changed === 0 ? `${rightLabel[0].toUpperCase()}${rightLabel.slice(1)} equals ${label}.` : `${changed} changed lines between ${label} (−) and ${rightLabel} (+).`}
      </p>
      <pre class="diff" tabIndex={0} aria-label={`Differences between ${label} and ${rightLabel}`}>
        {lines.map((line) => (
          <div class={`diff-${line.kind}`}>
            <span class="diff-sign" aria-hidden="true">
              {line.kind === 'added' ? '+' : line.kind === 'removed' ? '−' : ' '}
            </span>
            <span class="visually-hidden">{line.kind === 'added' ? 'added: ' : line.kind === 'removed' ? 'removed: ' : ''}</span>
            {line.text}
          </div>
        ))}
      </pre>
    </>
  );
}

/** After a base upgrade: what the base changed, and what the override changed, both from the base it was made from. */
function ThreeWayDiff({ upgrade, draft }) {
  return (
    <>
      <h3>The base, v{upgrade.from} → v{upgrade.to}</h3>
      <Diff base={upgrade.oldBase} draft={JSON.stringify(upgrade.newBase)} label={`base v${upgrade.from}`} rightLabel={`base v${upgrade.to}`} />
      <h3>This override, from base v{upgrade.from}</h3>
      <Diff base={upgrade.oldBase} draft={draft} label={`base v${upgrade.from}`} />
    </>
  );
}

function History({ tenant, detail, writable, busy, act }) {
  const removal = useAction();
  const remove = async () => {
    if (!window.confirm(`Delete the custom process “${detail.name}” and its versions?`)) return;
    const done = await removal.perform(() => del(tenantApi(tenant.id)(`/processes/${encodeURIComponent(detail.id)}`)).then(() => true));
    if (done) navigate(`/t/${tenant.id}/processes`);
  };
  return (
    <>
      {writable && detail.source === 'override' && (
        <p>
          <button type="button" class="secondary" disabled={busy} onClick={() => act('/revert')}>
            Revert to the base definition
          </button>
        </p>
      )}
      {writable && detail.source === 'custom' && (
        <p>
          <button type="button" class="danger" disabled={busy || removal.busy} onClick={remove}>
            Delete this process
          </button>
        </p>
      )}
      <ErrorNote error={removal.error} />
      {detail.versions.length === 0 ? (
        <p class="muted">No saved versions: the base definition runs.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Saved</th>
              <th scope="col">Note</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {detail.versions.map((version) => (
              <tr>
                <td>
                  v{version.version}
                  {detail.source !== 'base' && detail.version === version.version && <span class="badge">running</span>}
                </td>
                <td>{formatTime(version.createdAt)}</td>
                <td>{version.note ?? ''}</td>
                <td>
                  {writable && !(detail.source !== 'base' && detail.version === version.version) && (
                    <button type="button" class="secondary" disabled={busy} onClick={() => act('/rollback', { version: version.version })}>
                      Roll back to v{version.version}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
