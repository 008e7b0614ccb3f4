import { useEffect, useState } from 'preact/hooks';
import { get, post, tenantApi } from '../api.js';
import { ErrorNote, Loading, Switch, useAction, useLoad } from '../components.jsx';
import { pretty } from '../json-tools.js';
import { Link } from '../router.jsx';
import { DesignerTab } from './process/designer.jsx';
import { Diff, ThreeWayDiff } from './process/diff.jsx';
import { Editor } from './process/editor.jsx';
import { History } from './process/history.jsx';
import { StepList } from './process/steps.jsx';

const TABS = [
  ['steps', 'Steps'],
  ['designer', 'Designer'],
  ['edit', 'Edit and test'],
  ['diff', 'Diff against base'],
  ['history', 'History'],
];

/** One process: its header and switch, and its steps, designer, editor, diff and history as tabs. */
export function ProcessDetail({ tenant, can, processId }) {
  const path = tenantApi(tenant.id);
  const processPath = (suffix = '') => path(`/processes/${encodeURIComponent(processId)}${suffix}`);
  const state = useLoad(() => get(processPath()), [tenant.id, processId]);
  // A link may open a tab: ?tab=designer (after "Map this webhook" saved a process).
  const [tab, setTab] = useState(() => {
    const asked = new URLSearchParams(location.search).get('tab');
    return TABS.some(([name]) => name === asked) ? asked : 'steps';
  });
  const [draft, setDraft] = useState(null);
  const action = useAction();
  const writable = can('processes:write');

  useEffect(() => {
    if (state.data && draft === null) setDraft(pretty(state.data.definition));
  }, [state.data]);

  // Saved from the designer: the editor shows what now runs.
  const savedDrawn = async () => {
    setDraft(pretty((await get(processPath())).definition));
    await state.reload();
  };

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
          <ProcessHeader tenant={tenant} detail={detail} writable={writable} busy={action.busy} act={act} />
          <ErrorNote error={action.error} />
          <Tabs detail={detail} tab={tab} setTab={setTab} />
          <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`} class="tab-panel">
            {tab === 'steps' && <StepList steps={detail.definition.steps} trigger={detail.definition.trigger} />}
            {tab === 'designer' && <DesignerTab tenant={tenant} detail={detail} writable={writable} saved={savedDrawn} draft={draft} setDraft={setDraft} />}
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

/** Breadcrumbs, name, source, version and the on/off switch; and the rebase offer when the base changed. */
function ProcessHeader({ tenant, detail, writable, busy, act }) {
  return (
    <>
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
          disabled={!writable || busy}
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
            <button type="button" class="secondary" disabled={busy} onClick={() => act('/rebase')}>
              Rebase onto base v{detail.baseChanged.to}
            </button>
          )}
        </p>
      )}
    </>
  );
}

/** The tab list; a process without a base has no diff tab. */
function Tabs({ detail, tab, setTab }) {
  return (
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
