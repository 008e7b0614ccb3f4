import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import type { DatabaseConfig } from '../config/config.js';
import { InitialSchema1764400000000 } from './migrations/1764400000000-initial-schema.js';
import { TenantProcessVersions1764500000000 } from './migrations/1764500000000-tenant-process-versions.js';
import { WebhookRunIds1764600000000 } from './migrations/1764600000000-webhook-run-ids.js';
import { AdminApi1764700000000 } from './migrations/1764700000000-admin-api.js';
import { ConsoleUsers1764800000000 } from './migrations/1764800000000-console-users.js';
import { OAuthClientRevocation1764900000000 } from './migrations/1764900000000-oauth-client-revocation.js';
import { ParameterDrift1765300000000 } from './migrations/1765300000000-parameter-drift.js';
import { TenantSecrets1765200000000 } from './migrations/1765200000000-tenant-secrets.js';
import { RetriesReplaysRateLimits1765100000000 } from './migrations/1765100000000-retries-replays-rate-limits.js';
import { BaseUpgradesUpsertKeys1765000000000 } from './migrations/1765000000000-base-upgrades-upsert-keys.js';
import { ProcessInstances1765400000000 } from './migrations/1765400000000-process-instances.js';
import { InstanceTriggers1765500000000 } from './migrations/1765500000000-instance-triggers.js';
import { ApprovalTasks1765600000000 } from './migrations/1765600000000-approval-tasks.js';
import { OrderProductObject1765700000000 } from './migrations/1765700000000-order-product-object.js';
import { InstanceWebhookIndex1765800000000 } from './migrations/1765800000000-instance-webhook-index.js';

export const MIGRATIONS = [
  InitialSchema1764400000000,
  TenantProcessVersions1764500000000,
  WebhookRunIds1764600000000,
  AdminApi1764700000000,
  ConsoleUsers1764800000000,
  OAuthClientRevocation1764900000000,
  BaseUpgradesUpsertKeys1765000000000,
  RetriesReplaysRateLimits1765100000000,
  TenantSecrets1765200000000,
  ParameterDrift1765300000000,
  ProcessInstances1765400000000,
  InstanceTriggers1765500000000,
  ApprovalTasks1765600000000,
  OrderProductObject1765700000000,
  InstanceWebhookIndex1765800000000,
];

/**
 * Both databases get their schema from the migrations (run by migrate.ts at start); nothing is
 * synchronised from the entities. The entities are each module's own (TypeOrmModule.forFeature),
 * loaded by DatabaseModule with autoLoadEntities: this toolkit knows none of them.
 */
export function dataSourceOptions(database: DatabaseConfig, sqliteBusyTimeoutMs = 10_000): DataSourceOptions {
  const common = { migrations: MIGRATIONS, migrationsRun: false, synchronize: false, logging: false };
  if (database.type === 'postgres') {
    return { ...common, type: 'postgres', url: database.url, extra: { max: database.poolMax ?? 10 } };
  }
  if (database.path !== ':memory:') mkdirSync(dirname(database.path), { recursive: true });
  return {
    ...common,
    type: 'better-sqlite3',
    database: database.path,
    // WAL lets the CLI read and write while the service runs; the busy timeout makes writers wait
    // for each other instead of failing with SQLITE_BUSY (off the event loop: sqlite-lock-wait.ts).
    enableWAL: true,
    timeout: sqliteBusyTimeoutMs,
  };
}
