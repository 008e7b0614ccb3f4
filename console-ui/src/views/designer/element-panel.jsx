import { InputForm } from './input-form.jsx';
import { setStepInput, setStepType } from './modeler.js';

/**
 * The selected element: id, name, BPMN type and the step it is. A task without a step gets its
 * type from a list of the registered step types; a step's input is a form generated from its
 * type's input schema (GET /api/step-types), read only for viewers.
 */
export function ElementPanel({ selected, stepTypes, writable, modeler }) {
  const setType = (id, type) => setStepType(modeler.current, id, type);
  const setInput = (id, input) => setStepInput(modeler.current, id, input);
  const type = selected?.step && stepTypes?.find((candidate) => candidate.type === selected.step.type);
  return (
    <aside class="designer-panel" aria-labelledby="designer-panel-title">
      <h2 id="designer-panel-title">Selected element</h2>
      {!selected ? (
        <p class="muted">Select an element in the diagram to see its step.</p>
      ) : (
        <>
          <Facts selected={selected} />
          {selected.isTask && !selected.step && <StepTypeSelect selected={selected} stepTypes={stepTypes} writable={writable} setType={setType} />}
          {selected.step && <StepInput selected={selected} type={type} stepTypes={stepTypes} writable={writable} setInput={setInput} />}
        </>
      )}
    </aside>
  );
}

function Facts({ selected }) {
  return (
    <dl class="facts" data-testid="selected-element">
      <dt>Id</dt>
      <dd>
        <code>{selected.id}</code>
      </dd>
      <dt>Name</dt>
      <dd>{selected.name || '—'}</dd>
      <dt>BPMN element</dt>
      <dd>{selected.bpmnType}</dd>
      {selected.step && (
        <>
          <dt>Step type</dt>
          <dd>
            <code>{selected.step.type}</code>
          </dd>
        </>
      )}
    </dl>
  );
}

/** Types with nested steps (condition, switch, parallel, for-each) are drawn as gateways and sub-processes, never as a task. */
const isTaskType = (stepType) => stepType.branches.every((branch) => branch === 'onError');

function StepTypeSelect({ selected, stepTypes, writable, setType }) {
  const id = `step-type-${selected.id}`;
  if (!writable) return <p class="muted">This task has no step type yet.</p>;
  if (!stepTypes) return <p class="loading">Loading the step types…</p>;
  return (
    <div class="input-field">
      <label for={id}>Step type</label>
      <select
        id={id}
        value=""
        aria-describedby={`${id}-about`}
        onChange={(event) => event.currentTarget.value && setType(selected.id, event.currentTarget.value)}
      >
        <option value="">Choose the step this task is…</option>
        {stepTypes.map((stepType) => (
          <option value={stepType.type} disabled={!isTaskType(stepType)} title={stepType.description}>
            {stepType.type} — {isTaskType(stepType) ? stepType.description : 'drawn as a gateway or sub-process'}
          </option>
        ))}
      </select>
      <p class="muted input-about" id={`${id}-about`}>
        The task has no Hookflow step yet: Save refuses it until it has one.
      </p>
    </div>
  );
}

/**
 * Inputs the diagram itself carries, which a save reads from there: editing them in the form would
 * change nothing. They are shown, and said where to edit them.
 */
const DRAWN_INPUTS = {
  condition: { if: 'the condition expression of the flow to its "then" branch' },
  'call-process': { process: "the call activity's called element" },
};

/** The schema without the properties the diagram carries. */
function formSchema(schema, drawn) {
  if (!drawn || !schema?.properties) return schema;
  const properties = Object.fromEntries(Object.entries(schema.properties).filter(([name]) => !(name in drawn)));
  const required = Array.isArray(schema.required) ? schema.required.filter((name) => !(name in drawn)) : schema.required;
  return { ...schema, properties, required };
}

function StepInput({ selected, type, stepTypes, writable, setInput }) {
  const { input } = selected.step;
  const drawn = DRAWN_INPUTS[selected.step.type];
  return (
    <>
      <h3>Input</h3>
      {type && <p class="muted input-about">{type.description}</p>}
      {drawn &&
        Object.entries(drawn).map(([name, where]) => (
          <p class="muted" key={name} data-drawn-input={name}>
            <code>{name}</code>: <code>{JSON.stringify(input?.value?.[name] ?? null)}</code> — edit it in {where}.
          </p>
        ))}
      {stepTypes && !type && <p class="muted">The service has no step type {selected.step.type}: its input is shown as JSON.</p>}
      {!stepTypes ? (
        <p class="loading">Loading the step types…</p>
      ) : input && 'text' in input ? (
        <pre class="json" tabIndex={0} aria-label={`Input of step ${selected.id} (not JSON)`}>
          {input.text}
        </pre>
      ) : (
        <InputForm
          key={`${selected.id}:${selected.step.type}`}
          schema={formSchema(type?.inputSchema ?? {}, drawn)}
          input={input?.value}
          idPrefix={`input-${selected.id}`}
          disabled={!writable}
          onChange={(next) => setInput(selected.id, next)}
        />
      )}
    </>
  );
}
