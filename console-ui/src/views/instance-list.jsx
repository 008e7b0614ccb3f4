import { useState } from 'preact/hooks';
import { get, instancesApi, tenantApi } from '../api.js';
import { describeWait, formatTime, Loading, short, StatusBadge, useLoad } from '../components.jsx';
import { Link } from '../router.jsx';

const PAGE = 50;
const MOST = 500;
const FILTERS = ['status', 'processId', 'waitingFor'];

/** The filter is kept in the address, so going back from an instance shows the same list. */
function initialFilter() {
  const query = new URLSearchParams(location.search);
  return Object.fromEntries(FILTERS.map((name) => [name, query.get(name) ?? '']));
}

function keepInAddress(filter) {
  const query = new URLSearchParams();
  for (const name of FILTERS) if (filter[name]) query.set(name, filter[name]);
  const search = query.toString();
  history.replaceState(null, '', search ? `${location.pathname}?${search}` : location.pathname);
}

export function InstanceList({ tenant }) {
  const [filter, setFilterState] = useState(initialFilter);
  const [limit, setLimit] = useState(PAGE);
  const setFilter = (next) => {
    keepInAddress(next);
    setLimit(PAGE);
    setFilterState(next);
  };
  const processes = useLoad(() => get(tenantApi(tenant.id)('/processes')), [tenant.id]);
  const page = useLoad(() => instancesApi(tenant.id).list(filter, limit), [tenant.id, filter.status, filter.processId, filter.waitingFor, limit]);

  return (
    <section aria-labelledby="instances-title">
      <div class="title-row">
        <h1 id="instances-title">Instances</h1>
        <button type="button" class="secondary" onClick={page.reload}>
          Refresh
        </button>
      </div>
      <p class="muted">
        Every run of a process, newest first: those that wait (for a time or for a webhook), those that failed and can be retried from the step that failed, and
        those that ended.
      </p>
      <InstanceFilters filter={filter} setFilter={setFilter} processes={processes.data ?? []} />
      <Loading state={page}>
        {(instances) => {
          if (instances.length === 0) return <p class="muted">No instances match.</p>;
          return (
            <>
              <InstanceTable instances={instances} tenantId={tenant.id} />
              {instances.length >= limit && limit < MOST && (
                <button type="button" class="secondary" disabled={page.loading} onClick={() => setLimit(Math.min(limit + PAGE, MOST))}>
                  Show more
                </button>
              )}
            </>
          );
        }}
      </Loading>
    </section>
  );
}

function InstanceFilters({ filter, setFilter, processes }) {
  const field = (name) => ({
    value: filter[name],
    onChange: (event) => setFilter({ ...filter, [name]: event.currentTarget.value }),
  });
  // A process filtered on from the address stays offered even if the tenant no longer has it.
  const known = processes.some((process) => process.id === filter.processId);
  return (
    <form class="filters" onSubmit={(event) => event.preventDefault()} aria-label="Filter the instances">
      <label>
        Status
        <select {...field('status')}>
          <option value="">any</option>
          <option value="waiting">waiting</option>
          <option value="running">running</option>
          <option value="failed">failed</option>
          <option value="completed">completed</option>
          <option value="skipped">skipped</option>
          <option value="cancelled">cancelled</option>
        </select>
      </label>
      <label>
        Process
        <select {...field('processId')}>
          <option value="">any</option>
          {processes.map((process) => (
            <option value={process.id}>{process.name}</option>
          ))}
          {filter.processId && !known && <option value={filter.processId}>{filter.processId}</option>}
        </select>
      </label>
      <label>
        Waiting for
        <select {...field('waitingFor')}>
          <option value="">anything or nothing</option>
          <option value="timer">a time</option>
          <option value="webhook">a webhook</option>
          <option value="approval">a decision (task)</option>
          <option value="retry">a retry</option>
          <option value="process">a called instance</option>
        </select>
      </label>
    </form>
  );
}

function InstanceTable({ instances, tenantId }) {
  return (
    <table class="instances">
      <thead>
        <tr>
          <th scope="col">Started</th>
          <th scope="col">Status</th>
          <th scope="col">Process</th>
          <th scope="col">Finished</th>
          <th scope="col">Waits for, or what became of it</th>
        </tr>
      </thead>
      <tbody>
        {instances.map((instance) => (
          <tr data-instance={instance.id}>
            <td>
              <Link href={`/t/${tenantId}/instances/${instance.id}`}>{formatTime(instance.startedAt)}</Link>
            </td>
            <td>
              <StatusBadge status={instance.status} />
            </td>
            <td>
              <code>{instance.processId}</code> v{instance.processVersion}
            </td>
            <td>{formatTime(instance.finishedAt)}</td>
            <td>{outcome(instance)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function outcome(instance) {
  if (instance.status === 'waiting' && instance.waits?.length) return instance.waits.map(describeWait).join('; ');
  if (instance.reason) return short(instance.reason, 140);
  return instance.recordIds.length > 0 ? `${instance.recordIds.length} record(s) written` : '';
}
