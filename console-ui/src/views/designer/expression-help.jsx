import { useEffect, useState } from 'preact/hooks';
import { post, tenantApi } from '../../api.js';
import { useSampleContext } from './sample-context.js';
import { sampleParameters, shortValue } from './sample-parameters.js';

const DEBOUNCE_MS = 300;

/**
 * Under an expression field: its value on the Designer's sample, asked again while the analyst
 * types (POST …/expressions/evaluate, the engine's own sandbox), and the sample's parameters to
 * click, each writing the expression that reads it into the field (`pick`, one edit).
 */
export function ExpressionHelp({ id, text, pick, label }) {
  const { sample } = useSampleContext();
  const [open, setOpen] = useState(false);
  if (!sample) return null;
  return (
    <div class="expression-help">
      <ExpressionValue id={`${id}-value`} text={text} />
      <button type="button" class="link small" aria-expanded={open ? 'true' : 'false'} aria-controls={`${id}-parameters`} onClick={() => setOpen(!open)}>
        {open ? 'Hide the parameters' : 'Pick a parameter of the sample'}
      </button>
      {open && (
        <ParameterTree
          id={`${id}-parameters`}
          label={label}
          payload={sample.payload}
          pick={(expression) => {
            setOpen(false);
            pick(expression);
          }}
        />
      )}
    </div>
  );
}

/** The value, or the error with where in the text it is; nothing for an empty text. */
function ExpressionValue({ id, text }) {
  const { tenantId, sample } = useSampleContext();
  const [shown, setShown] = useState(null);
  useEffect(() => {
    if (!text || !text.trim()) {
      setShown(null);
      return undefined;
    }
    let stale = false;
    const timer = setTimeout(async () => {
      try {
        const answer = await post(tenantApi(tenantId)('/expressions/evaluate'), { expression: text, payload: sample.payload });
        if (!stale) setShown({ ok: true, text: answer.defined ? JSON.stringify(answer.value) : 'nothing (the sample has no value there)' });
      } catch (error) {
        const position = error.details?.position;
        if (!stale)
          setShown({
            ok: false,
            text: typeof position === 'number' && !/at character/.test(error.message) ? `${error.message} (at character ${position})` : error.message,
          });
      }
    }, DEBOUNCE_MS);
    return () => {
      stale = true;
      clearTimeout(timer);
    };
  }, [text, sample, tenantId]);
  if (!shown) return null;
  return (
    <p id={id} class={shown.ok ? 'expression-value' : 'expression-value field-problem'} data-testid="expression-value" aria-live="polite">
      On the sample: <output>{shown.text}</output>
    </p>
  );
}

/** The form tool's parameters, then the payload's keys: buttons in lists, reached with Tab and pressed with Enter or Space. */
function ParameterTree({ id, label, payload, pick }) {
  const { form, keys, source, cut } = sampleParameters(payload);
  const groups = [
    [source ? `Answers of the ${source[0].toUpperCase()}${source.slice(1)} form` : null, form],
    ['Keys of the payload', keys],
  ].filter(([name, list]) => name && list.length > 0);
  return (
    <div id={id} class="parameter-tree" role="group" aria-label={`Parameters of the sample for ${label}`}>
      {groups.length === 0 && <p class="muted">The sample has no parameters.</p>}
      {groups.map(([name, list]) => (
        <>
          <h4>{name}</h4>
          <ul>
            {list.map((parameter) => (
              <li>
                <button
                  type="button"
                  class="parameter"
                  data-expression={parameter.expression}
                  title={parameter.expression}
                  onClick={() => pick(parameter.expression)}
                >
                  <code>{parameter.path}</code>
                  {parameter.label && <span class="muted"> {parameter.label}</span>}
                  <span class="parameter-value"> {shortValue(parameter.value)}</span>
                </button>
              </li>
            ))}
          </ul>
        </>
      ))}
      {cut && <p class="muted">Only the first parameters are listed.</p>}
    </div>
  );
}
