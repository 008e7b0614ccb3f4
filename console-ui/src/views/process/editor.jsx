import { useEffect, useRef, useState } from 'preact/hooks';
import { post, put, tenantApi } from '../../api.js';
import { ErrorNote, useAction } from '../../components.jsx';
import { lineOfPointer, parseJson } from '../../json-tools.js';
import { DryRun } from './dry-run.jsx';

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

/** The definition as JSON with its problems, saving, and the dry run of the draft below. */
export function Editor({ tenant, detail, draft, setDraft, writable, saved }) {
  const problems = useProblems(tenant, draft);
  const area = useRef(null);
  const action = useAction();
  const [note, setNote] = useState(null);

  const jumpTo = (line) => {
    const lines = draft.split('\n');
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
      <DefinitionField area={area} draft={draft} setDraft={setDraft} problems={problems} editable={writable} />
      <Problems problems={problems} jumpTo={jumpTo} />
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

/** The text area with a gutter of line numbers that marks the lines with problems and scrolls with it. */
function DefinitionField({ area, draft, setDraft, problems, editable }) {
  const gutter = useRef(null);
  const lines = draft.split('\n');
  const errorLines = new Set(problems.map((problem) => problem.line));
  return (
    <div class="editor">
      <pre class="gutter" ref={gutter} aria-hidden="true">
        {lines.map((_, index) => (
          <span class={errorLines.has(index + 1) ? 'error-line' : ''}>{index + 1}</span>
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
  );
}

function Problems({ problems, jumpTo }) {
  return (
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
  );
}
