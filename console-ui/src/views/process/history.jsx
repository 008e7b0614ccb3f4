import { del, tenantApi } from '../../api.js';
import { ErrorNote, formatTime, useAction } from '../../components.jsx';
import { navigate } from '../../router.jsx';

/** The saved versions, with revert (an override), delete (a custom process) and roll back. */
export function History({ tenant, detail, writable, busy, act }) {
  const removal = useAction();
  const remove = async () => {
    if (!window.confirm(`Delete the custom process “${detail.name}” and its versions?`)) return;
    const done = await removal.perform(() => del(tenantApi(tenant.id)(`/processes/${encodeURIComponent(detail.id)}`)).then(() => true));
    if (done) navigate(`/t/${tenant.id}/processes`);
  };
  return (
    <>
      {writable && detail.source === 'override' && (
        <p>
          <button type="button" class="secondary" disabled={busy} onClick={() => act('/revert')}>
            Revert to the base definition
          </button>
        </p>
      )}
      {writable && detail.source === 'custom' && (
        <p>
          <button type="button" class="danger" disabled={busy || removal.busy} onClick={remove}>
            Delete this process
          </button>
        </p>
      )}
      <ErrorNote error={removal.error} />
      {detail.versions.length === 0 ? (
        <p class="muted">No saved versions: the base definition runs.</p>
      ) : (
        <Versions detail={detail} writable={writable} busy={busy} act={act} />
      )}
    </>
  );
}

function Versions({ detail, writable, busy, act }) {
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">Version</th>
          <th scope="col">Saved</th>
          <th scope="col">Note</th>
          <th scope="col">
            <span class="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {detail.versions.map((version) => (
          <tr>
            <td>
              v{version.version}
              {detail.source !== 'base' && detail.version === version.version && <span class="badge">running</span>}
            </td>
            <td>{formatTime(version.createdAt)}</td>
            <td>{version.note ?? ''}</td>
            <td>
              {writable && !(detail.source !== 'base' && detail.version === version.version) && (
                <button type="button" class="secondary" disabled={busy} onClick={() => act('/rollback', { version: version.version })}>
                  Roll back to v{version.version}
                </button>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
