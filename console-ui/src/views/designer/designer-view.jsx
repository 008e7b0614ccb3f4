import { useEffect, useRef, useState } from 'preact/hooks';
import { elementCountsApi, processBpmnApi, stepTypes as loadStepTypes } from '../../api.js';
import { ErrorNote, useAction } from '../../components.jsx';
import { ChangesControls, ChangesSummary, useChanges } from './changes.jsx';
import { CountsControls, CountsSummary, useCounts } from './counts.jsx';
import { ElementPanel } from './element-panel.jsx';
import { clearProblems, createModeler, describeElement, download, markProblems, showDocument, showElement } from './modeler.js';

/**
 * The process as a BPMN diagram in bpmn-js's Modeler: the analyst moves, connects and deletes
 * with bpmn-js's own palette and context pad, saves the document as the tenant's process (the
 * server keeps the positions in the definition's diagram), exports and imports .bpmn files. What
 * the server refuses is marked on its element and listed. The side panel edits the selected
 * element (its name, a step's type, input and retry, a condition's expression, a flow's branch)
 * and inserts steps on a flow; "Show counts" puts the instances of a period on the elements, "Show
 * changes against base" what the diagram changed against the base. Loaded only with the Designer tab.
 */
export function DesignerView({ tenant, detail, writable, saved }) {
  const bpmn = processBpmnApi(tenant.id, detail.id);
  const container = useRef(null);
  const { modeler, selected, dirty, setDirty } = useModeler(container);
  const [problems, setProblems] = useState([]);
  const [note, setNote] = useState(null);
  const action = useAction();
  const types = useStepTypes();
  const counts = useCounts(modeler, elementCountsApi(tenant.id, detail.id), action.perform);
  const changes = useChanges(modeler, detail.base);

  const show = async (xml) => {
    clearProblems(modeler.current);
    setProblems([]);
    await showDocument(modeler.current, xml);
    counts.apply();
  };
  const showSaved = async () => {
    await show(await bpmn.get());
    setDirty(false);
  };
  useEffect(() => {
    action.perform(showSaved);
  }, []);

  const save = () =>
    action.perform(async () => {
      setNote(null);
      const { xml } = await modeler.current.saveXML({ format: true });
      const view = await refusedOrSaved(
        () => bpmn.save(xml),
        (refused) => setProblems(markProblems(modeler.current, refused)),
      );
      if (!view) return;
      await showSaved();
      setNote(`Saved as version ${view.version} (${view.source}).`);
      await saved();
    });

  const importFile = (file) =>
    action.perform(async () => {
      setNote(null);
      try {
        await show(await file.text());
      } catch (error) {
        await showSaved();
        throw new Error(`${file.name} is not a BPMN document the designer can open (${error.message}); the saved diagram is shown.`, { cause: error });
      }
      setDirty(true);
      setNote(`${file.name} is shown as a draft: Save stores it.`);
    });

  const exportFile = () =>
    action.perform(async () => {
      const { xml } = await modeler.current.saveXML({ format: true });
      download(`${detail.id}.bpmn`, xml, 'application/xml');
    });

  return (
    <div class="designer">
      <Toolbar detail={detail} writable={writable} busy={action.busy} dirty={dirty} save={save} exportFile={exportFile} importFile={importFile} />
      <div class="designer-switches">
        <CountsControls view={counts} />
        <ChangesControls view={changes} />
      </div>
      {note && (
        <p class="ok-note" role="status">
          {note}
        </p>
      )}
      <ErrorNote error={action.error ?? types.error} />
      <ProblemList problems={problems} show={(id) => showElement(modeler.current, id)} />
      <CountsSummary view={counts} modeler={modeler} />
      <ChangesSummary view={changes} />
      <div class="designer-body">
        <div class="designer-canvas" ref={container} role="group" aria-label={`Diagram of ${detail.name}`} />
        <ElementPanel selected={selected} stepTypes={types.list} writable={writable} modeler={modeler} />
      </div>
      <p class="muted designer-keys">
        Tab into the diagram to use the keyboard there: arrow keys move the selection (Shift: further), Ctrl+arrow keys scroll, Delete removes, Ctrl+Z undoes,
        Ctrl+A selects all, E edits a label.
      </p>
    </div>
  );
}

/** Throws the call's error unless the server refused the document with its problems (then `refused` gets them): the saved process, or null. */
async function refusedOrSaved(call, refused) {
  try {
    return await call();
  } catch (error) {
    const problems = error.details?.problems;
    if (error.code !== 'INVALID_DEFINITION' || !Array.isArray(problems)) throw error;
    refused(problems);
    return null;
  }
}

/** The Modeler on the container for the life of the view; the element selected in it, and whether the diagram changed since it was shown. */
function useModeler(container) {
  const modeler = useRef(null);
  const [selected, setSelected] = useState(null);
  const [dirty, setDirty] = useState(false);
  useEffect(() => {
    const instance = createModeler(container.current);
    modeler.current = instance;
    const select = () => {
      const selection = instance.get('selection').get();
      setSelected(selection.length === 1 ? describeElement(selection[0]) : null);
    };
    instance.on('selection.changed', select);
    instance.on('elements.changed', select);
    instance.on('commandStack.changed', () => setDirty(true));
    instance.on('import.done', () => setSelected(null));
    return () => instance.destroy();
  }, []);
  return { modeler, selected, dirty, setDirty };
}

function Toolbar({ detail, writable, busy, dirty, save, exportFile, importFile }) {
  const fileInput = useRef(null);
  return (
    <div class="actions designer-toolbar">
      {writable && (
        <button type="button" onClick={save} disabled={busy}>
          {detail.source === 'custom' ? 'Save new version' : 'Save override'}
        </button>
      )}
      <button type="button" class="secondary" onClick={exportFile} disabled={busy}>
        Export .bpmn
      </button>
      {writable && (
        <>
          <button type="button" class="secondary" onClick={() => fileInput.current.click()} disabled={busy}>
            Import .bpmn…
          </button>
          <input
            ref={fileInput}
            type="file"
            accept=".bpmn,.xml,application/xml,text/xml"
            class="visually-hidden"
            tabIndex={-1}
            aria-hidden="true"
            onChange={(event) => {
              const [file] = event.currentTarget.files;
              event.currentTarget.value = '';
              if (file) importFile(file);
            }}
          />
        </>
      )}
      {dirty && <span class="badge status-waiting">unsaved changes</span>}
      {!writable && <span class="muted">Your role reads processes; analysts change and save the diagram.</span>}
    </div>
  );
}

/** The registered step types (GET /api/step-types), fetched once with the view; an empty list when they did not come. */
function useStepTypes() {
  const [list, setList] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    let gone = false;
    loadStepTypes().then(
      (answer) => !gone && setList(answer),
      (failed) => {
        if (gone) return;
        setList([]);
        setError(new Error(`The step types did not load (${failed.message}): step inputs are shown as JSON.`));
      },
    );
    return () => {
      gone = true;
    };
  }, []);
  return { list, error };
}

/** What the server refused: each problem on a drawn element with a button that shows it, the others by their place in the definition. */
function ProblemList({ problems, show }) {
  return (
    <div class="designer-problems">
      {problems.length > 0 && (
        <div class="panel" role="alert">
          <h2>Not saved: {problems.length === 1 ? 'one problem' : `${problems.length} problems`}</h2>
          <ul>
            {problems.map((problem) => (
              <li data-element={problem.onDiagram ? problem.elementId : undefined}>
                {problem.onDiagram ? (
                  <button type="button" class="link" onClick={() => show(problem.elementId)}>
                    {problem.elementName && problem.elementName !== problem.elementId ? `${problem.elementId} "${problem.elementName}"` : problem.elementId}
                  </button>
                ) : (
                  <code>{problem.path || problem.elementId || '/'}</code>
                )}
                : {problem.message}
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
