import { Inject, Injectable } from '@nestjs/common';
import { ParameterDriftService } from '../drift/parameter-drift.service.js';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { WebhookQueue } from '../pipeline/webhook-queue.js';
import { PipelineEvents, type PipelineObserver, type ResumedEvent, type StoredRunEvent, type TaskClosedEvent } from '../pipeline/pipeline-events.js';
import { ProcessInstancesRepository } from '../engine/process-instances.repository.js';
import { ApprovalTasksRepository } from '../engine/approval-tasks.repository.js';

/**
 * The Prometheus metrics of one process. The registry is the process's own (not prom-client's
 * global one), so several services in one process, as in the tests, do not collide.
 */
@Injectable()
export class MetricsService implements PipelineObserver {
  readonly registry = new Registry();
  private readonly webhooks: Counter<'tenant' | 'status'>;
  private readonly runs: Counter<'tenant' | 'process' | 'status'>;
  private readonly steps: Histogram<'type'>;
  private readonly records: Counter<'tenant'>;
  private readonly retries: Counter<'job'>;
  private readonly resumptions: Counter<'by'>;
  private readonly timerLag: Histogram;
  private readonly tasksClosed: Counter<'status'>;

  constructor(
    private readonly queue: WebhookQueue,
    @Inject(APP_CONFIG) config: AppConfig,
    drift: ParameterDriftService,
    events: PipelineEvents,
    instances: ProcessInstancesRepository,
    tasks: ApprovalTasksRepository,
  ) {
    events.subscribe(this);
    const registers = [this.registry];
    this.registry.setDefaultLabels({ role: config.role });
    collectDefaultMetrics({ register: this.registry, prefix: 'hookflow_' });
    this.webhooks = new Counter({
      name: 'hookflow_webhooks_received_total',
      help: 'Webhook requests answered, by HTTP status and tenant ("unknown" before the key is resolved)',
      labelNames: ['tenant', 'status'],
      registers,
    });
    this.runs = new Counter({
      name: 'hookflow_runs_total',
      help: 'Process runs stored, by tenant, process and status',
      labelNames: ['tenant', 'process', 'status'],
      registers,
    });
    this.steps = new Histogram({
      name: 'hookflow_step_duration_seconds',
      help: 'Duration of process steps, by step type',
      labelNames: ['type'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.records = new Counter({
      name: 'hookflow_record_writes_total',
      help: 'Records written or found again by runs, by tenant',
      labelNames: ['tenant'],
      registers,
    });
    this.retries = new Counter({
      name: 'hookflow_job_retries_total',
      help: 'Jobs that failed and will be tried again, by job name',
      labelNames: ['job'],
      registers,
    });
    this.resumptions = new Counter({
      name: 'hookflow_instance_resumptions_total',
      help: 'Waiting or failed process instances claimed to run on, by what: timer, webhook (correlation), retry, process (a called one ended), approval',
      labelNames: ['by'],
      registers,
    });
    this.timerLag = new Histogram({
      name: 'hookflow_timer_lag_seconds',
      help: 'From the time a waiting instance was due to the time a worker claimed it',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 30, 60, 300],
      registers,
    });
    this.tasksClosed = new Counter({
      name: 'hookflow_tasks_closed_total',
      help: 'User tasks (wait-for-approval) closed, by how: approved, rejected, timed-out, cancelled',
      labelNames: ['status'],
      registers,
    });
    registerGauges(registers, this.queue, drift, instances, tasks);
  }

  /** Every answer of the webhook route, errors included; the tenant is unknown before the key is resolved. */
  webhookAnswered(tenantId: string | undefined, statusCode: number): void {
    this.webhooks.inc({ tenant: tenantId ?? 'unknown', status: String(statusCode) });
  }

  runStored({ tenantId: tenant, processId: process, status, trace, recordIds }: StoredRunEvent): void {
    this.runs.inc({ tenant, process, status });
    for (const entry of trace) this.steps.observe({ type: entry.type }, entry.durationMs / 1000);
    if (recordIds.length > 0) this.records.inc({ tenant }, recordIds.length);
  }

  jobRetried(job: string): void {
    this.retries.inc({ job });
  }

  instanceResumed({ by, lagSeconds }: ResumedEvent): void {
    this.resumptions.inc({ by });
    if (lagSeconds !== undefined) this.timerLag.observe(lagSeconds);
  }

  taskClosed({ status }: TaskClosedEvent): void {
    this.tasksClosed.inc({ status });
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}

/** The gauges, read when Prometheus scrapes: queue depth, open drift, live instances, open tasks. */
function registerGauges(
  registers: Registry[],
  webhookQueue: WebhookQueue,
  drift: ParameterDriftService,
  instances: ProcessInstancesRepository,
  tasks: ApprovalTasksRepository,
): void {
  new Gauge({
    name: 'hookflow_tasks_open',
    help: 'User tasks (wait-for-approval) waiting for a decision, by tenant',
    labelNames: ['tenant'],
    registers,
    async collect() {
      this.reset();
      for (const { tenantId, count } of await tasks.countOpenByTenant()) this.set({ tenant: tenantId }, count);
    },
  });
  new Gauge({
    name: 'hookflow_instances',
    help: 'Process instances that have not ended, by tenant, process and status (waiting, running)',
    labelNames: ['tenant', 'process', 'status'],
    registers,
    async collect() {
      this.reset();
      for (const { tenantId, processId, status, count } of await instances.countLive()) this.set({ tenant: tenantId, process: processId, status }, count);
    },
  });
  new Gauge({
    name: 'hookflow_queue_jobs',
    help: 'Jobs in the webhooks queue, by state',
    labelNames: ['state'],
    registers,
    async collect() {
      const counts = await webhookQueue.counts();
      for (const [state, count] of Object.entries(counts)) this.set({ state }, count);
    },
  });
  new Gauge({
    name: 'hookflow_parameter_drift_open',
    help: 'Open schema-drift events of all tenants, by kind (new-unmapped, missing-mapped)',
    labelNames: ['kind'],
    registers,
    async collect() {
      this.reset();
      for (const { kind, count } of await drift.countOpenByKind()) this.set({ kind }, count);
    },
  });
  new Gauge({
    name: 'hookflow_queue_oldest_waiting_seconds',
    help: 'Age of the oldest job waiting to be taken (0 when none waits)',
    registers,
    async collect() {
      this.set(await webhookQueue.oldestWaitingSeconds());
    },
  });
}
