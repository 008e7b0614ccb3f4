import { useState } from 'preact/hooks';
import { InputForm, TextField } from './input-form.jsx';
import { insertChoices, insertStep } from './insert-step.js';
import { setDefaultFlow, setElementName, setFlowCondition, setStepInput, setStepRetry, setStepType, showElement } from './modeler.js';

/**
 * The selected element: id, name and BPMN type, and what of it an analyst edits without JSON.
 * A step's name (its description) and, for a task, its retry; a task without a step gets its
 * type from the registered step types, and a step's input is a form generated from its type's
 * input schema (GET /api/step-types). A condition's `if` is the expression of its "then" flow;
 * a flow out of a split says which branch it starts, edits its expression or case value and
 * becomes the default; any flow takes a new step. Read only for viewers. Every change goes
 * through bpmn-js's modeling (modeler.js, insert-step.js), so Ctrl+Z on the canvas undoes it.
 */
export function ElementPanel({ selected, stepTypes, writable, modeler, revision }) {
  const edit = {
    type: (id, type) => setStepType(modeler.current, id, type),
    input: (id, input) => setStepInput(modeler.current, id, input),
    name: (id, name) => setElementName(modeler.current, id, name),
    retry: (id, retry) => setStepRetry(modeler.current, id, retry),
    condition: (flowId, body) => setFlowCondition(modeler.current, flowId, body),
    defaultFlow: (flowId) => setDefaultFlow(modeler.current, flowId),
    insert: (flowId, type) => insertStep(modeler.current, flowId, type),
  };
  const type = selected?.step && stepTypes?.find((candidate) => candidate.type === selected.step.type);
  return (
    <aside class="designer-panel" aria-labelledby="designer-panel-title">
      <h2 id="designer-panel-title">Selected element</h2>
      <ElementSelect modeler={modeler.current} selected={selected} revision={revision} />
      {!selected ? (
        <p class="muted">Select an element in the diagram to see its step.</p>
      ) : (
        <>
          <Facts selected={selected} />
          {!selected.flow && <NameField selected={selected} writable={writable} edit={edit} />}
          {selected.split?.type === 'condition' && <ConditionField selected={selected} writable={writable} edit={edit} />}
          {selected.flow && <FlowPanel selected={selected} stepTypes={stepTypes} writable={writable} edit={edit} />}
          {selected.isTask && !selected.step && <StepTypeSelect selected={selected} stepTypes={stepTypes} writable={writable} setType={edit.type} />}
          {selected.isTask && selected.step && <RetryFields key={`retry-${selected.id}`} selected={selected} writable={writable} edit={edit} />}
          {selected.step && <StepInput selected={selected} type={type} stepTypes={stepTypes} writable={writable} setInput={edit.input} />}
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
      {/* A long name wraps in the panel; the title keeps it whole where it is cut. */}
      <dd class="element-name" title={selected.name || undefined}>
        {selected.name || '—'}
      </dd>
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
      {!selected.step && selected.split && (
        <>
          <dt>Step type</dt>
          <dd>
            <code>{selected.split.type}</code>
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
 * change nothing. They are left out of the form; a condition's `if` has its own field above it,
 * the others are shown with where to edit them.
 */
const DRAWN_INPUTS = {
  condition: { if: null },
  'call-process': { process: "the call activity's called element" },
};

/** The schema without the properties the diagram carries. */
function formSchema(schema, drawn) {
  if (!drawn || !schema?.properties) return schema;
  const properties = Object.fromEntries(Object.entries(schema.properties).filter(([name]) => !(name in drawn)));
  const required = Array.isArray(schema.required) ? schema.required.filter((name) => !(name in drawn)) : schema.required;
  return { ...schema, properties, required };
}

/**
 * The input split into what the form shows and the copies of what the diagram carries, which
 * the form would list as properties "not in the schema"; the copies are written back with it.
 */
function splitInput(value, drawn) {
  if (!drawn || !value || typeof value !== 'object') return { shown: value, kept: {} };
  const entries = Object.entries(value);
  const shown = Object.fromEntries(entries.filter(([name]) => !(name in drawn)));
  return { shown: Object.keys(shown).length ? shown : undefined, kept: Object.fromEntries(entries.filter(([name]) => name in drawn)) };
}

function StepInput({ selected, type, stepTypes, writable, setInput }) {
  const { input } = selected.step;
  const drawn = DRAWN_INPUTS[selected.step.type];
  const { shown, kept } = splitInput(input?.value, drawn);
  const schema = formSchema(type?.inputSchema ?? {}, drawn);
  // A condition's whole input is its `if`, edited above: no form says "takes no input" of it.
  const nothingElse = drawn && schema.properties && Object.keys(schema.properties).length === 0 && shown === undefined;
  return (
    <>
      <h3>Input</h3>
      {type && <p class="muted input-about">{type.description}</p>}
      {drawn &&
        Object.entries(drawn)
          .filter(([, where]) => where)
          .map(([name, where]) => (
            <p class="muted" key={name} data-drawn-input={name}>
              <code>{name}</code>: <code>{JSON.stringify(input?.value?.[name] ?? null)}</code> — edit it in {where}.
            </p>
          ))}
      {stepTypes && !type && <p class="muted">The service has no step type {selected.step.type}: its input is shown as JSON.</p>}
      {!stepTypes ? (
        <p class="loading">Loading the step types…</p>
      ) : nothingElse ? null : input && 'text' in input ? (
        <pre class="json" tabIndex={0} aria-label={`Input of step ${selected.id} (not JSON)`}>
          {input.text}
        </pre>
      ) : (
        <InputForm
          key={`${selected.id}:${selected.step.type}`}
          schema={schema}
          input={shown}
          idPrefix={`input-${selected.id}`}
          disabled={!writable}
          onChange={(next) => setInput(selected.id, { ...next, ...kept })}
        />
      )}
    </>
  );
}

/** One text setting of the element, written when the field is left or Enter pressed. */
function Setting({ id, label, about, value, kind = 'text', expression = false, disabled, commit }) {
  return (
    <div class="input-field">
      <label for={id}>{label}</label>
      <TextField
        field={{ kind, name: label, expression }}
        value={value}
        id={id}
        described={about ? `${id}-about` : undefined}
        disabled={disabled}
        commit={commit}
      />
      {about && (
        <p class="muted input-about" id={`${id}-about`}>
          {about}
        </p>
      )}
    </div>
  );
}

/** The element's name: a step's description, its label on the diagram. */
function NameField({ selected, writable, edit }) {
  const isStep = selected.step || selected.split;
  return (
    <Setting
      key={`name-${selected.id}`}
      id={`name-${selected.id}`}
      label="Name"
      about={isStep ? "The step's description, shown on the diagram." : undefined}
      value={selected.name}
      disabled={!writable}
      commit={(name) => edit.name(selected.id, name ?? '')}
    />
  );
}

/** A condition's `if`: the condition expression of its "then" flow, which bpmn-to-definition reads as the `if`. */
function ConditionField({ selected, writable, edit }) {
  const { thenFlow, condition } = selected.split;
  if (!thenFlow) return <p class="muted">Make one of its two flows the default flow (its "else" branch): the other is "then", with the condition.</p>;
  return (
    <Setting
      key={`if-${selected.id}`}
      id={`if-${selected.id}`}
      label="if (condition)"
      expression
      about={`An expression: true takes the "then" flow (${thenFlow}), anything else the "else" flow. It is the condition expression of the "then" flow.`}
      value={condition}
      disabled={!writable}
      commit={(body) => edit.condition(thenFlow, body ?? '')}
    />
  );
}

const ROLES = {
  then: 'the "then" flow of the condition: taken when its expression is true',
  else: 'the "else" flow of the condition, its default flow: taken when the expression is not true',
  case: 'a case of the switch: taken when its value is the case value',
  default: 'the default flow of the switch: taken when no case matches',
};

/** A sequence flow: its branch of a split and what it takes there, and the steps to insert on it. */
function FlowPanel({ selected, stepTypes, writable, edit }) {
  const { flow } = selected;
  return (
    <>
      <p data-testid="flow-role">
        From <code>{flow.source}</code> to <code>{flow.target}</code>
        {flow.role ? `: ${ROLES[flow.role]}.` : '.'}
      </p>
      {flow.role === 'then' && (
        <Setting
          key={`condition-${selected.id}`}
          id={`condition-${selected.id}`}
          label="Condition expression"
          expression
          about={`The "if" of the condition ${flow.source}.`}
          value={flow.condition}
          disabled={!writable}
          commit={(body) => edit.condition(selected.id, body ?? '')}
        />
      )}
      {flow.role === 'case' && (
        <Setting
          key={`case-${selected.id}`}
          id={`case-${selected.id}`}
          label="Case value"
          about="The flow's name: the value of the switch that takes it."
          value={selected.name}
          disabled={!writable}
          commit={(name) => edit.name(selected.id, name ?? '')}
        />
      )}
      {flow.split && !flow.isDefault && writable && (
        <button type="button" class="secondary" onClick={() => edit.defaultFlow(selected.id)}>
          Make this the default flow
        </button>
      )}
      {writable && <InsertStep key={`insert-${selected.id}`} selected={selected} stepTypes={stepTypes} edit={edit} />}
    </>
  );
}

/**
 * "Insert a step here": a step of the chosen type spliced into the flow (insert-step.js), then
 * selected for its settings. A button inserts, not the choice itself: arrow keys on a select
 * change its value at every press.
 */
function InsertStep({ selected, stepTypes, edit }) {
  const [type, setType] = useState('');
  const id = `insert-${selected.id}`;
  if (!stepTypes) return <p class="loading">Loading the step types…</p>;
  return (
    <div class="input-field designer-insert">
      <label for={id}>Insert a step here</label>
      <select id={id} value={type} aria-describedby={`${id}-about`} onChange={(event) => setType(event.currentTarget.value)}>
        <option value="">Choose the step to insert…</option>
        {insertChoices(stepTypes, selected.flow).map((choice) => (
          <option value={choice.type} disabled={Boolean(choice.disabled)} title={choice.description}>
            {choice.type} — {choice.disabled ?? choice.description}
          </option>
        ))}
      </select>
      <button type="button" class="secondary" disabled={!type} onClick={() => edit.insert(selected.id, type)}>
        Insert
      </button>
      <p class="muted input-about" id={`${id}-about`}>
        The step goes between <code>{selected.flow.source}</code> and <code>{selected.flow.target}</code>; what follows moves right. Ctrl+Z on the canvas takes
        it back.
      </p>
    </div>
  );
}

/** A task step's retry (docs/processes.md, "When a step fails"): attempts, and the delays between them; no attempts, no retry. */
function RetryFields({ selected, writable, edit }) {
  const retry = selected.step.retry ?? {};
  const write = (change) => {
    const next = { ...retry, ...change };
    edit.retry(selected.id, next.attempts === undefined ? undefined : next);
  };
  const id = `retry-${selected.id}`;
  return (
    <fieldset class="designer-retry">
      <legend>Retry</legend>
      <Setting
        id={`${id}-attempts`}
        label="attempts"
        kind="integer"
        about="Attempts in all, the first included, after failures that may pass (a network error, a 5xx); empty: no retry."
        value={retry.attempts}
        disabled={!writable}
        commit={(attempts) => write({ attempts })}
      />
      <Setting
        id={`${id}-delay`}
        label="delay"
        about="Before the second attempt, as an ISO 8601 duration (default PT1M); doubled after each attempt."
        value={retry.delay}
        disabled={!writable || retry.attempts === undefined}
        commit={(delay) => write({ delay })}
      />
      <Setting
        id={`${id}-maxDelay`}
        label="maxDelay"
        about="The longest wait between attempts (default PT1H)."
        value={retry.maxDelay}
        disabled={!writable || retry.attempts === undefined}
        commit={(maxDelay) => write({ maxDelay })}
      />
    </fieldset>
  );
}

/**
 * Every element of the diagram (steps, events, gateways, flows) in a select: choosing one selects
 * it in the canvas as a click would, so the panel, "Insert a step here" and the canvas's own keys
 * work from the keyboard alone.
 */
function ElementSelect({ modeler, selected, revision }) {
  if (!modeler) return null;
  const root = modeler.get('canvas').getRootElement();
  const elements = modeler.get('elementRegistry').filter((element) => element !== root && !element.labelTarget && element.type !== 'label');
  return (
    <p class="designer-element-select" data-revision={revision}>
      <label class="inline">
        Select an element
        <select value={selected?.id ?? ''} onChange={(event) => event.currentTarget.value && showElement(modeler, event.currentTarget.value)}>
          <option value="">—</option>
          {elements.map((element) => (
            <option value={element.id}>
              {element.businessObject.name || element.id} ({element.type.replace(/^bpmn:/, '')}
              {element.businessObject.name ? `, ${element.id}` : ''})
            </option>
          ))}
        </select>
      </label>
    </p>
  );
}
