import { get, tenantApi } from '../api.js';
import { formatTime, Loading, useLoad } from '../components.jsx';
import { Link } from '../router.jsx';

const SERIES = [
  ['processed', 'Processed'],
  ['received', 'Kept without record'],
  ['failed', 'Failed'],
  ['queued', 'Queued'],
];

export function Dashboard({ tenant }) {
  const path = tenantApi(tenant.id);
  const state = useLoad(() => get(path('/stats?hours=24')), [tenant.id]);
  return (
    <section aria-labelledby="dashboard-title">
      <div class="title-row">
        <h1 id="dashboard-title">Dashboard — {tenant.name}</h1>
        <button type="button" class="secondary" onClick={state.reload}>
          Refresh
        </button>
      </div>
      <Loading state={state}>
        {(stats) => (
          <>
            <div class="cards">
              <Card label="Webhooks, last 24 h" value={stats.last24h.received} />
              <Card label="Failed, last 24 h" value={stats.last24h.failed} tone={stats.last24h.failed > 0 ? 'bad' : ''}>
                {stats.last24h.failed > 0 && <Link href={`/t/${tenant.id}/webhooks?status=failed`}>See them</Link>}
              </Card>
              <Card label="Kept without record, last 24 h" value={stats.last24h.keptWithoutRecord} tone={stats.last24h.keptWithoutRecord > 0 ? 'warn' : ''}>
                {stats.last24h.keptWithoutRecord > 0 && <Link href={`/t/${tenant.id}/webhooks?status=received`}>See them</Link>}
              </Card>
              <Card label="Waiting for the worker" value={stats.queued} />
              <Card label="Instances waiting" value={stats.instances.waiting}>
                {stats.instances.waiting > 0 && <Link href={`/t/${tenant.id}/instances?status=waiting`}>See them</Link>}
              </Card>
              <Card label="Instances failed" value={stats.instances.failed} tone={stats.instances.failed > 0 ? 'bad' : ''}>
                {stats.instances.failed > 0 && <Link href={`/t/${tenant.id}/instances?status=failed`}>See them</Link>}
              </Card>
              <Card label="Open tasks" value={stats.tasks?.open ?? 0} tone={stats.tasks?.open > 0 ? 'warn' : ''}>
                <Link href={`/t/${tenant.id}/tasks`}>{stats.tasks?.open > 0 ? 'Decide them' : 'Open the inbox'}</Link>
              </Card>
              <Card label="Queue depth (all tenants)" value={stats.queue.waiting + stats.queue.active + stats.queue.delayed}>
                <span class="muted">
                  {stats.queue.waiting} waiting, {stats.queue.active} active, {stats.queue.delayed} delayed (retries, schedules)
                </span>
              </Card>
              <Card label="Processed per minute" value={stats.processingRate.perMinuteLast15m}>
                <span class="muted">last 15 min; {stats.processingRate.perMinuteLastHour}/min over the hour</span>
              </Card>
            </div>
            <h2>Webhooks by status, per hour</h2>
            <Chart hours={stats.hours} />
          </>
        )}
      </Loading>
      <Drift tenant={tenant} />
    </section>
  );
}

const DRIFT_KINDS = {
  'new-unmapped': 'New, mapped by no process',
  'missing-mapped': 'Mapped before, no longer sent',
};

/** Senders that changed their forms: parameters that appeared unmapped, or mapped ones that stopped. */
function Drift({ tenant }) {
  const state = useLoad(() => get(tenantApi(tenant.id)('/drift')), [tenant.id]);
  return (
    <Loading state={state}>
      {(events) =>
        events.length > 0 && (
          <section class="panel drift" aria-labelledby="drift-title">
            <h2 id="drift-title">Schema drift</h2>
            <table>
              <thead>
                <tr>
                  <th scope="col">Parameter</th>
                  <th scope="col">Change</th>
                  <th scope="col">API key</th>
                  <th scope="col">Since</th>
                  <th scope="col">Webhooks</th>
                </tr>
              </thead>
              <tbody>
                {events.map((event) => (
                  <tr data-drift={event.parameter}>
                    <td>
                      <code>{event.parameter}</code>
                    </td>
                    <td>{DRIFT_KINDS[event.kind] ?? event.kind}</td>
                    <td>{event.apiKeyName ?? event.apiKeyId}</td>
                    <td>{formatTime(event.firstSeenAt)}</td>
                    <td>{event.count}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        )
      }
    </Loading>
  );
}

function Card({ label, value, tone = '', children }) {
  return (
    <div class={`card ${tone}`}>
      <div class="card-label">{label}</div>
      <div class="card-value">{value}</div>
      {children}
    </div>
  );
}

/** Stacked bars per hour as inline SVG, with a table of the same numbers for screen readers. */
function Chart({ hours }) {
  const width = 720;
  const height = 220;
  const pad = { left: 36, right: 8, top: 10, bottom: 28 };
  const max = Math.max(1, ...hours.map((hour) => SERIES.reduce((sum, [key]) => sum + hour[key], 0)));
  const band = (width - pad.left - pad.right) / hours.length;
  const scale = (value) => ((height - pad.top - pad.bottom) * value) / max;
  const ticks = [0, Math.ceil(max / 2), max];
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label="Webhooks received per hour over the last 24 hours, by status">
        {ticks.map((tick) => (
          <g>
            <line x1={pad.left} x2={width - pad.right} y1={height - pad.bottom - scale(tick)} y2={height - pad.bottom - scale(tick)} class="grid" />
            <text x={pad.left - 4} y={height - pad.bottom - scale(tick) + 4} text-anchor="end" class="axis">
              {tick}
            </text>
          </g>
        ))}
        {hours.map((hour, index) => {
          let y = height - pad.bottom;
          const x = pad.left + index * band + 2;
          return (
            <g>
              <title>
                {new Date(hour.start).toLocaleString()}: {SERIES.map(([key, label]) => `${hour[key]} ${label.toLowerCase()}`).join(', ')}
              </title>
              {SERIES.map(([key]) => {
                const h = scale(hour[key]);
                y -= h;
                return h > 0 ? <rect x={x} y={y} width={Math.max(1, band - 4)} height={h} class={`bar ${key}`} /> : null;
              })}
              {index % 3 === 0 && (
                <text x={x + band / 2} y={height - 8} text-anchor="middle" class="axis">
                  {new Date(hour.start).getHours().toString().padStart(2, '0')}h
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption class="legend">
        {SERIES.map(([key, label]) => (
          <span>
            <span class={`swatch ${key}`} aria-hidden="true" /> {label}
          </span>
        ))}
      </figcaption>
      <details>
        <summary>Numbers per hour</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">Hour</th>
              {SERIES.map(([, label]) => (
                <th scope="col">{label}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {hours.map((hour) => (
              <tr>
                <td>{new Date(hour.start).toLocaleString()}</td>
                {SERIES.map(([key]) => (
                  <td>{hour[key]}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
