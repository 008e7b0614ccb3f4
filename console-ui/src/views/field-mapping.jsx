import { useState } from 'preact/hooks';
import { get, post, tenantApi } from '../api.js';
import { ColumnsTable, ErrorNote, Loading, short, useAction, useLoad } from '../components.jsx';
import { parseJson } from '../json-tools.js';
import { Link } from '../router.jsx';

const OUTCOME_WORDS = {
  mapped: 'maps',
  'lookup-by-name': 'maps (lookup by name)',
  fails: 'would fail',
  unmapped: 'matches no column (ignored)',
  system: 'set by the system (ignored)',
  ignored: 'read by the process (not a column)',
};

const SAMPLE_PAYLOAD = JSON.stringify(
  { EntityName: 'Lead', Contact: 'New user', Email: 'new_user@gmail.com', Country: 'Canada', Budget: 'a lot', utm_source: 'ads' },
  null,
  2,
);

export function FieldMapping({ tenant }) {
  const path = tenantApi(tenant.id);
  const objects = useLoad(() => get(path('/entities')), [tenant.id]);
  const [objectName, setObjectName] = useState('Lead');
  const [payload, setPayload] = useState(SAMPLE_PAYLOAD);
  const [result, setResult] = useState(null);
  const action = useAction();

  const check = (event) => {
    event.preventDefault();
    return action.perform(async () => {
      const parsed = parseJson(payload);
      if (parsed.error) throw new Error(`Sample payload, line ${parsed.error.line}: ${parsed.error.message}`);
      setResult(await post(path(`/entities/${encodeURIComponent(objectName)}/mapping`), { payload: parsed.value }));
    });
  };
  // A result is of the object it was checked against: another object's columns make it stale.
  const choose = (name) => {
    setObjectName(name);
    setResult(null);
  };

  return (
    <section aria-labelledby="mapping-title">
      <h1 id="mapping-title">Field mapping</h1>
      <p class="muted">How the default process maps a webhook's parameters onto an object of the Webhook entities lookup.</p>
      <KeptWebhooks tenant={tenant} />
      <Loading state={objects}>{(list) => <ObjectColumns list={list} objectName={objectName} choose={choose} />}</Loading>
      <form onSubmit={check} class="panel">
        <label>
          Sample payload (JSON)
          <textarea class="code" rows={10} spellcheck={false} value={payload} onInput={(event) => setPayload(event.currentTarget.value)} />
        </label>
        <button type="submit" disabled={action.busy}>
          Check the mapping
        </button>
        <ErrorNote error={action.error} />
      </form>
      {result && <MappingResult result={result} />}
    </section>
  );
}

/** The newest webhooks kept without a record (no process understood them), each with "Map this webhook". */
function KeptWebhooks({ tenant }) {
  const kept = useLoad(() => get(tenantApi(tenant.id)('/webhooks?status=received&limit=5')), [tenant.id]);
  if (!kept.data || kept.data.items.length === 0) return null;
  return (
    <div class="panel kept-webhooks">
      <h2>Webhooks kept without a record</h2>
      <p class="muted">A new form tool's webhooks have their own field names: map one, and a process is proposed from it.</p>
      <ul>
        {kept.data.items.map((webhook) => (
          <li data-webhook={webhook.id}>
            {new Date(webhook.receivedAt).toLocaleString()} — {webhook.apiKeyName}: <span class="muted">{short(webhook.reason ?? '', 80)}</span>{' '}
            <Link href={`/t/${tenant.id}/webhooks/${webhook.id}/map`}>
              Map this webhook<span class="visually-hidden"> of {new Date(webhook.receivedAt).toLocaleString()}</span>
            </Link>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The object picker (objects of the Webhook entities lookup only) and the chosen object's columns. */
function ObjectColumns({ list, objectName, choose }) {
  const object = list.find((candidate) => candidate.name === objectName) ?? list[0];
  return (
    <>
      <label class="inline">
        Object
        <select value={object?.name} onChange={(event) => choose(event.currentTarget.value)}>
          {list
            .filter((candidate) => candidate.inWebhookLookup)
            .map((candidate) => (
              <option value={candidate.name}>
                {candidate.caption} ({candidate.name})
              </option>
            ))}
        </select>
      </label>
      <h2>Columns of {object?.caption}</h2>
      <ColumnsTable columns={object?.columns ?? []} class="columns" />
    </>
  );
}

function MappingResult({ result }) {
  return (
    <div aria-live="polite">
      <h2>Parameters</h2>
      <table class="mapping">
        <thead>
          <tr>
            <th scope="col">Parameter</th>
            <th scope="col">Value</th>
            <th scope="col">Outcome</th>
            <th scope="col">Column</th>
            <th scope="col">Problem</th>
          </tr>
        </thead>
        <tbody>
          {result.parameters.map((parameter) => (
            <tr class={`outcome-${parameter.outcome}`} data-parameter={parameter.name}>
              <td>
                <code>{parameter.name}</code>
              </td>
              <td>{short(parameter.value, 60)}</td>
              <td>
                <span class={`badge outcome-${parameter.outcome}`}>{OUTCOME_WORDS[parameter.outcome]}</span>
              </td>
              <td>{parameter.column ?? ''}</td>
              <td class="problem">{parameter.problem ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {result.missingRequired.length > 0 ? (
        <p class="problem" role="alert">
          Required columns without a value: {result.missingRequired.join(', ')}
        </p>
      ) : (
        <p class="ok-note">Every required column has a value.</p>
      )}
    </div>
  );
}
