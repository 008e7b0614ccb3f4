import { useRef, useState } from 'preact/hooks';
import { get, post, put, tenantApi } from '../../api.js';
import { ErrorNote, formatTime, Loading, PlannedRecords, short, StatusBadge, Trace, useAction, useLoad } from '../../components.jsx';
import { parseJson } from '../../json-tools.js';
import { Link } from '../../router.jsx';
import { GoOn } from './dry-run-waits.jsx';
import defaultSample from '../../../../processes/samples/create-object-records-from-webhook.json';
import landingSample from '../../../../processes/samples/landing-page-lead.json';
import upsertSample from '../../../../processes/samples/upsert-contact-by-email.json';

// The sample payloads that ship with the base processes (processes/samples), bundled at build time.
const SAMPLES = {
  'The reference example (Lead)': defaultSample,
  'A landing-page form': landingSample,
  'A contact with an email': upsertSample,
};

/** Dry-runs the draft on a sample payload and on picked stored webhooks, next to what happened. */
export function DryRun({ tenant, detail, draft, valid, writable, saved }) {
  const [payload, setPayload] = useState(JSON.stringify(defaultSample, null, 2));
  const [selected, setSelected] = useState([]);
  const { action, result, replayed, run, goOn, saveAndReplay } = useDryRunActions({ tenant, detail, draft, payload, selected, saved });
  const toggle = (id) => setSelected(selected.includes(id) ? selected.filter((other) => other !== id) : [...selected, id]);

  return (
    <section class="panel" aria-labelledby="dry-run-title">
      <h2 id="dry-run-title">Test before activating</h2>
      <div class="two-columns">
        <SamplePayload payload={payload} setPayload={setPayload} />
        <WebhookPicker tenant={tenant} selected={selected} toggle={toggle} />
      </div>
      <div class="actions">
        <button type="button" onClick={run} disabled={action.busy || !valid}>
          Dry-run the draft
        </button>
        {writable && selected.length > 0 && (
          <button type="button" onClick={saveAndReplay} disabled={action.busy || !valid}>
            Save, activate and replay {selected.length} selected
          </button>
        )}
      </div>
      <ErrorNote error={action.error} />
      {replayed && <ReplayNote tenant={tenant} replayed={replayed} />}
      {result && <DryRunResult tenant={tenant} result={result} goOn={goOn} />}
    </section>
  );
}

/**
 * Dry-running the draft (with no choice for its waits), going on past the waits of the run shown as
 * chosen (the same definition and payload again), and saving the draft to replay the picked webhooks.
 */
function useDryRunActions({ tenant, detail, draft, payload, selected, saved }) {
  const path = tenantApi(tenant.id);
  const [result, setResult] = useState(null);
  // Each result is a new run: the choices shown for its waits start afresh.
  const runs = useRef(0);
  const [replayed, setReplayed] = useState(null);
  const action = useAction();

  const run = () =>
    action.perform(async () => {
      setReplayed(null);
      const definition = JSON.parse(draft);
      const sample = parseJson(payload);
      if (sample.error) throw new Error(`Sample payload, line ${sample.error.line}: ${sample.error.message}`);
      const test = await post(path('/processes/test'), { definition, payload: sample.value });
      const compared = selected.length > 0 ? await post(path('/processes/what-if'), { definition, webhookIds: selected }) : null;
      setResult({ test, compared, inputs: { definition, payload: sample.value }, choices: {}, run: ++runs.current });
    });

  // Throws the service's refusal (400: a choice the step does not take) to the one who chose.
  const goOn = async (choices) => {
    const test = await post(path('/processes/test'), { ...result.inputs, waits: choices });
    setResult({ ...result, test, choices, run: ++runs.current });
  };

  const saveAndReplay = () =>
    action.perform(async () => {
      const definition = JSON.parse(draft);
      await put(path(`/processes/${encodeURIComponent(detail.id)}`), { definition });
      if (!detail.active) await post(path(`/processes/${encodeURIComponent(detail.id)}/activate`));
      const outcomes = [];
      for (const id of selected) {
        try {
          await post(path(`/webhooks/${id}/replay`), {});
          outcomes.push({ id, ok: true });
        } catch (error) {
          outcomes.push({ id, ok: false, message: error.message });
        }
      }
      setReplayed(outcomes);
      await saved();
    });

  return { action, result, replayed, run, goOn, saveAndReplay };
}

function SamplePayload({ payload, setPayload }) {
  return (
    <div>
      <label class="inline">
        Start from
        <select onChange={(event) => SAMPLES[event.currentTarget.value] && setPayload(JSON.stringify(SAMPLES[event.currentTarget.value], null, 2))}>
          {Object.keys(SAMPLES).map((name) => (
            <option value={name}>{name}</option>
          ))}
        </select>
      </label>
      <label>
        Sample payload (JSON)
        <textarea class="code" rows={9} spellcheck={false} value={payload} onInput={(event) => setPayload(event.currentTarget.value)} />
      </label>
    </div>
  );
}

/** The latest stored webhooks, filtered by status, to pick for the what-if comparison. */
function WebhookPicker({ tenant, selected, toggle }) {
  const [status, setStatus] = useState('');
  const webhooks = useLoad(() => get(tenantApi(tenant.id)(`/webhooks?limit=20${status ? `&status=${status}` : ''}`)), [tenant.id, status]);
  return (
    <fieldset>
      <legend>Stored webhooks to compare</legend>
      <label class="inline">
        Status
        <select value={status} onChange={(event) => setStatus(event.currentTarget.value)}>
          <option value="">any</option>
          <option value="received">kept without record</option>
          <option value="failed">failed</option>
          <option value="processed">processed</option>
        </select>
      </label>
      <Loading state={webhooks}>
        {(page) =>
          page.items.length === 0 ? (
            <p class="muted">No stored webhooks.</p>
          ) : (
            <ul class="pick-list">
              {page.items.map((webhook) => (
                <li>
                  <label class="inline">
                    <input type="checkbox" checked={selected.includes(webhook.id)} onChange={() => toggle(webhook.id)} />
                    {formatTime(webhook.receivedAt)} <StatusBadge status={webhook.status} /> <span class="muted">{short(webhook.reason ?? '', 60)}</span>
                  </label>
                </li>
              ))}
            </ul>
          )
        }
      </Loading>
    </fieldset>
  );
}

function ReplayNote({ tenant, replayed }) {
  return (
    <p class="ok-note" role="status">
      Replayed {replayed.filter((entry) => entry.ok).length} of {replayed.length} webhooks.
      {replayed
        .filter((entry) => !entry.ok)
        .map((entry) => ` ${entry.id.slice(0, 8)}: ${entry.message}`)
        .join(' ')}{' '}
      <Link href={`/t/${tenant.id}/webhooks`}>Open the webhook log</Link>
    </p>
  );
}

/** What the draft did with the sample payload and, when webhooks were picked, with each of them. */
export function DryRunResult({ tenant, result, goOn }) {
  return (
    <div class="dry-run-result" aria-live="polite">
      <h3>
        On the sample payload: <StatusBadge status={result.test.status} />
      </h3>
      {result.test.error && <p class="problem">{result.test.error.message}</p>}
      <GoOn key={result.run} result={result} goOn={goOn} />
      <div class="two-columns">
        <div>
          <h4>Step by step</h4>
          <Trace trace={result.test.trace} label="Dry-run steps" />
        </div>
        <div>
          <h4>Records it would write</h4>
          <PlannedRecords records={result.test.records} empty="It would write no record." />
        </div>
      </div>
      {result.compared && <WhatIf tenant={tenant} compared={result.compared} />}
    </div>
  );
}

function WhatIf({ tenant, compared }) {
  return (
    <>
      <h3>On the stored webhooks</h3>
      <p>
        {compared.compared} compared; {compared.wouldNowWrite} kept without record would now write records.
      </p>
      <table class="what-if">
        <thead>
          <tr>
            <th scope="col">Webhook</th>
            <th scope="col">What happened</th>
            <th scope="col">With the draft</th>
          </tr>
        </thead>
        <tbody>
          {compared.entries.map((entry) => (
            <tr>
              <td>
                <Link href={`/t/${tenant.id}/webhooks/${entry.webhook.id}`}>{formatTime(entry.webhook.receivedAt)}</Link>
              </td>
              <td>
                <StatusBadge status={entry.webhook.status} /> {entry.webhook.reason && <span class="problem">{entry.webhook.reason}</span>}
                {entry.webhook.recordIds.length > 0 && <span> {entry.webhook.recordIds.length} record(s)</span>}
              </td>
              <td>
                <StatusBadge status={entry.draft.status} /> {entry.draft.error && <span class="problem">{entry.draft.error.message}</span>}
                <PlannedRecords records={entry.draft.records} empty="no record" />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
