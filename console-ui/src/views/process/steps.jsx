/** The steps as a readable list: what each does, with its inputs. */
export function StepList({ steps, trigger }) {
  return (
    <>
      <h2>Starts</h2>
      {trigger?.type === 'schedule' ? (
        <p>
          On the schedule <code>{trigger.cron}</code> ({trigger.timezone ?? 'UTC'}), once per tick.
        </p>
      ) : trigger?.type === 'record' ? (
        <RecordTrigger trigger={trigger} />
      ) : (
        <WebhookTrigger trigger={trigger} />
      )}
      <h2>Steps</h2>
      <Steps steps={steps} />
    </>
  );
}

function WebhookTrigger({ trigger }) {
  return (
    <>
      <p>
        For every webhook
        {trigger?.apiKeys && <> sent with the key {trigger.apiKeys.map((name) => `“${name}”`).join(' or ')}</>}
        {trigger?.condition && (
          <>
            {' '}
            when <code>{trigger.condition}</code>
          </>
        )}
        .
      </p>
    </>
  );
}

function RecordTrigger({ trigger }) {
  return (
    <p>
      When a process {trigger.on.map((on) => (on === 'created' ? 'creates' : 'updates')).join(' or ')} a <code>{trigger.object}</code> record
      {trigger.condition && (
        <>
          {' '}
          for which <code>{trigger.condition}</code>
        </>
      )}
      ; <code>$</code> is the record.
    </p>
  );
}

function Steps({ steps }) {
  return (
    <ol class="steps">
      {steps.map((step) => (
        <li class="step" data-step={step.id}>
          <div class="step-head">
            <strong>{step.id}</strong> <span class="badge">{step.type}</span>
          </div>
          {step.description && <p>{step.description}</p>}
          {step.input && <Inputs value={step.input} />}
          {step.then && (
            <div class="branch">
              <div class="branch-label">Then</div>
              <Steps steps={step.then} />
            </div>
          )}
          {step.else && (
            <div class="branch">
              <div class="branch-label">Else</div>
              <Steps steps={step.else} />
            </div>
          )}
        </li>
      ))}
    </ol>
  );
}

function Inputs({ value }) {
  if (value === null || typeof value !== 'object') return <code>{JSON.stringify(value)}</code>;
  if (Array.isArray(value)) return <code>{value.map((item) => JSON.stringify(item)).join(', ')}</code>;
  return (
    <dl class="inputs">
      {Object.entries(value).map(([key, item]) => (
        <>
          <dt>{key}</dt>
          <dd>
            {item !== null && typeof item === 'object' && !Array.isArray(item) ? (
              <Inputs value={item} />
            ) : (
              <code>{typeof item === 'string' ? item : JSON.stringify(item)}</code>
            )}
          </dd>
        </>
      ))}
    </dl>
  );
}
