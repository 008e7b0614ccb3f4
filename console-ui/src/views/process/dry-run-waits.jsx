import { useState } from 'preact/hooks';
import { ErrorNote, useAction } from '../../components.jsx';
import { parseJson } from '../../json-tools.js';

/** How a dry run may go on past a wait of each kind (POST …/processes/test, `waits`): the first is picked at first. */
const OPTIONS = {
  timer: [['timeout', 'Time passes']],
  webhook: [
    ['timeout', 'Times out'],
    ['payload', 'A webhook arrives'],
  ],
  approval: [
    ['approved', 'Approved'],
    ['rejected', 'Rejected'],
    ['timeout', 'Times out'],
  ],
};

/** A wait's path (`lines[1].approve`) as a part of an element id. */
const idOf = (step) => `wait-${step.replace(/[^\w-]/g, '-')}`;

function initialForms(waits) {
  return Object.fromEntries(
    waits.filter((wait) => OPTIONS[wait.kind]).map((wait) => [wait.step, { option: OPTIONS[wait.kind][0][0], payload: '{}', comment: '' }]),
  );
}

/** The choice the service takes for a wait's form, or the reason the form does not make one (bad JSON). */
function choiceOf(form) {
  if (form.option === 'timeout') return { choice: 'timeout' };
  if (form.option === 'payload') {
    const parsed = parseJson(form.payload);
    if (parsed.error) return { error: `The payload is not JSON: line ${parsed.error.line}, column ${parsed.error.column}: ${parsed.error.message}` };
    return { choice: { payload: parsed.value } };
  }
  const comment = form.comment.trim();
  return { choice: { decision: form.option, ...(comment ? { comment } : {}) } };
}

/** A choice already made, in words. */
function describeChoice(choice) {
  if (choice === 'timeout') return 'its time passed (timeout)';
  if ('payload' in choice) return 'a webhook arrived with the payload given';
  return `${choice.decision}${choice.comment ? `, with the comment “${choice.comment}”` : ''}`;
}

/**
 * Where the dry run stopped and how it goes on: for each wait what it would wait for and a choice,
 * Continue (the run again with the choices made so far and these), and Start over (no choice).
 */
export function GoOn({ result, goOn }) {
  const { waits } = result.test;
  const action = useAction();
  const [forms, setForms] = useState(() => initialForms(waits));
  const [problems, setProblems] = useState({});
  const chosen = Object.entries(result.choices);
  const open = waits.filter((wait) => forms[wait.step]);
  if (chosen.length === 0 && waits.length === 0) return null;

  const setForm = (step, change) => {
    setForms({ ...forms, [step]: { ...forms[step], ...change } });
    if (problems[step] && 'payload' in change) setProblems({ ...problems, [step]: undefined });
  };
  const proceed = () => {
    const choices = { ...result.choices };
    const found = {};
    for (const wait of open) {
      const made = choiceOf(forms[wait.step]);
      if (made.error) found[wait.step] = made.error;
      else choices[wait.step] = made.choice;
    }
    setProblems(found);
    if (Object.keys(found).length === 0) action.perform(() => goOn(choices));
  };

  return (
    <div class="go-on">
      {chosen.length > 0 && <Chosen chosen={chosen} busy={action.busy} startOver={() => action.perform(() => goOn({}))} />}
      {waits.map((wait) => (
        <WaitChoice wait={wait} form={forms[wait.step]} setForm={(change) => setForm(wait.step, change)} problem={problems[wait.step]} />
      ))}
      {open.length > 0 && (
        <div class="actions">
          <button type="button" onClick={proceed} disabled={action.busy}>
            Continue
          </button>
        </div>
      )}
      <ErrorNote error={action.error} />
    </div>
  );
}

function Chosen({ chosen, busy, startOver }) {
  return (
    <div class="chosen">
      <p>This run went on past its waits as chosen:</p>
      <ul class="waits">
        {chosen.map(([step, choice]) => (
          <li data-step={step}>
            at step <code>{step}</code>: {describeChoice(choice)}
          </li>
        ))}
      </ul>
      <button type="button" class="secondary" disabled={busy} onClick={startOver}>
        Start over
      </button>
    </div>
  );
}

/** One wait: what it would wait for, and the choice of how it goes on (radio buttons, a payload, a comment). */
function WaitChoice({ wait, form, setForm, problem }) {
  const id = idOf(wait.step);
  return (
    <div class="waiting-for" data-step={wait.step}>
      <p class="stopped">
        <strong>Stopped here:</strong> {wait.says} <span class="muted">(step {wait.step})</span>
      </p>
      {!form ? (
        <p class="muted">A dry run cannot go on past this wait.</p>
      ) : (
        <fieldset>
          <legend>How it goes on at {wait.step}</legend>
          <div class="choices">
            {OPTIONS[wait.kind].map(([option, label]) => (
              <label class="inline">
                <input type="radio" name={id} value={option} checked={form.option === option} onChange={() => setForm({ option })} />
                {label}
              </label>
            ))}
          </div>
          {form.option === 'payload' && <PayloadField id={id} form={form} setForm={setForm} problem={problem} />}
          {(form.option === 'approved' || form.option === 'rejected') && (
            <label>
              Comment (optional)
              <textarea rows={2} maxLength={2000} value={form.comment} onInput={(event) => setForm({ comment: event.currentTarget.value })} />
            </label>
          )}
        </fieldset>
      )}
    </div>
  );
}

function PayloadField({ id, form, setForm, problem }) {
  return (
    <>
      <label>
        Payload of the webhook that arrives (JSON)
        <textarea
          class="code"
          rows={8}
          spellcheck={false}
          value={form.payload}
          aria-invalid={problem ? 'true' : 'false'}
          aria-describedby={problem ? `${id}-problem` : undefined}
          onInput={(event) => setForm({ payload: event.currentTarget.value })}
        />
      </label>
      {problem && (
        <p class="error" id={`${id}-problem`} role="alert">
          {problem}
        </p>
      )}
    </>
  );
}
