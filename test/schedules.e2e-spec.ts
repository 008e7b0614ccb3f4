import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { RecordsService } from '../src/catalogue/records.service.js';
import { InstancesService } from '../src/engine/instances.service.js';
import { ProcessesService } from '../src/engine/processes.service.js';
import { RetentionService } from '../src/pipeline/retention.service.js';
import { AdminApi } from './support/admin-client.js';
import { ADMIN_ID, ADMIN_SECRET, SERVICE_ENV } from './support/admin-api.js';
import { createDatabase, databaseKinds, type TestDatabase } from './support/databases.js';
import { startTestService, type TestService } from './support/test-service.js';

/** Every second, a Lead named after its tick. */
const EVERY_SECOND = {
  id: 'every-second',
  name: 'Every second',
  version: 1,
  activeByDefault: true,
  trigger: { type: 'schedule', cron: '* * * * * *', timezone: 'Europe/Berlin' },
  steps: [{ id: 'lead', type: 'create-record', input: { object: 'Lead', values: { Contact: "'Tick ' & scheduledAt" } } }],
};

describe.each(databaseKinds())('the schedule trigger, with three workers (%s)', (kind) => {
  let database: TestDatabase;
  const services: TestService[] = [];
  let admin: AdminApi;

  beforeAll(async () => {
    database = await createDatabase(kind);
    // Three services on one database and one queue: three workers.
    const env = { ...SERVICE_ENV, REDIS_PREFIX: `test-${randomBytes(6).toString('hex')}` };
    for (let i = 0; i < 3; i++) services.push(await startTestService(database, env));
    admin = await AdminApi.login(services[0].url, ADMIN_ID, ADMIN_SECRET);
  });

  afterAll(async () => {
    for (const service of services) await service.close();
    await database?.drop();
  });

  it('runs the process once per tick, wherever it is active, and stops when it is switched off', async () => {
    const [hookflow] = services;
    const { tenantId } = await hookflow.newTenant();
    const quiet = await hookflow.newTenant();
    await hookflow.get(ProcessesService).setActive(tenantId, 'create-object-records-from-webhook', false);
    expect((await admin.post(`/api/tenants/${tenantId}/processes`, { definition: EVERY_SECOND })).status).toBe(201);
    await new Promise((resolve) => setTimeout(resolve, 4500));
    expect((await admin.post(`/api/tenants/${tenantId}/processes/every-second/deactivate`)).status).toBe(200);
    // A tick already queued may still run: let it, then count.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const instances = await hookflow.get(InstancesService).list(tenantId, { processId: 'every-second' }, 100);
    const ticks = instances.map((instance) => (instance.trigger?.type === 'schedule' ? instance.trigger.at : 'no tick'));
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    expect(new Set(ticks).size).toBe(ticks.length);
    for (const instance of instances) {
      expect(instance).toMatchObject({ status: 'completed', webhookId: null, trigger: { type: 'schedule' }, payload: { processId: 'every-second' } });
      expect(new Date(instance.trigger?.type === 'schedule' ? instance.trigger.at : NaN).getUTCMilliseconds()).toBe(0);
    }
    const leads = (await hookflow.get(RecordsService).list(tenantId, 'Lead', 100)).map((lead) => lead.Contact).sort();
    expect(leads).toEqual(ticks.map((at) => `Tick ${at}`).sort());
    // Switched off: no more ticks.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(await hookflow.get(InstancesService).list(tenantId, { processId: 'every-second' }, 100)).toHaveLength(instances.length);
    // A tenant that does not have the process is never run.
    expect(await hookflow.get(InstancesService).list(quiet.tenantId, {}, 100)).toEqual([]);
    // Retention: past RETENTION_DAYS (90) they go; within it they stay.
    await hookflow.get(RetentionService).purge(Date.now() + 89 * 86_400_000);
    expect(await hookflow.get(InstancesService).list(tenantId, {}, 100)).toHaveLength(instances.length);
    await hookflow.get(RetentionService).purge(Date.now() + 91 * 86_400_000);
    expect(await hookflow.get(InstancesService).list(tenantId, {}, 100)).toEqual([]);
  }, 30_000);
});
