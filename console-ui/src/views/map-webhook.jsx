import { useEffect, useState } from 'preact/hooks';
import { get, post, tenantApi } from '../api.js';
import { ErrorNote, Loading, PlannedRecords, short, StatusBadge, Trace, useAction, useLoad } from '../components.jsx';
import { Link } from '../router.jsx';
import { createdRecord } from './webhook-detail.jsx';

const REASONS = { name: 'by name', 'value-shape': 'by the shape of its value', 'lookup-value': 'by a lookup value', chosen: 'your choice' };
const SOURCES = { typeform: 'a Typeform form', tally: 'a Tally form', jotform: 'a Jotform form' };

/**
 * "Map this webhook": for a stored webhook no process understood (a new form tool's first one),
 * the custom process the server proposes (POST …/webhooks/:id/mapping-proposal): each parameter,
 * nested ones included, with the column it matched, why and how sure. The analyst picks the
 * object and corrects columns — each change asks the server again, which keeps the definition —,
 * dry-runs it against this very webhook, saves it (active, for the webhook's key) and replays the
 * webhook. No JSON is typed: the process opens in the Designer afterwards.
 */
export function MapWebhook({ tenant, can, webhookId }) {
  const path = tenantApi(tenant.id);
  const webhook = useLoad(() => get(path(`/webhooks/${webhookId}`)), [tenant.id, webhookId]);
  const objects = useLoad(() => get(path('/entities')), [tenant.id]);
  const mapping = useProposal(path, webhookId);

  return (
    <section aria-labelledby="map-title">
      <p class="crumbs">
        <Link href={`/t/${tenant.id}/webhooks`}>Webhook log</Link> / <Link href={`/t/${tenant.id}/webhooks/${webhookId}`}>{webhookId}</Link> / Map
      </p>
      <h1 id="map-title">Map this webhook</h1>
      <Loading state={webhook}>
        {(stored) => (
          <Loading state={objects}>
            {(list) => <Mapping tenant={tenant} can={can} stored={stored} objects={list.filter((object) => object.inWebhookLookup)} mapping={mapping} />}
          </Loading>
        )}
      </Loading>
    </section>
  );
}

/** The proposal for the object and the analyst's column choices, asked again whenever either changes. */
function useProposal(path, webhookId) {
  const [object, setObject] = useState(undefined);
  const [choices, setChoices] = useState({});
  const [proposal, setProposal] = useState(null);
  const action = useAction();
  useEffect(() => {
    action.perform(async () => {
      const body = object === undefined ? {} : { object, columns: choices };
      setProposal(await post(path(`/webhooks/${webhookId}/mapping-proposal`), body));
    });
  }, [object, choices]);
  return {
    proposal,
    action,
    // The columns chosen are of one object: another object starts afresh.
    chooseObject: (name) => {
      setChoices({});
      setObject(name);
    },
    chooseColumn: (parameterPath, column) => {
      if (object === undefined) setObject(proposal.object);
      setChoices({ ...choices, [parameterPath]: column });
    },
  };
}

function Mapping({ tenant, can, stored, objects, mapping }) {
  const { proposal, action } = mapping;
  const [naming, setNaming] = useState({});
  const [dryRun, setDryRun] = useState(null);
  const [saved, setSaved] = useState(null);
  const path = tenantApi(tenant.id);
  const definition = proposal && { ...proposal.definition, ...naming };
  const steps = useAction();

  // A new proposal (another object, a corrected column) is not what was dry-run.
  useEffect(() => setDryRun(null), [proposal]);

  const run = () => steps.perform(async () => setDryRun(await post(path('/processes/test'), { definition, payload: stored.payload })));
  const save = () =>
    steps.perform(async () => {
      const view = await post(path('/processes'), { definition });
      setSaved({ process: view, replay: null });
    });
  const replay = () =>
    steps.perform(async () => {
      await post(path(`/webhooks/${stored.id}/replay`), {});
      // The worker runs it within moments; show what it wrote.
      let fresh = stored;
      for (let i = 0; i < 40; i++) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        fresh = await get(path(`/webhooks/${stored.id}`));
        if (fresh.status !== 'queued' && fresh.runs.some((candidate) => candidate.processId === saved.process.id && candidate.status !== 'running')) break;
      }
      setSaved({ ...saved, replay: fresh });
    });

  return (
    <>
      <p class="muted">
        Received {new Date(stored.receivedAt).toLocaleString()} with the key {stored.apiKeyName}
        {proposal?.source ? `, from ${SOURCES[proposal.source]}` : ''}. <StatusBadge status={stored.status} />
        {stored.reason && <> {stored.reason}</>}
      </p>
      <ErrorNote error={action.error} />
      {!proposal ? (
        <p class="loading">Proposing a mapping…</p>
      ) : (
        <>
          <ObjectChoice objects={objects} proposal={proposal} choose={mapping.chooseObject} busy={action.busy} />
          <ParameterTable proposal={proposal} objects={objects} chooseColumn={mapping.chooseColumn} busy={action.busy} writable={can('processes:write')} />
          {proposal.missingRequired.length > 0 && (
            <p class="problem" role="alert">
              Required columns no parameter gives: {proposal.missingRequired.join(', ')}. Choose a parameter for each, or the record cannot be written.
            </p>
          )}
          {proposal.truncated && (
            <p class="muted">
              Only the first {proposal.parameters.length} of {proposal.parameterCount} parameters were considered.
            </p>
          )}
          <ProcessNaming definition={definition} naming={naming} setNaming={setNaming} />
          <div class="actions">
            <button type="button" class="secondary" onClick={run} disabled={steps.busy || action.busy}>
              Dry run on this webhook
            </button>
            {can('processes:write') && !saved && (
              <button type="button" onClick={save} disabled={steps.busy || action.busy}>
                Save as an active process
              </button>
            )}
          </div>
          <ErrorNote error={steps.error} />
          {dryRun && <DryRunOutcome result={dryRun} />}
          {saved && <Saved tenant={tenant} can={can} saved={saved} replay={replay} busy={steps.busy} />}
        </>
      )}
    </>
  );
}

function ObjectChoice({ objects, proposal, choose, busy }) {
  return (
    <p>
      <label class="inline">
        Target object
        <select value={proposal.object} disabled={busy} onChange={(event) => choose(event.currentTarget.value)}>
          {objects.map((object) => (
            <option value={object.name}>
              {object.caption} ({object.name})
            </option>
          ))}
        </select>
      </label>{' '}
      {proposal.objectChosen === 'best-match' && <span class="muted">proposed: its columns match this webhook's parameters best</span>}
    </p>
  );
}

/** Each parameter with its value here, the column it goes to (a select to correct it) and why. */
function ParameterTable({ proposal, objects, chooseColumn, busy, writable }) {
  const object = objects.find((candidate) => candidate.name === proposal.object);
  const columns = (object?.columns ?? []).filter((column) => !['Id', 'CreatedOn', 'ModifiedOn'].includes(column.name));
  const matched = proposal.parameters.filter((parameter) => parameter.column).length;
  return (
    <>
      <h2>
        Parameters: {matched} of {proposal.parameters.length} matched
      </h2>
      <table class="mapping proposal">
        <thead>
          <tr>
            <th scope="col">Parameter</th>
            <th scope="col">Value here</th>
            <th scope="col">Column</th>
            <th scope="col">Why</th>
          </tr>
        </thead>
        <tbody>
          {proposal.parameters.map((parameter) => {
            const id = `column-${parameter.path}`;
            return (
              <tr data-parameter={parameter.path} class={parameter.column ? 'matched' : 'unmatched'}>
                <th scope="row">
                  <label for={id}>{parameter.label ?? parameter.path}</label>
                  {parameter.label && (
                    <>
                      <br />
                      <code class="muted">{parameter.path}</code>
                    </>
                  )}
                </th>
                <td>{short(parameter.sample, 60)}</td>
                <td>
                  <select
                    id={id}
                    value={parameter.column ?? ''}
                    disabled={busy || !writable}
                    onChange={(event) => chooseColumn(parameter.path, event.currentTarget.value || null)}
                  >
                    <option value="">— not written —</option>
                    {columns.map((column) => (
                      <option value={column.name}>
                        {column.caption} ({column.name})
                      </option>
                    ))}
                  </select>
                </td>
                <td>
                  {parameter.reason && (
                    <span class={`badge reason-${parameter.reason}`}>
                      {REASONS[parameter.reason]}, {Math.round(parameter.confidence * 100)}%
                    </span>
                  )}{' '}
                  <span class="muted">{parameter.explanation}</span>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </>
  );
}

/** The process's id and name, proposed from the form tool and the object; the analyst may rename them. */
function ProcessNaming({ definition, naming, setNaming }) {
  const field = (name, label) => (
    <label>
      {label}
      <input type="text" value={definition[name]} onInput={(event) => setNaming({ ...naming, [name]: event.currentTarget.value })} />
    </label>
  );
  return (
    <fieldset class="panel process-naming">
      <legend>The process</legend>
      {field('id', 'Process id')}
      {field('name', 'Name')}
      <p class="muted">{definition.description}</p>
    </fieldset>
  );
}

function DryRunOutcome({ result }) {
  return (
    <div class="dry-run-result" aria-live="polite" data-testid="map-dry-run">
      <h3>
        On this webhook: <StatusBadge status={result.status} />
      </h3>
      {result.error && <p class="problem">{result.error.message}</p>}
      <div class="two-columns">
        <div>
          <h4>Step by step</h4>
          <Trace trace={result.trace} label="Dry-run steps" />
        </div>
        <div>
          <h4>Records it would write</h4>
          <PlannedRecords records={result.records} empty="It would write no record." />
        </div>
      </div>
    </div>
  );
}

/** After the save: the process (to open in the Designer) and the replay of this webhook with what it wrote. */
function Saved({ tenant, can, saved, replay, busy }) {
  const { process } = saved;
  return (
    <div class="panel" data-testid="map-saved">
      <p class="ok-note" role="status">
        Saved {process.name} as version {process.version}, {process.active ? 'active' : 'inactive'}.{' '}
        <Link href={`/t/${tenant.id}/processes/${encodeURIComponent(process.id)}?tab=designer`}>Open it in the designer</Link>
      </p>
      {can('webhooks:write') && !saved.replay && (
        <button type="button" onClick={replay} disabled={busy}>
          Replay this webhook
        </button>
      )}
      {saved.replay && (
        <>
          <p role="status">
            Replayed: <StatusBadge status={saved.replay.status} /> <Link href={`/t/${tenant.id}/webhooks/${saved.replay.id}`}>the webhook's detail</Link>
          </p>
          <PlannedRecords records={saved.replay.records.map(createdRecord)} />
        </>
      )}
    </div>
  );
}
