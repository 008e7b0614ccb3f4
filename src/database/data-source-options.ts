import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import type { DatabaseConfig } from '../config/config.js';
import { Tenant } from '../tenants/tenant.entity.js';
import { ApiKey } from '../tenants/api-key.entity.js';
import { CatalogueObject } from '../catalogue/catalogue-object.entity.js';
import { CatalogueColumn } from '../catalogue/catalogue-column.entity.js';
import { RecordEntity } from '../catalogue/record.entity.js';
import { Webhook } from '../webhooks/webhook.entity.js';
import { TenantProcess } from '../engine/tenant-process.entity.js';
import { ProcessRun } from '../engine/process-run.entity.js';
import { InitialSchema1764400000000 } from './migrations/1764400000000-initial-schema.js';
import { TenantProcessVersions1764500000000 } from './migrations/1764500000000-tenant-process-versions.js';
import { ProcessVersion } from '../engine/process-version.entity.js';
import { WebhookRunIds1764600000000 } from './migrations/1764600000000-webhook-run-ids.js';
import { AdminApi1764700000000 } from './migrations/1764700000000-admin-api.js';
import { OAuthClient } from '../auth/oauth-client.entity.js';
import { Setting } from './setting.entity.js';
import { ConsoleUsers1764800000000 } from './migrations/1764800000000-console-users.js';
import { OAuthClientRevocation1764900000000 } from './migrations/1764900000000-oauth-client-revocation.js';
import { ConsoleUser } from '../users/console-user.entity.js';
import { ConsoleUserRole } from '../users/console-user-role.entity.js';
import { ConsoleSession } from '../console/console-session.entity.js';
import { SignInFailure } from '../console/sign-in-failure.entity.js';
import { TenantSecret } from '../secrets/tenant-secret.entity.js';
import { DriftEvent } from '../drift/drift-event.entity.js';
import { ParameterStat, ParameterWatch } from '../drift/parameter-stat.entity.js';
import { ParameterDrift1765300000000 } from './migrations/1765300000000-parameter-drift.js';
import { TenantSecrets1765200000000 } from './migrations/1765200000000-tenant-secrets.js';
import { Replay } from '../webhooks/replay.entity.js';
import { RetriesReplaysRateLimits1765100000000 } from './migrations/1765100000000-retries-replays-rate-limits.js';
import { BaseUpgradesUpsertKeys1765000000000 } from './migrations/1765000000000-base-upgrades-upsert-keys.js';

export const ENTITIES = [
  Tenant,
  ApiKey,
  CatalogueObject,
  CatalogueColumn,
  RecordEntity,
  Webhook,
  TenantProcess,
  ProcessVersion,
  ProcessRun,
  OAuthClient,
  Setting,
  ConsoleUser,
  ConsoleUserRole,
  ConsoleSession,
  SignInFailure,
  TenantSecret,
  ParameterWatch,
  ParameterStat,
  DriftEvent,
  Replay,
];
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
];

/**
 * Both databases get their schema from the migrations (run by migrate.ts at start); nothing is
 * synchronised from the entities.
 */
export function dataSourceOptions(database: DatabaseConfig, sqliteBusyTimeoutMs = 10_000): DataSourceOptions {
  const common = { entities: ENTITIES, migrations: MIGRATIONS, migrationsRun: false, synchronize: false, logging: false };
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
