import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { del, get, setCsrfToken, whenSignedOut } from './api.js';
import { Link, navigate, usePath } from './router.jsx';
import { SignIn } from './views/sign-in.jsx';
import { Dashboard } from './views/dashboard.jsx';
import { ProcessList } from './views/process-list.jsx';
import { ProcessDetail } from './views/process-detail.jsx';
import { WebhookLog } from './views/webhook-log.jsx';
import { WebhookDetail } from './views/webhook-detail.jsx';
import { InstanceList } from './views/instance-list.jsx';
import { InstanceDetail } from './views/instance-detail.jsx';
import { TaskList, useOpenTaskCount } from './views/task-list.jsx';
import { FieldMapping } from './views/field-mapping.jsx';
import { MapWebhook } from './views/map-webhook.jsx';
import { Catalogue } from './views/catalogue.jsx';
import { Keys } from './views/keys.jsx';
import { Secrets } from './views/secrets.jsx';
import { Clients } from './views/clients.jsx';
import './styles.css';

const SECTIONS = [
  ['dashboard', 'Dashboard'],
  ['processes', 'Processes'],
  ['webhooks', 'Webhook log'],
  ['instances', 'Instances'],
  ['tasks', 'Tasks'],
  ['mapping', 'Field mapping'],
  ['catalogue', 'Catalogue'],
  ['keys', 'API keys'],
  ['secrets', 'Secrets'],
];
// Platform-wide screens, shown to platform admins beside the tenant's sections.
const PLATFORM_SECTIONS = [['clients', 'OAuth clients']];

function App() {
  const path = usePath();
  const [session, setSession] = useState(undefined);

  useEffect(() => {
    whenSignedOut(() => setSession(null));
    get('/api/session')
      .then((current) => {
        setCsrfToken(current.csrfToken);
        setSession(current);
      })
      .catch(() => setSession(null));
  }, []);

  if (session === undefined) return <p class="loading">Loading…</p>;
  if (session === null) {
    return (
      <SignIn
        onSignedIn={(signedIn) => {
          setCsrfToken(signedIn.csrfToken);
          setSession(signedIn);
        }}
      />
    );
  }

  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const tenant = parts[0] === 't' ? session.tenants.find((candidate) => candidate.id === parts[1]) : null;
  if (!tenant) {
    const first = session.tenants[0];
    if (first && !(parts[0] === 't' && parts[1])) {
      queueMicrotask(() => navigate(`/t/${first.id}/dashboard`, { replace: true }));
      return null;
    }
    return (
      <Shell session={session} onSignOut={() => setSession(null)}>
        <h1>No tenant</h1>
        <p>{first ? 'You have no role on that tenant.' : 'You have no role on any tenant yet. Ask an administrator: hookflow user grant.'}</p>
      </Shell>
    );
  }
  const section = parts[2] ?? 'dashboard';
  const id = parts[3];
  const can = (scope) => tenant.scopes.includes('platform') || tenant.scopes.includes(scope);
  const props = { tenant, can, key: `${tenant.id}/${section}/${id ?? ''}` };
  let view;
  if (section === 'processes' && id) view = <ProcessDetail {...props} processId={id} />;
  else if (section === 'processes') view = <ProcessList {...props} />;
  else if (section === 'webhooks' && id && parts[4] === 'map') view = <MapWebhook {...props} key={`${props.key}/map`} webhookId={id} />;
  else if (section === 'webhooks' && id) view = <WebhookDetail {...props} webhookId={id} />;
  else if (section === 'webhooks') view = <WebhookLog {...props} />;
  else if (section === 'instances' && id) view = <InstanceDetail {...props} instanceId={id} />;
  else if (section === 'instances') view = <InstanceList {...props} />;
  // One inbox for the list and the task opened in it: picking another task keeps the list as it is.
  else if (section === 'tasks') view = <TaskList {...props} key={`${tenant.id}/tasks`} taskId={id} />;
  else if (section === 'mapping') view = <FieldMapping {...props} />;
  else if (section === 'catalogue') view = <Catalogue {...props} />;
  else if (section === 'keys') view = <Keys {...props} />;
  else if (section === 'secrets') view = <Secrets {...props} />;
  else if (section === 'clients' && session.platformAdmin) view = <Clients />;
  else view = <Dashboard {...props} />;
  return (
    <Shell session={session} tenant={tenant} section={section} onSignOut={() => setSession(null)}>
      {view}
    </Shell>
  );
}

function Shell({ session, tenant, section, onSignOut, children }) {
  const openTasks = useOpenTaskCount(tenant?.id, section, Boolean(tenant && ['platform', 'webhooks:read'].some((scope) => tenant.scopes.includes(scope))));
  const signOut = async () => {
    try {
      await del('/api/session');
    } finally {
      setCsrfToken(null);
      onSignOut();
      navigate('/', { replace: true });
    }
  };
  return (
    <div class="shell">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">Hookflow</span>
        {session.tenants.length > 0 && (
          <label class="tenant-picker">
            <span>Tenant</span>
            <select value={tenant?.id ?? ''} onChange={(event) => navigate(`/t/${event.currentTarget.value}/${section ?? 'dashboard'}`)}>
              {!tenant && <option value="">Choose…</option>}
              {session.tenants.map((candidate) => (
                <option value={candidate.id}>{candidate.name}</option>
              ))}
            </select>
          </label>
        )}
        <span class="who">
          {session.email}
          {tenant && <span class={`badge role-${tenant.role}`}>{tenant.role}</span>}
        </span>
        <button type="button" class="secondary" onClick={signOut}>
          Sign out
        </button>
      </header>
      {tenant && (
        <nav class="sections" aria-label="Sections">
          {[...SECTIONS, ...(session.platformAdmin ? PLATFORM_SECTIONS : [])].map(([name, label]) => (
            <Link href={`/t/${tenant.id}/${name}`} aria-current={section === name ? 'page' : undefined}>
              {label}
              {name === 'tasks' && openTasks > 0 && <NavCount count={openTasks} />}
            </Link>
          ))}
        </nav>
      )}
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}

/** The open tasks beside "Tasks" in the nav; a screen reader hears "Tasks (2 open)". */
function NavCount({ count }) {
  return (
    <>
      {' '}
      <span class="badge nav-count" aria-hidden="true">
        {count}
      </span>
      <span class="visually-hidden"> ({count} open)</span>
    </>
  );
}

render(<App />, document.getElementById('app'));
