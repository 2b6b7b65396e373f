// An emulated org for the activity tests and the convergence runs: the emulator with its admin API, a
// migrated test database, the sync user's client, a rep's jsforce connection for making changes, and the real
// activities wired to all of them with small pages so multi-page paths run.
import { Connection } from 'jsforce';
import type pg from 'pg';
import { coerceValue } from '../src/sync/coerce';
import type { ColumnSpec } from '../src/sync/type-mapping';
import { createActivities } from '../src/activities';
import { configSchema, type TandemConfig } from '../src/config';
import { migrate } from '../src/db/migrations';
import { startEmulator, type RunningEmulator } from '../src/emulator/server';
import { reliabilityOf } from '../src/emulator/fault-kit';
import { SalesforceClient } from '../src/salesforce/connection';
import type { SyncActivities } from '../src/activities';

export const API_VERSION = '62.0';

/** Everything an activity test needs. */
export interface TestOrg {
  emulator: RunningEmulator;
  sync: SalesforceClient;
  rep: Connection;
  config: TandemConfig;
  activities: SyncActivities;
  /** The emulator's clock, which the activities use as theirs. */
  now(): Date;
  admin<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
}

/** Test configuration: tiny Bulk threshold and pages, checks on every pull. */
export function testConfig(overrides: Record<string, unknown> = {}): TandemConfig {
  return configSchema.parse({
    sync: {
      bulkQueryThreshold: 300,
      bulkResultPageSize: 250,
      describeIntervalSeconds: 0,
      deletedCheckIntervalSeconds: 0,
      bulkPollIntervalMs: 20,
      customObjects: ['Subscription__c'],
      ...overrides,
    },
  });
}

/** Starts an emulator (admin API on), migrates `pool`'s database and builds the activities. */
export async function startTestOrg(
  pool: pg.Pool,
  options: { scale?: number; config?: TandemConfig; seed?: 'demo' | 'empty' } = {},
): Promise<TestOrg> {
  const emulator = await startEmulator({ enableAdmin: true, seed: options.seed ?? 'demo', scale: options.scale ?? 1 });
  await migrate(pool);
  const { sync: syncUser, rep: repUser, oauth } = emulator.credentials;
  void syncUser;
  const sync = await SalesforceClient.connect({
    credentials: {
      flow: 'client-credentials',
      loginUrl: emulator.loginUrl,
      clientId: oauth.clientId,
      clientSecret: oauth.clientSecret,
    },
    apiVersion: API_VERSION,
  });
  const rep = new Connection({ loginUrl: emulator.loginUrl, version: API_VERSION });
  await rep.loginBySoap(repUser.username, repUser.password + repUser.securityToken);
  const config = options.config ?? testConfig();
  const now = () => new Date(emulator.context.clock.now());
  const activities = createActivities({ salesforce: sync, db: pool, config, now });
  const adminToken = reliabilityOf(emulator.context).adminToken;
  return {
    emulator,
    sync,
    rep,
    config,
    activities,
    now,
    async admin<T>(method: string, path: string, body?: unknown): Promise<T> {
      const response = await fetch(`${emulator.url}/__emulator${path}`, {
        method,
        headers: { 'X-Emulator-Admin-Token': adminToken, 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (!response.ok) throw new Error(`admin ${method} ${path}: ${response.status} ${await response.text()}`);
      return (response.status === 204 ? undefined : await response.json()) as T;
    },
  };
}

/** Runs a full copy of `object` through the activities, `maxPages` per call; returns the calls made. */
export async function copyObject(activities: SyncActivities, object: string, maxPages = 2): Promise<number> {
  await activities.startInitialCopy({ object, reason: 'never-copied' });
  let calls = 0;
  for (;;) {
    calls++;
    const progress = await activities.copyObjectPages({ object, reason: 'never-copied', maxPages });
    if (progress.done) return calls;
    if (calls > 10_000) throw new Error(`${object}: copy did not finish`);
  }
}

/**
 * True when a local JSON-text value equals the Salesforce value of its column's kind, read the way
 * Tandem reads it (these tests check Tandem's copy against its own reading; the chaos audit has an
 * independent judge, chaos/judge.ts).
 */
export function sameValue(column: ColumnSpec, local: string | null, remote: unknown): boolean {
  const expected = coerceValue(column.kind, remote);
  if (expected === null || local === null) return expected === local;
  switch (column.kind) {
    case 'boolean':
      return (local === 'true') === (expected === 't');
    case 'numeric':
    case 'integer':
      return Number(local) === Number(expected);
    case 'datetime':
      return Date.parse(local) === Date.parse(expected);
    default:
      return local === expected;
  }
}
