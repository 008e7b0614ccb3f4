import { useEffect, useState } from 'preact/hooks';
import { get, post, tenantApi } from '../../api.js';
import { formatTime } from '../../components.jsx';
import { parseJson } from '../../json-tools.js';
import { DryRunResult } from '../process/dry-run.jsx';
import { readDiagram } from './base-changes.js';

const RECENT = 20;
const PASTE = 'paste';

/** The sample chooser and "Dry run on the sample": the diagram as it is now (read into a definition) on the sample's payload. */
export function SampleBar({ tenant, sample, setSample, modeler, perform, busy }) {
  const [dryRun, setDryRun] = useState(null);
  const test = (body) => post(tenantApi(tenant.id)('/processes/test'), body);
  const run = () =>
    perform(async () => {
      setDryRun(null);
      const read = await readDiagram(modeler.current);
      if (!read.definition) throw new Error(`The diagram is not a process yet: ${read.problems.map((problem) => problem.message).join('; ')}`);
      const inputs = { definition: read.definition, payload: sample.payload };
      setDryRun({ test: await test(inputs), compared: null, inputs, choices: {}, run: Date.now() });
    });
  // Going on past the waits of the run shown (dry-run.jsx's GoOn): the same definition and payload again.
  const goOn = async (choices) => setDryRun({ ...dryRun, test: await test({ ...dryRun.inputs, waits: choices }), choices, run: Date.now() });
  return (
    <>
      <div class="actions designer-sample-bar">
        <SampleChooser
          tenant={tenant}
          sample={sample}
          setSample={(next) => {
            setSample(next);
            setDryRun(null);
          }}
          perform={perform}
        />
        <button type="button" class="secondary" onClick={run} disabled={busy || !sample}>
          Dry run on the sample
        </button>
      </div>
      {dryRun && (
        <section class="panel" aria-labelledby="designer-dry-run-title">
          <h2 id="designer-dry-run-title">Dry run on {sample?.label ?? 'the sample'}</h2>
          <DryRunResult tenant={tenant} result={dryRun} goOn={goOn} />
        </section>
      )}
    </>
  );
}

/**
 * The Designer's sample: one of the tenant's recent stored webhooks (received time, key name and
 * status), or a pasted payload. The expression fields show their value on it and offer its
 * parameters; "Dry run on the sample" runs the diagram on it. Kept while the view is open.
 */
export function SampleChooser({ tenant, sample, setSample, perform }) {
  const path = tenantApi(tenant.id);
  const webhooks = useRecentWebhooks(tenant.id);
  const [choice, setChoice] = useState('');
  const [pasted, setPasted] = useState('');
  const [problem, setProblem] = useState(null);

  const choose = (value) => {
    setChoice(value);
    setProblem(null);
    if (value === '') setSample(null);
    if (value === '' || value === PASTE) return;
    perform(async () => {
      const webhook = await get(path(`/webhooks/${encodeURIComponent(value)}`));
      setSample({ label: `the webhook of ${formatTime(webhook.receivedAt)} (${webhook.apiKeyName})`, webhookId: webhook.id, payload: webhook.payload });
    });
  };

  const usePasted = () => {
    const parsed = parseJson(pasted);
    if (parsed.error) return setProblem(`Line ${parsed.error.line}, column ${parsed.error.column}: ${parsed.error.message}`);
    if (!parsed.value || typeof parsed.value !== 'object' || Array.isArray(parsed.value)) return setProblem('A payload is a JSON object.');
    setProblem(null);
    setSample({ label: 'the pasted payload', webhookId: null, payload: parsed.value });
  };

  return (
    <div class="designer-sample">
      <label for="designer-sample" class="inline">
        Sample
        <select id="designer-sample" value={choice} aria-describedby="designer-sample-about" onChange={(event) => choose(event.currentTarget.value)}>
          <option value="">No sample</option>
          {webhooks.list.map((webhook) => (
            <option value={webhook.id}>
              {formatTime(webhook.receivedAt)} · {webhook.keyName} · {webhook.status}
            </option>
          ))}
          <option value={PASTE}>Paste a payload…</option>
        </select>
      </label>
      <span id="designer-sample-about" class={sample || webhooks.error ? 'muted' : 'visually-hidden'}>
        {sample
          ? `Expressions show their value on ${sample.label}.`
          : 'Choose a stored webhook or paste a payload: expression fields then show their value on it.'}
        {webhooks.error && ` The stored webhooks did not load (${webhooks.error}).`}
      </span>
      {choice === PASTE && (
        <div class="designer-paste">
          <label for="designer-sample-payload">Sample payload (JSON)</label>
          <textarea
            id="designer-sample-payload"
            class="code"
            rows={6}
            spellcheck={false}
            value={pasted}
            onInput={(event) => setPasted(event.currentTarget.value)}
          />
          <button type="button" class="secondary" onClick={usePasted}>
            Use this payload
          </button>
          {problem && (
            <p class="field-problem" role="alert">
              {problem}
            </p>
          )}
        </div>
      )}
    </div>
  );
}

/** The latest stored webhooks with the name of the key each came with (from the key list: the log keeps the key's id). */
function useRecentWebhooks(tenantId) {
  const [state, setState] = useState({ list: [], error: null });
  useEffect(() => {
    const path = tenantApi(tenantId);
    let gone = false;
    Promise.all([get(path(`/webhooks?limit=${RECENT}`)), get(path('/api-keys')).catch(() => [])]).then(
      ([page, keys]) => {
        const names = new Map(keys.map((key) => [key.id, key.name]));
        if (!gone)
          setState({ list: page.items.map((webhook) => ({ ...webhook, keyName: names.get(webhook.apiKeyId) ?? webhook.apiKeyId.slice(0, 8) })), error: null });
      },
      (error) => !gone && setState({ list: [], error: error.message }),
    );
    return () => {
      gone = true;
    };
  }, [tenantId]);
  return state;
}
