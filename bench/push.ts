// `npm run bench -- push [--updates 10000]`: the PostgreSQL → Salesforce push, against the emulator
// (in this process, over HTTP through jsforce) and a fresh PostgreSQL database.
//
// 1. `--updates` marketing-side updates (one UPDATE of that many contacts: the capture triggers' cost
//    is printed) pushed through sObject Collections: wall time and API calls (target ≤ 50 for 10,000).
// 2. The same number pushed through Bulk API 2.0 ingest (above `sync.bulkIngestThreshold`): wall time
//    and API calls (target ≤ 5). Its wall time includes waiting for the job between polls (sleeps,
//    not API calls), which the "inside Salesforce API calls" line does not count.
// 3. One change's end-to-end latency under the real continuous sync on a Temporal dev server: a
//    marketing edit until Salesforce has it after `syncNow`, and a Salesforce edit until PostgreSQL
//    has it after the next `syncNow` (target < 3 s each).
import { randomBytes } from 'node:crypto';
import { DefaultLogger, NativeConnection, Runtime, bundleWorkflowCode } from '@temporalio/worker';
import { Client, Connection } from '@temporalio/client';
import { Connection as JsforceConnection } from 'jsforce';
import pg from 'pg';
import { createActivities, type SyncActivities } from '../src/activities';
import { configSchema, type TandemConfig } from '../src/config';
import { migrate } from '../src/db/migrations';
import { logger } from '../src/logger';
import { startEmulator } from '../src/emulator/server';
import { SalesforceClient } from '../src/salesforce/connection';
import type { PushResult, SyncObject } from '../src/shared';
import { ensureTemporalBinaries } from '../src/temporal/binaries';
import { startDevServer } from '../src/temporal/dev-server';
import { createSyncWorker, workflowsPath } from '../src/worker';
import { continuousSyncWorkflow } from '../src/workflows';
import { statusQuery, syncNowSignal } from '../src/workflows/messages';

const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const API_VERSION = '62.0';

function arg(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
}

function config(overrides: Record<string, unknown>): TandemConfig {
  return configSchema.parse({
    sync: { describeIntervalSeconds: 3600, deletedCheckIntervalSeconds: 3600, bulkPollIntervalMs: 100, ...overrides },
  });
}

async function copy(activities: SyncActivities, object: string): Promise<void> {
  await activities.startInitialCopy({ object, reason: 'never-copied' });
  while (!(await activities.copyObjectPages({ object, reason: 'never-copied', maxPages: 100 })).done);
}

async function waitFor<T>(check: () => Promise<T | undefined>, timeoutMs: number, intervalMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not reached within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

function line(label: string, value: string, target?: string): void {
  console.log(`  ${label.padEnd(44)} ${value.padStart(14)}${target ? `   ${target}` : ''}`);
}

export async function run(args: string[]): Promise<void> {
  const updates = arg(args, 'updates', 10_000);
  // The worker logs every activity at info; the figures are what this scenario prints.
  logger.level = process.env.LOG_LEVEL ?? 'warn';
  const name = `tandem_bench_push_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 6 });
  const emulator = await startEmulator({ seed: 'empty', dailyApiLimit: 10_000_000 });
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    await migrate(pool);
    const { oauth, rep: repUser } = emulator.credentials;
    const sync = await SalesforceClient.connect({
      credentials: {
        flow: 'client-credentials',
        loginUrl: emulator.loginUrl,
        clientId: oauth.clientId,
        clientSecret: oauth.clientSecret,
      },
      apiVersion: API_VERSION,
    });
    const now = () => new Date(emulator.context.clock.now());
    // Time spent waiting for Salesforce (the emulator), to split each push's wall time into its two ends.
    let salesforceMs = 0;
    const request = SalesforceClient.prototype.request;
    sync.request = async function <T>(
      this: SalesforceClient,
      ...params: Parameters<SalesforceClient['request']>
    ): Promise<T> {
      const t = performance.now();
      try {
        return await request.apply<SalesforceClient, Parameters<SalesforceClient['request']>, Promise<T>>(this, params);
      } finally {
        salesforceMs += performance.now() - t;
      }
    };
    const collections = createActivities({
      salesforce: sync,
      db: pool,
      config: config({ bulkIngestThreshold: 1_000_000 }),
      now,
    });
    const bulk = createActivities({ salesforce: sync, db: pool, config: config({}), now });

    // The org: `updates` contacts and a lead, created in the emulator's store as the rep.
    const rep = emulator.store.users.get(repUser.userId)!;
    for (let i = 0; i < updates; i += 1000) {
      const ops = Array.from({ length: Math.min(1000, updates - i) }, (_, k) => ({
        op: 'create' as const,
        type: 'Contact',
        values: { LastName: `Bench ${i + k}`, Email: `bench${i + k}@bench.test` },
      }));
      emulator.store.applyWrites(rep, ops);
    }
    emulator.store.applyWrites(rep, [
      { op: 'create', type: 'Lead', values: { LastName: 'Latency', Company: 'Bench Co' } },
    ]);
    const started = Date.now();
    for (const object of ['Contact', 'Lead']) await copy(collections, object);
    console.log(
      `push benchmark: ${updates.toLocaleString()} contacts copied in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );

    const pushAll = async (activities: SyncActivities, label: string): Promise<PushResult> => {
      let t = Date.now();
      const { rowCount } = await pool.query(`UPDATE salesforce.contact SET title = $1 || id::text`, [label]);
      const captureMs = Date.now() - t;
      t = Date.now();
      salesforceMs = 0;
      const result = await activities.pushChanges({ object: 'Contact' });
      const wallMs = Date.now() - t;
      const waitedMs = salesforceMs;
      const { rows } = await pool.query<{ n: string }>(
        `SELECT count(*) AS n FROM tandem.outbox WHERE object = 'Contact' AND status = 'pushed' AND changed ? 'title'`,
      );
      const check = await sync.request<{ totalSize: number }>({
        method: 'GET',
        url: `/query?q=${encodeURIComponent(`SELECT COUNT() FROM Contact WHERE Title LIKE '${label}%'`)}`,
      });
      line(
        `UPDATE of ${rowCount} rows with capture`,
        `${captureMs} ms`,
        `${((captureMs * 1000) / (rowCount || 1)).toFixed(0)} µs/row`,
      );
      line(
        'push wall time',
        `${(wallMs / 1000).toFixed(2)} s`,
        `${Math.round((result.rowsPushed * 1000) / wallMs).toLocaleString()} rows/s`,
      );
      line(
        '  of which inside Salesforce API calls',
        `${(waitedMs / 1000).toFixed(2)} s`,
        `Tandem's own: ${((wallMs - waitedMs) / 1000).toFixed(2)} s`,
      );
      line('rows pushed / failed / backlog', `${result.rowsPushed} / ${result.rowsFailed} / ${result.backlog}`);
      line(
        'records in Salesforce with the new value',
        String(check.totalSize),
        check.totalSize === updates ? 'ok' : 'MISMATCH',
      );
      line('outbox entries pushed so far', rows[0]!.n);
      return result;
    };

    console.log(`\n1. ${updates.toLocaleString()} marketing-side updates through sObject Collections`);
    const a = await pushAll(collections, 'Collections ');
    const collectionsTarget = Math.ceil((50 * updates) / 10_000);
    line(
      'Salesforce API calls',
      String(a.apiCalls),
      `target ≤ ${collectionsTarget}: ${(a.apiCalls / collectionsTarget).toFixed(2)}× the target`,
    );

    console.log(`\n2. ${updates.toLocaleString()} marketing-side updates through Bulk API 2.0 ingest`);
    const b = await pushAll(bulk, 'Bulk ');
    line('Salesforce API calls', String(b.apiCalls), `target ≤ 5: ${(b.apiCalls / 5).toFixed(2)}× the target`);

    console.log('\n3. One change end to end under the continuous sync (Temporal dev server)');
    Runtime.install({ logger: new DefaultLogger('WARN') });
    const workflowBundle = await bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('WARN') });
    const binaries = ensureTemporalBinaries();
    const server = await startDevServer({ cli: binaries.cli });
    cleanups.push(() => server.stop());
    const connection = await NativeConnection.connect({ address: server.address });
    cleanups.push(() => connection.close());
    const clientConnection = await Connection.connect({ address: server.address });
    cleanups.push(() => clientConnection.close());
    const client = new Client({ connection: clientConnection });
    const taskQueue = `bench-push-${randomBytes(3).toString('hex')}`;
    const latencyActivities = createActivities({ salesforce: sync, db: pool, config: config({}), now });
    const worker = await createSyncWorker({ connection, activities: latencyActivities, taskQueue, workflowBundle });
    const running = worker.run();
    cleanups.push(async () => {
      worker.shutdown();
      await running;
    });
    const objects: SyncObject[] = [
      { name: 'Contact', direction: 'two-way' },
      { name: 'Lead', direction: 'two-way' },
    ];
    const handle = await client.workflow.start(continuousSyncWorkflow, {
      taskQueue,
      workflowId: `bench-push-${taskQueue}`,
      args: [{ objects, pauseBetweenCycles: '1 hour' }],
    });
    cleanups.push(() => handle.terminate().catch(() => undefined));
    await waitFor(async () => ((await handle.query(statusQuery)).phase === 'waiting' ? true : undefined), 60_000, 50);
    const repConn = new JsforceConnection({ loginUrl: emulator.loginUrl, version: API_VERSION });
    await repConn.loginBySoap(repUser.username, repUser.password + repUser.securityToken);
    const [lead] = (await pool.query<{ id: string; sfid: string }>(`SELECT id, sfid FROM salesforce.lead LIMIT 1`))
      .rows;
    const results: number[] = [];
    for (let round = 1; round <= 3; round++) {
      const title = `Latency round ${round}`;
      await pool.query(`UPDATE salesforce.lead SET title = $1 WHERE id = $2`, [title, lead!.id]);
      let t = Date.now();
      await handle.signal(syncNowSignal);
      await waitFor(
        async () => ((await repConn.sobject('Lead').retrieve(lead!.sfid)).Title === title ? true : undefined),
        30_000,
      );
      const toSalesforce = Date.now() - t;
      await waitFor(async () => ((await handle.query(statusQuery)).phase === 'waiting' ? true : undefined), 30_000);
      const phone = `555-${1000 + round}`;
      await repConn.sobject('Lead').update({ Id: lead!.sfid, Phone: phone });
      t = Date.now();
      await handle.signal(syncNowSignal);
      await waitFor(
        async () =>
          (await pool.query(`SELECT phone FROM salesforce.lead WHERE id = $1`, [lead!.id])).rows[0]?.phone === phone
            ? true
            : undefined,
        30_000,
      );
      const back = Date.now() - t;
      await waitFor(async () => ((await handle.query(statusQuery)).phase === 'waiting' ? true : undefined), 30_000);
      results.push(toSalesforce, back);
      line(
        `round ${round}: marketing → Salesforce`,
        `${toSalesforce} ms`,
        `target < 3000 ms: ${(toSalesforce / 3000).toFixed(2)}× the target`,
      );
      line(
        `round ${round}: Salesforce → marketing`,
        `${back} ms`,
        `target < 3000 ms: ${(back / 3000).toFixed(2)}× the target`,
      );
    }
    const worst = Math.max(...results);
    line('worst one-way latency', `${worst} ms`, `target < 3000 ms: ${(worst / 3000).toFixed(2)}× the target`);
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((error: unknown) => console.error(error));
    await pool.end();
    await emulator.stop();
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  }
}
