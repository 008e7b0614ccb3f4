import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { CatalogueService } from '../src/catalogue/catalogue.service.js';
import { OrderProductObject1765700000000 } from '../src/database/migrations/1765700000000-order-product-object.js';
import { InstancesService, type InstanceDetail } from '../src/engine/instances.service.js';
import { ProcessesService } from '../src/engine/processes.service.js';
import { WebhookDispatcher } from '../src/pipeline/webhook-dispatcher.service.js';
import { TenantSecretsService } from '../src/secrets/tenant-secrets.service.js';
import { ScheduleSync } from '../src/pipeline/schedule-sync.service.js';
import { apiRequest } from './support/admin-client.js';
import { createDatabase, databaseKinds, type TestDatabase } from './support/databases.js';
import { startExternalSystem } from './support/external-system.js';
import { startTestService, type TestService } from './support/test-service.js';

const DEFAULT_PROCESS = 'create-object-records-from-webhook';
const ORDER_PROCESS = 'shopify-order';
const FOLLOW_UP = 'lead-order-follow-up';

const shipped = (path: string) => JSON.parse(readFileSync(new URL(`../processes/${path}`, import.meta.url), 'utf8'));
const order = shipped('samples/shopify-order.json');
const form = shipped('samples/lead-order-follow-up.json');

describe.each(databaseKinds())('the shipped example processes (%s)', (kind) => {
  let database: TestDatabase;
  let hookflow: TestService;
  let crm: Awaited<ReturnType<typeof startExternalSystem>>;

  beforeAll(async () => {
    crm = await startExternalSystem({ '/tasks': [[201, { id: 'task-1' }]] });
    database = await createDatabase(kind);
    hookflow = await startTestService(database, { TIMER_SWEEP_MS: '300', HTTP_ALLOW_PRIVATE_NETWORKS: 'true' });
  });

  afterAll(async () => {
    await hookflow?.close();
    await crm?.close();
    await database?.drop();
  });

  const processes = () => hookflow.get(ProcessesService);
  const instances = () => hookflow.get(InstancesService);

  /** A tenant where the named processes are switched on and the default process off. */
  async function tenantRunning(processIds: string[]) {
    const tenant = await hookflow.newTenant();
    await processes().setActive(tenant.tenantId, DEFAULT_PROCESS, false);
    for (const id of processIds) await processes().setActive(tenant.tenantId, id, true);
    return tenant;
  }

  async function send(apiKey: string, body: unknown, headers: Record<string, string> = {}) {
    const response = await apiRequest(hookflow.url, 'POST', `/webhooks/${apiKey}`, { body, headers });
    expect(response.status).toBe(202);
    return response.body as { id: string; duplicate?: boolean };
  }

  async function instanceOf(tenantId: string, webhookId: string, processId: string): Promise<InstanceDetail> {
    const [view] = (await instances().forWebhook(tenantId, webhookId)).filter((instance) => instance.processId === processId);
    expect(view).toBeDefined();
    return instances().get(tenantId, view.id);
  }

  /** The processes the webhook started (those whose trigger condition was false are skipped). */
  async function startedBy(tenantId: string, webhookId: string): Promise<string[]> {
    return (await instances().forWebhook(tenantId, webhookId)).filter((instance) => instance.status !== 'skipped').map((instance) => instance.processId);
  }

  /** Polls until the instance has the status (or fails the test, showing what it is). */
  async function until(tenantId: string, id: string, status: string, timeoutMs = 15_000): Promise<InstanceDetail> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const instance = await instances().get(tenantId, id);
      if (instance.status === status) return instance;
      if (Date.now() > deadline) throw new Error(`Instance ${id} is ${instance.status}, not ${status}: ${JSON.stringify(instance)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** The tenant's Order records and its Order products, as [OrderId, Name, Quantity, Price] sorted by name. */
  async function written(tenantId: string) {
    const orders = await hookflow.records(tenantId, 'Order');
    const products = (await hookflow.records(tenantId, 'OrderProduct'))
      .map((product) => [product.OrderId, product.Name, product.Quantity, product.Price])
      .sort((a, b) => String(a[1]).localeCompare(String(b[1])));
    return { orders, products };
  }

  describe(ORDER_PROCESS, () => {
    const expectTheSampleWritten = async (tenantId: string) => {
      const { orders, products } = await written(tenantId);
      expect(orders).toEqual([
        expect.objectContaining({
          Number: '#1001',
          Amount: 112.49,
          Date: '2024-03-14',
          StatusId: 'fd7ba900-8ec0-4605-ac72-2951f411dfb5',
          Notes: 'Shopify order 5821034283063, USD, paid',
        }),
      ]);
      const orderId = orders[0].Id;
      expect(products).toEqual([
        [orderId, 'Ceramic Mug (Navy)', 2, 24.5],
        [orderId, 'Loose Leaf Tea (Earl Grey / 100 g)', 3, 12],
        [orderId, 'Tea Infuser', 1, 9.9],
      ]);
      return orderId;
    };

    it('a tenant made before OrderProduct was a default object gets it on upgrade (a tenant with its own keeps that)', async () => {
      const { tenantId, apiKey } = await tenantRunning([ORDER_PROCESS]);
      const own = await hookflow.newTenant();
      const dataSource = hookflow.get(DataSource);
      const p = (n: number) => (kind === 'postgres' ? `$${n}` : '?');
      // As the tenant was before the upgrade: no OrderProduct; the other has one of its own.
      await dataSource.query(`DELETE FROM catalogue_columns WHERE tenant_id = ${p(1)} AND object_name = 'OrderProduct'`, [tenantId]);
      await dataSource.query(`DELETE FROM catalogue_objects WHERE tenant_id = ${p(1)} AND name = 'OrderProduct'`, [tenantId]);
      await dataSource.query(`UPDATE catalogue_objects SET caption = 'Our line items' WHERE tenant_id = ${p(1)} AND name = 'OrderProduct'`, [own.tenantId]);
      const runner = dataSource.createQueryRunner();
      try {
        await new OrderProductObject1765700000000().up(runner);
      } finally {
        await runner.release();
      }
      const catalogue = hookflow.get(CatalogueService);
      const upgraded = (await catalogue.listObjects(tenantId)).find((object) => object.name === 'OrderProduct');
      expect(upgraded).toMatchObject({ caption: 'Order product', inWebhookLookup: true, displayColumn: 'Name' });
      const fresh = (await catalogue.listObjects(own.tenantId)).find((object) => object.name === 'OrderProduct');
      expect(fresh?.caption).toBe('Our line items');
      expect(upgraded?.columns).toEqual(fresh?.columns);
      const webhook = await hookflow.deliver(tenantId, apiKey, order);
      expect(webhook).toMatchObject({ status: 'processed', reason: null });
      await expectTheSampleWritten(tenantId);
    });

    it('writes the orders/create sample as one Order and an Order product per line item, linked to it', async () => {
      const { tenantId, apiKey } = await tenantRunning([ORDER_PROCESS]);
      const webhook = await hookflow.deliver(tenantId, apiKey, order);
      expect(webhook).toMatchObject({ status: 'processed', reason: null });
      expect(webhook.recordIds).toHaveLength(4);
      const orderId = await expectTheSampleWritten(tenantId);
      expect(webhook.recordIds).toContain(orderId);

      const run = await instanceOf(tenantId, webhook.id, ORDER_PROCESS);
      expect(run.trace.map((entry) => [entry.step, entry.status])).toEqual([
        ['trigger', 'ok'],
        ['contact', 'ok'],
        ['order', 'ok'],
        ['lines', 'ok'],
        ['lines[0].product', 'ok'],
        ['lines[1].product', 'ok'],
        ['lines[2].product', 'ok'],
      ]);
    });

    it("links the order to the Contact with the order's e-mail", async () => {
      const { tenantId, apiKey } = await tenantRunning([ORDER_PROCESS]);
      await processes().setActive(tenantId, DEFAULT_PROCESS, true);
      const contact = await hookflow.deliver(tenantId, apiKey, { EntityName: 'Contact', Name: 'Grace Hopper', Email: 'grace.hopper@example.com' });
      expect(contact.status).toBe('processed');
      await processes().setActive(tenantId, DEFAULT_PROCESS, false);
      await hookflow.deliver(tenantId, apiKey, order);
      const [saved] = await hookflow.records(tenantId, 'Order');
      expect(saved.ContactId).toBe(contact.recordIds[0]);
    });

    it("writes nothing twice: not for Shopify's repeat of a delivery, nor for a replay after a failed run", async () => {
      const { tenantId, apiKey } = await tenantRunning([ORDER_PROCESS]);
      // A tenant whose catalogue does not let webhooks write Order products yet: the run fails after the Order.
      await hookflow.get(CatalogueService).setInWebhookLookup(tenantId, 'OrderProduct', false);
      const delivery = { 'X-Shopify-Webhook-Id': 'b7c1a0e2-5a59-4f7e-9d5c-1f3f6e7d2a10', 'X-Shopify-Topic': 'orders/create' };
      const first = await send(apiKey, order, delivery);
      const failed = await hookflow.waitForWebhook(tenantId, first.id);
      expect(failed).toMatchObject({ status: 'received', recordIds: [expect.any(String)] });
      expect(failed.reason).toMatch(
        /^Created Order .+, then failed at step "lines\[0\]\.product": Object "OrderProduct" is not in this tenant's Webhook entities lookup/,
      );
      expect((await written(tenantId)).orders).toHaveLength(1);

      // Shopify delivers at least once: a repeat of the delivery is acknowledged with the first id, and runs nothing.
      const repeat = await send(apiKey, order, delivery);
      expect(repeat).toEqual({ id: first.id, status: 'accepted', duplicate: true });

      // Once the catalogue is fixed, the replay finds the Order the first run wrote and adds the products.
      await hookflow.get(CatalogueService).setInWebhookLookup(tenantId, 'OrderProduct', true);
      await hookflow.get(WebhookDispatcher).replay(tenantId, first.id);
      const replayed = await hookflow.waitForWebhook(tenantId, first.id);
      expect(replayed).toMatchObject({ status: 'processed', reason: null });
      const orderId = await expectTheSampleWritten(tenantId);
      expect(orderId).toBe(failed.recordIds[0]);
      const runs = await instances().forWebhook(tenantId, first.id);
      expect(runs.map((run) => run.status).sort()).toEqual(['completed', 'failed']);

      // Processed now: a second replay is refused rather than writing the order again.
      await expect(hookflow.get(WebhookDispatcher).replay(tenantId, first.id)).rejects.toThrow(/processed already/);
      await expectTheSampleWritten(tenantId);
      expect(await hookflow.webhooks(tenantId)).toHaveLength(1);
    });
  });

  describe(FOLLOW_UP, () => {
    it('a form lead waits for the shop order with its e-mail (in any case): an order makes the lead a Contact', async () => {
      const { tenantId, apiKey } = await tenantRunning([FOLLOW_UP, ORDER_PROCESS]);
      const started = await hookflow.deliver(tenantId, apiKey, form);
      expect(started.status).toBe('processed');
      const waiting = await instanceOf(tenantId, started.id, FOLLOW_UP);
      expect(waiting).toMatchObject({
        status: 'waiting',
        waits: [{ step: 'order', kind: 'webhook', key: 'grace.hopper@example.com' }],
      });
      expect(await hookflow.records(tenantId, 'Lead')).toEqual([
        expect.objectContaining({ Contact: 'Grace Hopper', Email: 'grace.hopper@example.com', MobilePhone: '+1 202 555 0142', Account: 'Navy' }),
      ]);
      // The form starts no order process: its trigger takes orders only.
      expect(await startedBy(tenantId, started.id)).toEqual([FOLLOW_UP]);

      // Another form with the same e-mail resumes nothing: the wait takes orders only.
      const again = await hookflow.deliver(tenantId, apiKey, { ...form, message: 'Anyone there?' });
      expect(again.resumedIds).toEqual([]);

      // Shopify spells the address with capitals.
      expect(order.email).toBe('Grace.Hopper@example.com');
      const ordered = await hookflow.deliver(tenantId, apiKey, order);
      expect(ordered.resumedIds).toEqual([waiting.id]);
      // The order is also given to the order process (its trigger), not to the follow-up's.
      expect(await startedBy(tenantId, ordered.id)).toEqual([ORDER_PROCESS]);

      const done = await until(tenantId, waiting.id, 'completed');
      expect(done.trace.map((entry) => [entry.step, entry.status])).toEqual([
        ['trigger', 'ok'],
        ['email', 'ok'],
        ['lead', 'ok'],
        ['order', 'waiting'],
        ['order', 'ok'],
        ['ordered', 'ok'],
        ['customer', 'ok'],
      ]);
      expect(done.trace[4].output).toMatchObject({ timedOut: false, webhookId: ordered.id, payload: { name: '#1001' } });
      expect(await hookflow.records(tenantId, 'Contact')).toEqual([
        expect.objectContaining({
          Name: 'Grace Hopper',
          Email: 'grace.hopper@example.com',
          MobilePhone: '+1 202 555 0142',
          Notes: 'Customer since Shopify order #1001 (112.49 USD)',
        }),
      ]);
      expect(crm.received.filter((call) => call.url === '/tasks')).toEqual([]);
      expect(await hookflow.records(tenantId, 'Order')).toHaveLength(1);
    });

    it('without an order before the timeout, it posts one follow-up task to the CRM', async () => {
      const { tenantId, apiKey } = await tenantRunning([FOLLOW_UP]);
      // The tenant's version: its CRM (here on loopback) and, for the test, a timeout of a second.
      const definition = structuredClone(shipped(`${FOLLOW_UP}.json`));
      const wait = definition.steps.find((step: { id: string }) => step.id === 'order');
      expect(wait.input.timeout).toBe('P2D');
      wait.input.timeout = 'PT1S';
      const task = definition.steps.find((step: { id: string }) => step.id === 'ordered').then[0];
      expect(task.input.url).toBe('https://crm.example.com/api/tasks');
      task.input.url = `${crm.url}/tasks`;
      await processes().override(tenantId, FOLLOW_UP, definition);
      await hookflow.get(TenantSecretsService).set(tenantId, 'crm-api-token', 'crm-token-123');

      const started = await hookflow.deliver(tenantId, apiKey, form);
      const waiting = await instanceOf(tenantId, started.id, FOLLOW_UP);
      expect(waiting).toMatchObject({ status: 'waiting', processVersion: 2, processSource: 'override' });
      const done = await until(tenantId, waiting.id, 'completed');
      expect(done.trace.map((entry) => [entry.step, entry.status])).toEqual([
        ['trigger', 'ok'],
        ['email', 'ok'],
        ['lead', 'ok'],
        ['order', 'waiting'],
        ['order', 'ok'],
        ['ordered', 'ok'],
        ['crmTask', 'ok'],
      ]);
      expect(done.trace[4].output).toEqual({ timedOut: true });

      // Once more than a timer sweep later, still one call.
      await new Promise((resolve) => setTimeout(resolve, 700));
      const calls = crm.received.filter((call) => call.url === '/tasks');
      expect(calls).toHaveLength(1);
      expect(calls[0]).toMatchObject({ method: 'POST', headers: { authorization: 'Bearer crm-token-123', 'content-type': 'application/json' } });
      const [lead] = await hookflow.records(tenantId, 'Lead');
      expect(JSON.parse(calls[0].body)).toEqual({
        subject: 'Call back Grace Hopper: no order 2 days after the form',
        email: 'grace.hopper@example.com',
        phone: '+1 202 555 0142',
        company: 'Navy',
        message: 'Do you ship mugs to Washington?',
        leadId: lead.Id,
        due: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      });
      expect(await hookflow.records(tenantId, 'Contact')).toEqual([]);
    });
  });

  describe('nightly-signups-pull', () => {
    it('on each tick fetches the day before’s sign-ups with the tenant’s token and upserts a Contact for each', async () => {
      const tenant = await tenantRunning([]);
      const { tenantId } = tenant;
      const day = (at: number) => new Date(at - 86_400_000).toISOString().slice(0, 10);
      const signups = {
        signups: [
          { email: ' Ada@Example.com ', name: 'Ada Lovelace', phone: '+44 20 7946 0000' },
          { email: 'grace@example.com', name: 'Grace Hopper' },
        ],
      };
      // The tick may fall either side of midnight (UTC) while the test runs.
      const now = Date.now();
      const answers = Object.fromEntries([now, now + 10_000].map((at) => [`/signups?date=${day(at)}`, [[200, signups]]]));
      const source = await startExternalSystem(answers as never);
      try {
        const definition = shipped('nightly-signups-pull.json');
        const fetch = definition.steps.find((step: { id: string }) => step.id === 'fetch');
        expect(fetch.input.urlFrom).toBe("'https://signups.example.com/api/signups?date=' & $vars.day");
        fetch.input.urlFrom = `'${source.url}/signups?date=' & $vars.day`;
        definition.trigger.cron = '* * * * * *';
        await processes().override(tenantId, 'nightly-signups-pull', definition);
        await processes().setActive(tenantId, 'nightly-signups-pull', true);
        await hookflow.get(TenantSecretsService).set(tenantId, 'signups-api-token', 'signups-token-1');
        await hookflow.get(ScheduleSync).syncTenant(tenantId);
        let ticks: InstanceDetail[] = [];
        for (let tries = 0; ticks.filter((one) => one.status === 'completed').length < 2 && tries < 200; tries++) {
          await new Promise((resolve) => setTimeout(resolve, 50));
          ticks = await Promise.all(
            (await instances().list(tenantId, { processId: 'nightly-signups-pull' }, 20)).map((one) => instances().get(tenantId, one.id)),
          );
        }
        await processes().setActive(tenantId, 'nightly-signups-pull', false);
        await hookflow.get(ScheduleSync).syncTenant(tenantId);
        const done = ticks.filter((one) => one.status === 'completed');
        expect(done.length).toBeGreaterThanOrEqual(2);
        expect(done[0].trace.map((entry) => entry.step)).toEqual(['day', 'fetch', 'signups', 'signups[0].contact', 'signups[1].contact']);
        const calls = source.received.filter((call) => call.url.startsWith('/signups'));
        expect(calls[0]).toMatchObject({ method: 'GET', headers: expect.objectContaining({ authorization: 'Bearer signups-token-1' }) });
        // Every tick upserts the same two Contacts: one record each, however many ticks ran.
        const contacts = (await hookflow.records(tenantId, 'Contact')).filter((contact) => String(contact.Email).endsWith('example.com'));
        expect(contacts.map((contact) => [contact.Email, contact.Name, contact.MobilePhone ?? null]).sort()).toEqual([
          ['ada@example.com', 'Ada Lovelace', '+44 20 7946 0000'],
          ['grace@example.com', 'Grace Hopper', null],
        ]);
        expect(contacts[0].Notes).toMatch(/^Signed up on \d{4}-\d{2}-\d{2}$/);
      } finally {
        await source.close();
      }
    });
  });
});
