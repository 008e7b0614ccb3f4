import { useEffect, useRef, useState } from 'preact/hooks';
import { changesAgainstBase, changesSummary, clearChanges, readDiagram, showChanges } from './base-changes.js';

/**
 * "Show changes against base": with it on, the diagram as it is now (unsaved edits included) is
 * compared with the process's base after every change, the added and changed steps marked on it
 * and all of it said in words (removed steps are only in words: they are not drawn).
 */
export function useChanges(modeler, base) {
  const [shown, setShown] = useState(false);
  const [result, setResult] = useState(null);
  const latest = useRef(0);

  const compare = async () => {
    const instance = modeler.current;
    const asked = ++latest.current;
    const read = await readDiagram(instance);
    // A slower reading of an older diagram must not replace a newer one.
    if (asked !== latest.current) return;
    if (!read.definition) {
      clearChanges(instance);
      setResult({ problems: read.problems });
      return;
    }
    const changes = changesAgainstBase(read.definition, base);
    showChanges(instance, changes);
    setResult({ changes });
  };
  const run = () => compare().catch((error) => setResult({ problems: [{ message: error.message }] }));

  useEffect(() => {
    const instance = modeler.current;
    if (!shown || !instance) return undefined;
    run();
    instance.on('commandStack.changed', run);
    instance.on('import.done', run);
    return () => {
      instance.off('commandStack.changed', run);
      instance.off('import.done', run);
      latest.current++;
      clearChanges(instance);
    };
  }, [shown]);

  return { available: Boolean(base), shown, result: shown ? result : null, toggle: setShown };
}

export function ChangesControls({ view }) {
  if (!view.available) return null;
  return (
    <div class="designer-changes">
      <label class="inline">
        <input type="checkbox" role="switch" checked={view.shown} onChange={(event) => view.toggle(event.currentTarget.checked)} /> Show changes against base
      </label>
      {view.shown && (
        <span class="designer-changes-legend" aria-hidden="true">
          <span class="hf-change-badge hf-change-added">added</span> <span class="hf-change-badge hf-change-changed">changed</span>
        </span>
      )}
    </div>
  );
}

export function ChangesSummary({ view }) {
  if (!view.result) return null;
  const { changes, problems } = view.result;
  return (
    <div class="designer-changes-summary" role="status" data-testid="changes-summary">
      {changes ? (
        <>
          <p>{changesSummary(changes)}</p>
          {changes.removed.length > 0 && (
            <>
              <h3>Removed from the base</h3>
              <ul>
                {changes.removed.map((step) => (
                  <li data-removed={step.id}>
                    <code>{step.id}</code>
                    {step.name && ` ${step.name}`}
                  </li>
                ))}
              </ul>
            </>
          )}
        </>
      ) : (
        <p>
          The diagram cannot be compared with the base until it is a process Hookflow can run:{' '}
          {problems.map((problem) => `${problem.elementId ? `${problem.elementId}: ` : ''}${problem.message}`).join('; ')}
        </p>
      )}
    </div>
  );
}
