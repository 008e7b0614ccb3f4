import { useEffect, useRef, useState } from 'preact/hooks';
import { toBpmn } from '../../../../src/engine/bpmn/definition-to-bpmn.ts';
import { elementCountsApi, get, processBpmnApi, stepTypes as loadStepTypes, tenantApi } from '../../api.js';
import { ErrorNote, useAction } from '../../components.jsx';
import { parseJson, pretty } from '../../json-tools.js';
import { readDiagram } from './base-changes.js';
import { SampleBar } from './sample.jsx';
import { SampleContext } from './sample-context.js';
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
 *
 * The diagram and the JSON editor edit one draft (process-detail.jsx's `draft`): a draft that
 * differs from the saved definition is drawn when the tab opens (definition-to-bpmn, in the
 * browser), and every change of the diagram is read back into it (bpmn-to-definition). A sample
 * (a stored webhook or a pasted payload) gives expression fields their value and parameters, and
 * the diagram a dry run.
 */
export function DesignerView({ tenant, detail, writable, saved, draft, setDraft }) {
  const bpmn = processBpmnApi(tenant.id, detail.id);
  const container = useRef(null);
  const { unread, toDraft } = useDraftSync(setDraft);
  const { modeler, selected, dirty, setDirty, revision } = useModeler(container, toDraft);
  const [problems, setProblems] = useState([]);
  const [note, setNote] = useState(null);
  const [sample, setSample] = useState(null);
  const action = useAction();
  const types = useStepTypes();
  const objects = useObjects(tenant.id);
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
  // The JSON editor's draft when it is not what is saved (and parses); otherwise the saved diagram.
  const showFirst = async () => {
    const drawn = unsavedDraft(draft, detail.definition);
    if (!drawn) return showSaved();
    try {
      await show(await toBpmn(drawn));
    } catch (error) {
      await showSaved();
      setNote(`The JSON draft cannot be drawn (${error.message}): the saved diagram is shown, and the draft is kept until the diagram changes.`);
      return;
    }
    setDirty(true);
    setNote("The diagram shows the JSON editor's draft, not saved yet.");
  };
  useEffect(() => {
    action.perform(showFirst);
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

  const importFile = (file) => action.perform(() => openFile(file, { show, showSaved, setDirty, setNote, toDraft: () => toDraft(modeler.current) }));

  const exportFile = () => action.perform(async () => download(`${detail.id}.bpmn`, (await modeler.current.saveXML({ format: true })).xml, 'application/xml'));

  return (
    <SampleContext.Provider value={{ tenantId: tenant.id, sample, objects }}>
      <div class="designer">
        <div class="designer-bars">
          <Toolbar detail={detail} writable={writable} busy={action.busy} dirty={dirty} save={save} exportFile={exportFile} importFile={importFile} />
          <SampleBar tenant={tenant} sample={sample} setSample={setSample} modeler={modeler} perform={action.perform} busy={action.busy} />
        </div>
        <Notes unread={unread} note={note} />
        <div class="designer-switches">
          <CountsControls view={counts} />
          <ChangesControls view={changes} />
        </div>
        <ErrorNote error={action.error ?? types.error} />
        <ProblemList problems={problems} show={(id) => showElement(modeler.current, id)} />
        <CountsSummary view={counts} modeler={modeler} />
        <ChangesSummary view={changes} />
        <div class="designer-body">
          <div class="designer-canvas" ref={container} role="group" aria-label={`Diagram of ${detail.name}`} />
          <ElementPanel selected={selected} stepTypes={types.list} writable={writable} modeler={modeler} revision={revision} />
        </div>
        <KeysHelp />
      </div>
    </SampleContext.Provider>
  );
}

/** Opens a .bpmn file as the draft; a file the modeler cannot read leaves the saved diagram shown. */
async function openFile(file, { show, showSaved, setDirty, setNote, toDraft }) {
  setNote(null);
  try {
    await show(await file.text());
  } catch (error) {
    await showSaved();
    throw new Error(`${file.name} is not a BPMN document the designer can open (${error.message}); the saved diagram is shown.`, { cause: error });
  }
  setDirty(true);
  await toDraft();
  setNote(`${file.name} is shown as a draft: Save stores it.`);
}

/** Each change of the diagram becomes the JSON draft; a diagram that is no process yet leaves the draft as it was, and says why. */
function useDraftSync(setDraft) {
  const [unread, setUnread] = useState(null);
  const toDraft = async (modeler) => {
    const read = await readDiagram(modeler);
    if (!read.definition) return setUnread(read.problems);
    setUnread(null);
    setDraft?.(pretty(read.definition));
  };
  return { unread, toDraft };
}

/** The draft's definition when it parses and is not the saved one (it is drawn then); otherwise null. */
function unsavedDraft(draft, definition) {
  const parsed = draft ? parseJson(draft) : { error: true };
  return parsed.error || sameJson(parsed.value, definition) ? null : parsed.value;
}

function Notes({ unread, note }) {
  return (
    <>
      {unread && (
        <p class="panel muted" role="status" data-testid="draft-unread">
          The diagram is not a process yet ({unread.map((problem) => problem.message).join('; ')}): the JSON draft keeps its last state until it is.
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

function KeysHelp() {
  return (
    <p class="muted designer-keys">
      Tab into the diagram to use the keyboard there: arrow keys move the selection (Shift: further), Ctrl+arrow keys scroll, Delete removes, Ctrl+Z undoes,
      Ctrl+A selects all, E edits a label. In the panel, "Pick a parameter of the sample" opens the sample's parameters as buttons (Tab, Enter).
    </p>
  );
}

/** The same JSON value, whatever the order of object keys. */
function sameJson(a, b) {
  const sorted = (value) =>
    JSON.stringify(value, (_, inner) =>
      inner && typeof inner === 'object' && !Array.isArray(inner)
        ? Object.fromEntries(
            Object.keys(inner)
              .sort()
              .map((key) => [key, inner[key]]),
          )
        : inner,
    );
  return sorted(a) === sorted(b);
}

/** The tenant's objects in the Webhook entities lookup, with their columns (GET …/entities), for the object and column choices; null until loaded or when refused. */
function useObjects(tenantId) {
  const [objects, setObjects] = useState(null);
  useEffect(() => {
    let gone = false;
    get(tenantApi(tenantId)('/entities')).then(
      (list) => !gone && setObjects(list.filter((object) => object.inWebhookLookup)),
      () => {},
    );
    return () => {
      gone = true;
    };
  }, [tenantId]);
  return objects;
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
function useModeler(container, changed) {
  const onChange = useRef(changed);
  onChange.current = changed;
  const modeler = useRef(null);
  const [selected, setSelected] = useState(null);
  const [dirty, setDirty] = useState(false);
  // Counts the diagram's changes, so what lists its elements is drawn again.
  const [revision, setRevision] = useState(0);
  useEffect(() => {
    const instance = createModeler(container.current);
    modeler.current = instance;
    const select = () => {
      const selection = instance.get('selection').get();
      setSelected(selection.length === 1 ? describeElement(selection[0]) : null);
    };
    instance.on('selection.changed', select);
    instance.on('elements.changed', select);
    instance.on(['elements.changed', 'import.done'], () => setRevision((count) => count + 1));
    instance.on('commandStack.changed', (event) => {
      setDirty(true);
      // An import clears the stack ("clear"): what it shows is already the draft or what is saved.
      if (event.trigger !== 'clear') onChange.current(instance);
    });
    instance.on('import.done', () => setSelected(null));
    return () => instance.destroy();
  }, []);
  return { modeler, selected, dirty, setDirty, revision };
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
