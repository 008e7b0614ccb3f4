import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import { useEffect, useRef, useState } from 'preact/hooks';
import { instancesApi } from '../../api.js';
import { ErrorNote, formatTime, JsonBlock, StatusBadge } from '../../components.jsx';
import { HOOKFLOW_PACKAGE } from '../../../../src/engine/bpmn/hookflow-moddle.ts';
import { describeElement, showDocument } from './modeler.js';
import './path-view.css';

const MARK = { completed: 'hf-path-completed', waiting: 'hf-path-waiting', failed: 'hf-path-failed' };
const SYMBOL = { completed: '✓', waiting: '⏸', failed: '✗' };
const WORDS = { completed: 'went through', waiting: 'waits here', failed: 'failed here' };

/**
 * The operations view of one instance: the diagram of the process version it ran (GET
 * …/instances/:id/diagram), each element it reached marked by outcome — a colour and a symbol,
 * and the same as a list of buttons for the keyboard and screen readers. Selecting an element
 * shows what ran there (its trace entries, the step's input); at the failed element of a failed
 * instance, "Retry from here" runs it again from that step. Loaded only where it is shown.
 */
export function PathView({ tenantId, instance, retry }) {
  const container = useRef(null);
  const viewer = useRef(null);
  const [diagram, setDiagram] = useState(null);
  const [error, setError] = useState(null);
  const [selected, setSelected] = useState(null);

  useEffect(() => {
    const created = new NavigatedViewer({ container: container.current, moddleExtensions: { hookflow: HOOKFLOW_PACKAGE } });
    viewer.current = created;
    created.on('element.click', ({ element }) => setSelected(element.type === 'bpmn:Process' ? null : describeElement(element)));
    return () => created.destroy();
  }, []);

  // Read again when the instance moved on (a retry, a resumption): the path grew.
  useEffect(() => {
    let gone = false;
    instancesApi(tenantId)
      .diagram(instance.id)
      .then(async (answer) => {
        if (gone) return;
        await showDocument(viewer.current, answer.xml);
        markPath(viewer.current, answer.elements);
        setDiagram(answer);
        setError(null);
      })
      .catch((failed) => !gone && setError(failed));
    return () => {
      gone = true;
    };
  }, [tenantId, instance.id, instance.status, instance.trace.length]);

  const select = (id) => {
    const element = viewer.current.get('elementRegistry').get(id);
    if (!element) return;
    viewer.current.get('canvas').scrollToElement(element);
    setSelected(describeElement(element));
  };

  return (
    <div class="path-view" data-testid="path-view">
      <ErrorNote error={error} />
      <div
        class="path-canvas"
        ref={container}
        role="img"
        aria-label={`Diagram of ${instance.processId} v${instance.processVersion} with the path of the instance`}
      />
      {diagram && <PathList diagram={diagram} viewer={viewer.current} select={select} selected={selected} />}
      {selected && <ElementRun element={selected} instance={instance} outcome={diagram?.elements[selected.id]} retry={retry} />}
    </div>
  );
}

/** Marks each element the instance reached with its outcome (a CSS class and a symbol); the flows between two reached elements as taken. */
function markPath(viewer, elements) {
  const canvas = viewer.get('canvas');
  const overlays = viewer.get('overlays');
  for (const element of viewer.get('elementRegistry').getAll()) {
    const outcome = elements[element.id];
    if (outcome) {
      canvas.addMarker(element, MARK[outcome]);
      const badge = document.createElement('span');
      badge.className = `hf-path-badge hf-path-badge-${outcome}`;
      badge.textContent = SYMBOL[outcome];
      badge.title = WORDS[outcome];
      overlays.add(element, 'hf-path', { position: { top: -10, right: 10 }, html: badge });
    } else if (element.waypoints && elements[element.source?.id] && elements[element.target?.id]) {
      canvas.addMarker(element, 'hf-path-taken');
    }
  }
}

/** The reached elements in words, in the order of the diagram's elements: each a button that selects it. */
function PathList({ diagram, viewer, select, selected }) {
  const registry = viewer.get('elementRegistry');
  const reached = registry.filter((element) => diagram.elements[element.id] && !element.labelTarget);
  return (
    <ul class="path-list" aria-label="The path the instance took">
      {reached.map((element) => {
        const outcome = diagram.elements[element.id];
        return (
          <li data-element={element.id} data-outcome={outcome}>
            <button type="button" class="link" aria-pressed={selected?.id === element.id ? 'true' : 'false'} onClick={() => select(element.id)}>
              <span class={`hf-path-symbol hf-path-badge-${outcome}`} aria-hidden="true">
                {SYMBOL[outcome]}
              </span>{' '}
              {labelOf(element)}
            </button>{' '}
            <span class="muted">{WORDS[outcome]}</span>
          </li>
        );
      })}
    </ul>
  );
}

/** An element's name; an unnamed start or end event (the process's own) by what it is. */
function labelOf(element) {
  return element.businessObject.name || { 'bpmn:StartEvent': 'Start', 'bpmn:EndEvent': 'End' }[element.type] || element.id;
}

/** What ran at the selected element: its trace entries, the step's input as defined, and at the failed step of a failed instance, the retry. */
function ElementRun({ element, instance, outcome, retry }) {
  const entries = instance.trace.filter((entry) => entry.step.slice(entry.step.lastIndexOf('.') + 1) === element.id);
  const failedHere = instance.status === 'failed' && outcome === 'failed';
  return (
    <section class="panel path-element" aria-labelledby="path-element-title" data-testid="path-element">
      <h3 id="path-element-title">
        {element.name || element.id} <code>{element.id}</code>
      </h3>
      {!outcome && <p class="muted">The instance did not reach this element.</p>}
      {entries.length > 0 && (
        <ul class="path-entries">
          {entries.map((entry) => (
            <li>
              <StatusBadge status={entry.status} /> <code>{entry.step}</code> {entry.at && <span class="muted">{formatTime(entry.at)}</span>}
              {entry.error && <p class="problem">{entry.error}</p>}
            </li>
          ))}
        </ul>
      )}
      {element.step?.input && (
        <details class="json-details">
          <summary>Input of the step ({element.step.type})</summary>
          {'value' in element.step.input ? (
            <JsonBlock value={element.step.input.value} label={`Input of ${element.id}`} />
          ) : (
            <pre class="json">{element.step.input.text}</pre>
          )}
        </details>
      )}
      {failedHere && retry && (
        <p class="actions">
          <button type="button" disabled={retry.busy} onClick={retry.run}>
            Retry from here
          </button>
          <span class="muted">runs {element.id} again, and the steps after it; the steps before it are not run again.</span>
        </p>
      )}
    </section>
  );
}
