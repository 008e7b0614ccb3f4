import { useEffect, useState } from 'preact/hooks';
import { ExpressionHelp } from './expression-help.jsx';
import { useSampleContext } from './sample-context.js';
import { choicesOf, fieldsOf, jsonOf, mapOf, numberProblem, parseJsonField, rowsOf, valueOfText, withValue } from './input-schema.js';

/**
 * A form of a step's input generated from its step type's input schema (see input-schema.js):
 * each property a labelled control, required ones marked; a change is written back with
 * `onChange(input)` when the control is left (or Enter pressed), one undoable edit each.
 */
export function InputForm({ schema, input, idPrefix, disabled, onChange }) {
  const fields = fieldsOf(schema, input);
  const choices = choicesOf(schema);
  const commit = (name, value) => onChange(withValue(input, name, value));
  if (fields.length === 0) return <p class="muted">This step type takes no input.</p>;
  return (
    <form class="input-form" onSubmit={(event) => event.preventDefault()} aria-label="Step input">
      <fieldset disabled={disabled}>
        {choices.map((names) => (
          <p class="muted">Give one of {names.map((name) => `"${name}"`).join(' or ')}.</p>
        ))}
        {fields.map((field) => (
          <Field
            key={field.name}
            field={field}
            value={input?.[field.name]}
            input={input}
            id={`${idPrefix}-${field.name}`}
            commit={(value) => commit(field.name, value)}
          />
        ))}
      </fieldset>
    </form>
  );
}

const CONTROLS = {
  text: TextField,
  number: TextField,
  integer: TextField,
  boolean: BooleanField,
  enum: EnumField,
  map: MapField,
  list: ListField,
  json: JsonField,
};

function Field({ field, value, input, id, commit }) {
  const Control = CONTROLS[field.kind] ?? JsonField;
  const described = field.description ? `${id}-about` : undefined;
  const grouped = field.kind === 'map' || field.kind === 'list';
  const label = (
    <>
      {field.name}
      {field.required && <span class="required"> (required)</span>}
    </>
  );
  return (
    <div class={`input-field input-${field.kind}`} data-field={field.name}>
      {grouped ? (
        <fieldset aria-describedby={described}>
          <legend>{label}</legend>
          <Control field={field} value={value} input={input} id={id} commit={commit} />
        </fieldset>
      ) : (
        <>
          {field.kind !== 'boolean' && <label for={id}>{label}</label>}
          <Control field={field} value={value} id={id} commit={commit} described={described} label={label} />
        </>
      )}
      {described && (
        <p class="muted input-about" id={described}>
          {field.description}
        </p>
      )}
    </div>
  );
}

/** The text being typed, reset to the value it stands for whenever that changes (an undo, another element). */
function useDraft(external) {
  const [draft, setDraft] = useState(external);
  useEffect(() => setDraft(external), [external]);
  return [draft, setDraft];
}

/** A text (an expression or a constant text), or a number: kept while typing, written when left. The panel uses it for its own fields too. */
export function TextField({ field, value, id, commit, described, disabled }) {
  const [draft, setDraft] = useDraft(value === undefined ? '' : String(value));
  const { objects } = useSampleContext();
  const numeric = field.kind !== 'text';
  const problem = numeric ? numberProblem(field.kind, valueOfText(field.kind, draft)) : null;
  // An object code is offered from the tenant's Webhook entities lookup; any text stays allowed.
  const objectList = field.name === 'object' && objects ? 'designer-objects' : undefined;
  return (
    <>
      {objectList && (
        <datalist id={objectList}>
          {objects.map((object) => (
            <option value={object.name}>{object.caption}</option>
          ))}
        </datalist>
      )}
      <input
        id={id}
        list={objectList}
        type="text"
        inputMode={numeric ? 'decimal' : undefined}
        value={draft}
        disabled={disabled}
        required={field.required}
        aria-required={field.required ? 'true' : undefined}
        aria-invalid={problem ? 'true' : undefined}
        aria-describedby={described}
        spellcheck={false}
        onInput={(event) => setDraft(event.currentTarget.value)}
        onChange={(event) => {
          const next = valueOfText(field.kind, event.currentTarget.value);
          if (!numeric || !numberProblem(field.kind, next)) commit(next);
        }}
      />
      {problem && (
        <p class="field-problem" role="alert">
          {field.name}: {problem}
        </p>
      )}
      {field.expression && !disabled && (
        <ExpressionHelp
          id={id}
          text={draft}
          label={field.name}
          pick={(expression) => {
            setDraft(expression);
            commit(expression);
          }}
        />
      )}
    </>
  );
}

function BooleanField({ value, id, commit, described, label }) {
  return (
    <label for={id} class="inline">
      <input id={id} type="checkbox" checked={value === true} aria-describedby={described} onChange={(event) => commit(event.currentTarget.checked)} /> {label}
    </label>
  );
}

function EnumField({ field, value, id, commit, described }) {
  return (
    <select
      id={id}
      value={value ?? ''}
      aria-required={field.required ? 'true' : undefined}
      aria-describedby={described}
      onChange={(event) => commit(event.currentTarget.value || undefined)}
    >
      <option value="">—</option>
      {field.options.map((option) => (
        <option value={option}>{option}</option>
      ))}
    </select>
  );
}

/**
 * Keys with a text each (column code → expression, header → value): rows to add and remove. The
 * values of a record step's columns are expressions: each has its value on the sample and the
 * sample's parameters, and "Add column" lists the columns of the step's object.
 */
function MapField({ field, value, input, id, commit }) {
  const [rows, setRows] = useRows(value, rowsOf);
  const change = (next) => {
    setRows(next);
    commit(mapOf(next));
  };
  const set = (index, part, text) => change(rows.map((row, at) => (at === index ? (part === 0 ? [text, row[1]] : [row[0], text]) : row)));
  return (
    <>
      {rows.map(([key, text], index) => (
        <div class="input-row">
          <input
            type="text"
            id={`${id}-key-${index}`}
            value={key}
            aria-label={`${field.name}: key ${index + 1}`}
            spellcheck={false}
            onChange={(event) => set(index, 0, event.currentTarget.value)}
          />
          <MapValue field={field} id={`${id}-value-${index}`} name={key || `value ${index + 1}`} text={text} write={(next) => set(index, 1, next)} />
          <button
            type="button"
            class="secondary small"
            aria-label={`Remove ${key || `row ${index + 1}`} from ${field.name}`}
            onClick={() => change(rows.filter((_, at) => at !== index))}
          >
            ×
          </button>
        </div>
      ))}
      {field.expression && typeof input?.object === 'string' && (
        <ColumnPicker id={`${id}-column`} object={input.object} taken={rows.map(([key]) => key)} add={(key) => change([...rows, [key, '']])} />
      )}
      <button type="button" class="secondary small" onClick={() => setRows([...rows, ['', '']])}>
        Add to {field.name}
      </button>
    </>
  );
}

/** A map's value: kept while typing (its value on the sample follows), written when left. */
function MapValue({ field, id, name, text, write }) {
  const [draft, setDraft] = useDraft(text);
  return (
    <div class="input-value">
      <input
        type="text"
        id={id}
        value={draft}
        aria-label={`${field.name}: ${name}`}
        spellcheck={false}
        onInput={(event) => setDraft(event.currentTarget.value)}
        onChange={(event) => write(event.currentTarget.value)}
      />
      {field.expression && (
        <ExpressionHelp
          id={id}
          text={draft}
          label={`${field.name}: ${name}`}
          pick={(expression) => {
            setDraft(expression);
            write(expression);
          }}
        />
      )}
    </div>
  );
}

/**
 * "Add column": the columns of the object the step writes, not yet in the map. A lookup column is
 * offered by the object it refers to (Country for CountryId) and written so (`Country`): a record
 * step resolves it by that object's display value, as the webhook sends it.
 */
function ColumnPicker({ id, object, taken, add }) {
  const { objects } = useSampleContext();
  const [chosen, setChosen] = useState('');
  const model = objects?.find((candidate) => candidate.name === object);
  if (!model) return objects ? <p class="muted">No object {object} in this tenant's catalogue: type the column codes.</p> : null;
  const choices = model.columns
    .filter((column) => !SYSTEM_COLUMNS.has(column.name))
    .map((column) =>
      column.lookup && column.name.endsWith('Id')
        ? { key: column.name.slice(0, -2), label: `${column.name.slice(0, -2)} (a ${column.lookup}, by its name; sets ${column.name})` }
        : { key: column.name, label: column.caption && column.caption !== column.name ? `${column.name} (${column.caption})` : column.name },
    )
    .filter((choice) => !taken.includes(choice.key));
  return (
    <div class="input-row column-picker">
      <label for={id} class="visually-hidden">
        Column of {object} to add
      </label>
      <select id={id} value={chosen} onChange={(event) => setChosen(event.currentTarget.value)}>
        <option value="">Choose a column of {object}…</option>
        {choices.map((choice) => (
          <option value={choice.key}>{choice.label}</option>
        ))}
      </select>
      <button
        type="button"
        class="secondary small"
        disabled={!chosen}
        onClick={() => {
          add(chosen);
          setChosen('');
        }}
      >
        Add column
      </button>
    </div>
  );
}

/** Columns the service sets itself (catalogue.service.ts SYSTEM_COLUMNS). */
const SYSTEM_COLUMNS = new Set(['Id', 'CreatedOn', 'ModifiedOn', 'TenantId']);

/** Texts in order (API key names, parameters to ignore): rows to add and remove. */
function ListField({ field, value, id, commit }) {
  const [rows, setRows] = useRows(value, (list) => (Array.isArray(list) ? list : []));
  const change = (next) => {
    setRows(next);
    const items = next.filter((item) => item !== '');
    commit(items.length === 0 ? undefined : items);
  };
  return (
    <>
      {rows.map((item, index) => (
        <div class="input-row">
          <input
            type="text"
            id={`${id}-${index}`}
            value={item}
            aria-label={`${field.name}: item ${index + 1}`}
            spellcheck={false}
            onChange={(event) => change(rows.map((other, at) => (at === index ? event.currentTarget.value : other)))}
          />
          <button
            type="button"
            class="secondary small"
            aria-label={`Remove item ${index + 1} from ${field.name}`}
            onClick={() => change(rows.filter((_, at) => at !== index))}
          >
            ×
          </button>
        </div>
      ))}
      <button type="button" class="secondary small" onClick={() => setRows([...rows, ''])}>
        Add to {field.name}
      </button>
    </>
  );
}

/** Rows of a map or list field: the value's, again whenever the value changes from outside (an undo, another element). */
function useRows(value, toRows) {
  const [rows, setRows] = useState(() => toRows(value));
  const written = JSON.stringify(value ?? null);
  useEffect(() => setRows((current) => (JSON.stringify(toValue(current) ?? null) === written ? current : toRows(value))), [written]);
  return [rows, setRows];
}

/** What rows stand for, to compare with the value: a map's object, or a list's texts. */
function toValue(rows) {
  if (rows.every(Array.isArray)) return mapOf(rows);
  const items = rows.filter((item) => item !== '');
  return items.length === 0 ? undefined : items;
}

/** What the form has no control for: the property's value as JSON, written when it parses. */
function JsonField({ field, value, id, commit, described }) {
  const [draft, setDraft] = useDraft(jsonOf(value));
  const [problem, setProblem] = useState(null);
  return (
    <>
      <textarea
        id={id}
        class="json-field"
        rows={Math.min(8, Math.max(2, draft.split('\n').length))}
        value={draft}
        spellcheck={false}
        aria-required={field.required ? 'true' : undefined}
        aria-invalid={problem ? 'true' : undefined}
        aria-describedby={described}
        onInput={(event) => setDraft(event.currentTarget.value)}
        onChange={(event) => {
          const parsed = parseJsonField(event.currentTarget.value);
          setProblem(parsed.problem ?? null);
          if (!parsed.problem) commit(parsed.value);
        }}
      />
      <p class="muted input-about">JSON (a string is an expression).</p>
      {problem && (
        <p class="field-problem" role="alert">
          {field.name}: {problem}
        </p>
      )}
    </>
  );
}
