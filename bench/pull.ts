// `npm run bench -- pull [--scale 520] [--small-scale 52] [--changes 1000] [--cycles 3]`: the Salesforce →
// PostgreSQL pull, measured against the limits of its two ends in the same run.
//
// 1. Initial copy of every Lead of a ~1,000,000-record demo org (scale 520 ≈ 260,000 leads): rows/s,
//    peak RSS of this process (the worker side; the emulator runs in a child process), API calls —
//    beside the emulator's Bulk export of the same rows alone and PostgreSQL COPY of the same rows
//    alone. Target: ≥ 50% of the slower of the two, peak RSS < 300 MB.
// 2. The rest of the mixed org, then one incremental cycle (every object pulled once) after
//    `--changes` rep edits, `--cycles` times (mean reported): wall time and API calls (target ≤
//    objects + ceil(changes / 2000)); the same cycle on a ~100,000-record org (scale 52) must be within
//    20% of it.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream, createWriteStream, mkdirSync, rmSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Connection } from 'jsforce';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { createActivities } from '../src/activities';
import { configSchema, type TandemConfig } from '../src/config';
import { quoteIdentifier } from '../src/db/identifiers';
import { migrate } from '../src/db/migrations';
import { readObjectState } from '../src/db/state';
import { syncedObjects } from '../src/objects';
import { createQueryJob, deleteQueryJob, fetchResultPage, waitForQueryJob } from '../src/salesforce/bulk-query';
import { SalesforceClient } from '../src/salesforce/connection';
import { buildSelect, type SoqlCondition } from '../src/salesforce/soql';
import { selectedFields } from '../src/sync/type-mapping';

const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const API_VERSION = '62.0';

interface Org {
  child: ChildProcess;
  url: string;
  clientId: string;
  clientSecret: string;
  rep: { username: string; password: string };
}

function arg(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
}

/** Starts the emulator CLI in a child process (so its memory is not ours) and reads its credentials. */
async function startOrg(scale: number): Promise<Org> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/emulator/cli.ts',
      '--port',
      '0',
      '--scale',
      String(scale),
      '--daily-api-limit',
      '10000000',
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('OAuth client secret')) resolve();
    });
  });
  const pick = (label: RegExp) => label.exec(out)?.[1] ?? '';
  const rep = /sales rep\s+(\S+)\s+password (\S+)\s+security token (\S+)/.exec(out)!;
  return {
    child,
    url: pick(/listening on (\S+)/),
    clientId: pick(/OAuth client id\s+(\S+)/),
    clientSecret: pick(/OAuth client secret\s+(\S+)/),
    rep: { username: rep[1]!, password: rep[2]! + rep[3]! },
  };
}

async function freshDatabase(name: string): Promise<pg.Pool> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${quoteIdentifier(name)}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return new pg.Pool({ connectionString: url.toString(), max: 4 });
}

/**
 * Samples this process's RSS every 20 ms; `stop()` returns the peak in MB, with the RSS the phase
 * started from (memory earlier phases of this process left behind, which V8 does not hand back at once).
 */
function rssSampler(): { stop(): string } {
  const start = process.memoryUsage().rss;
  let peak = start;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  return {
    stop() {
      clearInterval(timer);
      return `${Math.round(Math.max(peak, process.memoryUsage().rss) / 1048576)} (from ${Math.round(start / 1048576)})`;
    },
  };
}

function config(): TandemConfig {
  return configSchema.parse({ sync: { bulkPollIntervalMs: 100, customObjects: ['Subscription__c'] } });
}

async function connect(org: Org): Promise<SalesforceClient> {
  return SalesforceClient.connect({
    credentials: {
      flow: 'client-credentials',
      loginUrl: org.url,
      clientId: org.clientId,
      clientSecret: org.clientSecret,
    },
    apiVersion: API_VERSION,
  });
}

async function copyAll(activities: ReturnType<typeof createActivities>, object: string): Promise<number> {
  await activities.startInitialCopy({ object, reason: 'never-copied' });
  for (;;) {
    const p = await activities.copyObjectPages({ object, reason: 'never-copied', maxPages: 1000 });
    if (p.done) return p.rowsCopied;
  }
}

/** Makes `changes` edits as the rep: leads, contacts and accounts, 200 per sObject Collections call. */
async function makeChanges(org: Org, changes: number, after: Map<string, string>): Promise<void> {
  const rep = new Connection({ loginUrl: org.url, version: API_VERSION });
  await rep.loginBySoap(org.rep.username, org.rep.password);
  const plan: [string, number][] = [
    ['Lead', Math.round(changes * 0.6)],
    ['Contact', Math.round(changes * 0.3)],
  ];
  plan.push(['Account', changes - plan[0]![1] - plan[1]![1]]);
  for (const [object, n] of plan) {
    // Converted leads are read-only (CANNOT_UPDATE_CONVERTED_LEAD). Each round edits the records after
    // the previous round's, so no cycle finds its rows already warm in PostgreSQL's cache.
    const where: SoqlCondition[] = [];
    if (object === 'Lead') where.push({ field: 'IsConverted', op: '=', value: false });
    if (after.has(object)) where.push({ field: 'Id', op: '>', value: after.get(object)! });
    const soql = buildSelect({ object, fields: ['Id'], where, orderBy: ['Id'], limit: n });
    const ids = (await rep.query<{ Id: string }>(soql)).records.map((r) => r.Id);
    if (ids.length > 0) after.set(object, ids.at(-1)!);
    for (let i = 0; i < ids.length; i += 200) {
      const batch = ids.slice(i, i + 200).map((Id) => ({ Id, Description: `bench change ${Date.now()}` }));
      const results = await rep.sobject(object).update(batch);
      const failed = results.find((r) => !r.success);
      if (failed) throw new Error(`${object}: a bench change failed: ${JSON.stringify(failed)}`);
    }
  }
}

/** Wraps `client.request` to add up the time spent waiting for Salesforce (the emulator). */
function timeRequests(client: SalesforceClient): { ms: number } {
  const spent = { ms: 0 };
  const original = SalesforceClient.prototype.request;
  client.request = async function <T>(this: SalesforceClient, request: Parameters<typeof original>[0]): Promise<T> {
    const t = performance.now();
    try {
      return await original.call<SalesforceClient, [typeof request], Promise<T>>(this, request);
    } finally {
      spent.ms += performance.now() - t;
    }
  };
  return spent;
}

/** One cycle: every object pulled once. */
async function cycle(
  activities: ReturnType<typeof createActivities>,
  objects: string[],
): Promise<{ ms: number; calls: number; rows: number }> {
  const started = performance.now();
  let calls = 0;
  let rows = 0;
  for (const object of objects) {
    const r = await activities.pullChanges({ object });
    calls += r.apiCalls;
    rows += r.rowsPulled + r.rowsDeleted;
  }
  return { ms: performance.now() - started, calls, rows };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function leadCopy(org: Org, pool: pg.Pool): Promise<Record<string, string | number>[]> {
  const cfg = config();
  const client = await connect(org);
  const activities = createActivities({ salesforce: client, db: pool, config: cfg });
  await activities.startInitialCopy({ object: 'Lead', reason: 'never-copied' });
  const state = (await readObjectState(pool, 'Lead'))!;
  const fields = selectedFields(state.columns);
  mkdirSync('.tandem', { recursive: true });
  const csvFile = '.tandem/bench-leads.csv';

  // Limit 1: the emulator's Bulk export of the same rows, downloaded and nothing else.
  const exportClient = await connect(org);
  let t = performance.now();
  const job = await createQueryJob(exportClient, buildSelect({ object: 'Lead', fields }));
  await waitForQueryJob(exportClient, job, { pollIntervalMs: 100, timeoutMs: 3_600_000 });
  let locator: string | null = null;
  let exported = 0;
  const file = createWriteStream(csvFile);
  let first = true;
  do {
    const page = await fetchResultPage(exportClient, job, locator, cfg.sync.bulkResultPageSize);
    exported += page.numberOfRecords ?? 0;
    // Read whole, as bytes (a page held as one string stayed in this process's RSS for the phases measured
    // later; an ArrayBuffer's memory is returned when it is collected); one header kept for COPY below.
    let bytes = Buffer.from(await new Response(page.body).arrayBuffer());
    if (!first) bytes = bytes.subarray(bytes.indexOf(10) + 1);
    if (!file.write(bytes)) await once(file, 'drain');
    first = false;
    locator = page.nextLocator;
  } while (locator);
  await new Promise<void>((resolve) => file.end(resolve));
  const exportMs = performance.now() - t;
  await deleteQueryJob(exportClient, job);

  // Limit 2: PostgreSQL COPY of the same rows into a plain table of the same columns.
  const columnList = state.columns
    .filter((c) => c.field !== '')
    .map((c) => `${quoteIdentifier(c.column)} ${c.sqlType}`);
  await pool.query(`CREATE TABLE public.copy_baseline (${columnList.join(', ')})`);
  const pgClient = await pool.connect();
  t = performance.now();
  await pipeline(
    createReadStream(csvFile),
    pgClient.query(copyFrom(`COPY public.copy_baseline FROM STDIN WITH (FORMAT csv, HEADER true)`)),
  );
  const copyMs = performance.now() - t;
  pgClient.release();
  rmSync(csvFile);

  // Tandem: the initial-copy activity, Bulk pages streamed through coercion, COPY and merge.
  const rss = rssSampler();
  const before = client.apiCalls;
  t = performance.now();
  let progress;
  do progress = await activities.copyObjectPages({ object: 'Lead', reason: 'never-copied', maxPages: 1000 });
  while (!progress.done);
  const tandemMs = performance.now() - t;
  const peak = rss.stop();
  const rows = progress.rowsCopied;
  const exportRate = exported / (exportMs / 1000);
  const copyRate = rows / (copyMs / 1000);
  const tandemRate = rows / (tandemMs / 1000);
  const limit = Math.min(exportRate, copyRate);
  return [
    { measurement: 'emulator Bulk export alone', rows: fmt(exported), 'rows/s': fmt(exportRate), ratio: '' },
    { measurement: 'PostgreSQL COPY alone', rows: fmt(rows), 'rows/s': fmt(copyRate), ratio: '' },
    {
      measurement: 'Tandem initial copy (Lead)',
      rows: fmt(rows),
      'rows/s': fmt(tandemRate),
      ratio: `${((tandemRate / limit) * 100).toFixed(0)}% of slower limit (target ≥ 50%)`,
      'peak RSS MB': `${peak}, target < 300`,
      'API calls': client.apiCalls - before,
    },
  ];
}

async function mixedOrg(
  scale: number,
  changes: number,
  cycles: number,
  label: string,
  leadRows?: Record<string, string | number>[],
): Promise<{ rows: Record<string, string | number>[]; cycleMs: number; tandemMs: number }> {
  process.stdout.write(`starting a scale-${scale} org (${label})…\n`);
  const org = await startOrg(scale);
  const pool = await freshDatabase(`tandem_bench_${scale}`);
  try {
    await migrate(pool);
    const table: Record<string, string | number>[] = [];
    if (leadRows) table.push(...(await leadCopy(org, pool)));
    const client = await connect(org);
    const activities = createActivities({ salesforce: client, db: pool, config: config() });
    const objects = syncedObjects(['Subscription__c']).map((o) => o.name);
    const rss = rssSampler();
    const t = performance.now();
    let copied = 0;
    for (const object of objects) if (object !== 'Lead' || !leadRows) copied += await copyAll(activities, object);
    const copyMs = performance.now() - t;
    const peak = rss.stop();
    table.push({
      measurement: `Tandem initial copy, ${leadRows ? 'rest of ' : ''}${label}`,
      rows: fmt(copied),
      'rows/s': fmt(copied / (copyMs / 1000)),
      'peak RSS MB': peak,
      'API calls': client.apiCalls,
    });
    // Several cycles, each after its own changes: one cycle of a few hundred ms on shared cores is at the
    // mercy of whatever else runs.
    const waiting = timeRequests(client);
    const runs: { ms: number; calls: number; rows: number; salesforceMs: number }[] = [];
    const edited = new Map<string, string>();
    for (let i = 0; i < cycles; i++) {
      await makeChanges(org, changes, edited);
      waiting.ms = 0;
      runs.push({ ...(await cycle(activities, objects)), salesforceMs: waiting.ms });
    }
    // Both orgs run the same sequence (cycle n re-reads the changes of earlier rounds still inside the
    // overlap window), so the orgs are compared on the mean over all cycles, not on one cycle each.
    const mean = (f: (r: (typeof runs)[number]) => number) => runs.reduce((sum, r) => sum + f(r), 0) / runs.length;
    const target = objects.length + Math.ceil(changes / 2000);
    table.push({
      measurement: `one cycle, ${changes} changes, ${label} (mean of ${runs.length}: ${runs.map((r) => `${fmt(r.ms)} ms/${fmt(r.rows)} rows`).join(', ')})`,
      rows: fmt(mean((r) => r.rows)),
      'wall ms': `${fmt(mean((r) => r.ms))} (of which Salesforce ${fmt(mean((r) => r.salesforceMs))})`,
      'API calls': `${Math.max(...runs.map((r) => r.calls))} (target ≤ ${target})`,
    });
    return { rows: table, cycleMs: mean((r) => r.ms), tandemMs: mean((r) => r.ms - r.salesforceMs) };
  } finally {
    await pool.end();
    org.child.kill('SIGTERM');
  }
}

export async function run(args: string[]): Promise<void> {
  const scale = arg(args, 'scale', 520);
  const smallScale = arg(args, 'small-scale', 52);
  const changes = arg(args, 'changes', 1000);
  const cycles = arg(args, 'cycles', 3);
  const big = await mixedOrg(scale, changes, cycles, `${fmt(scale * 2000)}-record org`, []);
  const small = await mixedOrg(smallScale, changes, cycles, `${fmt(smallScale * 2000)}-record org`);
  const rows = [...big.rows, ...small.rows];
  const ratio = big.cycleMs / small.cycleMs;
  rows.push({ measurement: `cycle time, large org / small org`, ratio: `${ratio.toFixed(2)} (target ≤ 1.20)` });
  rows.push({
    measurement: `cycle time outside Salesforce, large / small`,
    ratio: (big.tandemMs / small.tandemMs).toFixed(2),
  });
  console.table(rows);
}
