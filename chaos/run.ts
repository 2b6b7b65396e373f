/**
 * One chaos run: a real worker process, a real Temporal dev server persisting to SQLite, a private
 * PostgreSQL cluster and the Salesforce emulator, all under fire — the worker SIGKILLed at random
 * moments during the initial copy and the two-way cycles, Temporal and PostgreSQL restarted mid-cycle,
 * ~20% of Salesforce calls failing, sessions expiring, commits landing late — while a rep edits
 * Salesforce and the marketing side edits PostgreSQL. Then everything settles and both sides are
 * audited (chaos/compare.ts, chaos/changes.ts). The seed fixes every random choice (kill moments,
 * fault sequence, edits); timing on a loaded machine still varies, so a replay repeats the same
 * decisions, not the same interleaving to the millisecond.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import pg from 'pg';
import { stringify as toYaml } from 'yaml';
import { startEmulator, type RunningEmulator } from '../src/emulator/server';
import { reliabilityOf } from '../src/emulator/fault-kit';
import { dataConverter } from '../src/security/data-converter';
import { ensureTemporalBinaries } from '../src/temporal/binaries';
import { freePort, startDevServer, type DevServer } from '../src/temporal/dev-server';
import type { ContinuousSyncInput } from '../src/workflows/continuous-sync';
import { statusQuery, syncNowSignal, type SyncStatus } from '../src/workflows/messages';
import { ChangeMaker, type WorkloadFlags } from './changes';
import { auditSides } from './compare';
import { clean, formatAudit, type Audit } from './judge';
import { startPrivatePostgres, stopStaleCluster, type PrivatePostgres } from './postgres';
import { seededRng, type Rng } from './rng';
import { spawnWorker, type WorkerProcess } from './worker-process';

/** What a run does. */
export interface ChaosOptions {
  seed: number;
  /** Emulator demo scale: 1 ≈ 2,000 records, 50 ≈ 100,000. */
  scale: number;
  /** SIGKILLs of the worker while the initial copy runs (fewer if the copy finishes first). */
  killsDuringCopy: number;
  /** SIGKILLs during the two-way cycles. */
  killsDuringCycles: number;
  /** Restarts of Temporal and of PostgreSQL, mid-cycle (and one of each mid-copy when `restartsDuringCopy`). */
  temporalRestarts: number;
  postgresRestarts: number;
  restartsDuringCopy: boolean;
  /** Rounds of edits on both sides during the cycles, and edits per side per round. */
  rounds: number;
  changesPerRound: number;
  /** Share of Salesforce API calls that fail (0.2 = 20%). */
  faultRate: number;
  /** Bulk result page size (one checkpoint each) and pages per copy activity call. */
  bulkPageSize: number;
  copyPagesPerActivity: number;
  /** Heartbeat timeout of the activities: how soon work on a killed worker moves on. */
  heartbeatTimeout: string;
  /** Give up (and fail) after this long. */
  timeLimitMs: number;
  /** Workload parts that attack known weak spots (chaos/changes.ts). */
  workload: WorkloadFlags;
  /**
   * SIGKILLs of the worker at the worst moment of a marketing insert: right after Salesforce created
   * the record, before the response (and so the sfid write-back) reaches the worker.
   */
  insertKills: number;
  log: (line: string) => void;
  /** Aborting stops the run at its next step; everything it started is cleaned up. */
  signal?: AbortSignal;
}

/** The outcome of a run: what was done to the system and what the audit found. */
export interface ChaosReport {
  seed: number;
  scale: number;
  durationMs: number;
  rowsCopied: number;
  kills: number;
  killsDuringCopy: number;
  workerCrashRestarts: number;
  temporalRestarts: number;
  postgresRestarts: number;
  sessionExpiries: number;
  lateCommitsArmed: number;
  faultsInjected: Record<string, number>;
  apiCalls: number;
  changesSalesforce: number;
  changesMarketing: number;
  changeKinds: { salesforce: Record<string, number>; marketing: Record<string, number> };
  insertKills: number;
  audit: Audit;
  expectationsChecked: number;
  invalidInjected: number;
  workload: WorkloadFlags;
  examples: string[];
}

const TASK_QUEUE = 'tandem-chaos';
const WORKFLOW_ID = 'tandem-chaos-sync';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function isAlive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * What a run started, written to `owner.json` in its directory, so the next run can clean up after one
 * that died without its cleanup (its process SIGKILLed, e.g. by a test timeout): worker processes and
 * the private PostgreSQL cluster would otherwise live on as orphans.
 */
interface RunOwner {
  pid: number;
  postgresDir?: string;
  workerPids: number[];
}

function recordOwner(work: string, owner: RunOwner): void {
  writeFileSync(join(work, 'owner.json'), JSON.stringify(owner));
}

/** Stops what earlier runs left behind when their process died: their workers, their PostgreSQL, their directories. */
export async function sweepStaleRuns(log: (line: string) => void = () => undefined): Promise<number> {
  let swept = 0;
  for (const name of readdirSync(tmpdir())) {
    if (!/^tandem-chaos-(?!pg-)/.test(name)) continue;
    const work = join(tmpdir(), name);
    let owner: RunOwner;
    try {
      owner = JSON.parse(readFileSync(join(work, 'owner.json'), 'utf8')) as RunOwner;
    } catch {
      continue; // not ours, or still starting
    }
    if (isAlive(owner.pid)) continue;
    for (const pid of owner.workerPids) {
      // Only if it still is a Tandem worker (pids get reused).
      const cmdline = (() => {
        try {
          return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        } catch {
          return '';
        }
      })();
      if (cmdline.includes('src/worker.ts')) process.kill(pid, 'SIGKILL');
    }
    if (owner.postgresDir) await stopStaleCluster(owner.postgresDir);
    rmSync(work, { recursive: true, force: true });
    swept++;
    log(`cleaned up after a chaos run that died (pid ${owner.pid}): ${work}`);
  }
  return swept;
}

/** Restarts the worker whenever it exits, as a process supervisor would; SIGKILLs it on demand. */
class Supervisor {
  current: WorkerProcess | undefined;
  kills = 0;
  crashRestarts = 0;
  private stopping = false;
  private generation = 0;

  constructor(
    private readonly env: Record<string, string | undefined>,
    private readonly logFile: string,
    private readonly log: (line: string) => void,
  ) {}

  /** Called with each new worker's pid (recorded for the stale-run sweep). */
  onSpawn: (pid: number) => void = () => undefined;

  start(): WorkerProcess {
    const worker = spawnWorker({ env: this.env, logFile: this.logFile });
    if (worker.child.pid) this.onSpawn(worker.child.pid);
    const generation = ++this.generation;
    this.current = worker;
    void worker.exited.then(async (how) => {
      if (this.stopping || generation !== this.generation) return;
      this.crashRestarts++;
      this.log(`worker exited on its own (${how}); restarting`);
      await sleep(500);
      if (!this.stopping && generation === this.generation) this.start();
    });
    return worker;
  }

  /** Waits until the current worker polls (restarting it while it cannot start, e.g. PostgreSQL is down). */
  async ready(timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      try {
        await this.current!.ready;
        return;
      } catch {
        await sleep(300);
      }
    }
    throw new Error(`worker did not become ready within ${timeoutMs} ms:\n${this.current?.output().slice(-2000)}`);
  }

  /** SIGKILL now, then start a fresh one. */
  async kill(): Promise<void> {
    const victim = this.current!;
    this.generation++; // the exit below is ours, not a crash
    await victim.kill();
    if (isAlive(victim.child.pid)) throw new Error(`worker ${victim.child.pid} survived SIGKILL`);
    this.kills++;
    this.start();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.current?.stop();
  }
}

/** Calls `fn` until it succeeds (Temporal or PostgreSQL may be restarting), up to `timeoutMs`. */
async function retrying<T>(what: string, fn: () => Promise<T>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      return await fn();
    } catch (error) {
      last = error;
      await sleep(250);
    }
  }
  throw new Error(
    `${what}: still failing after ${timeoutMs} ms: ${last instanceof Error ? last.message : String(last)}`,
  );
}

/** Runs the scenario described in the module comment and returns the audit. Throws only when the run itself breaks. */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const started = Date.now();
  const deadline = started + options.timeLimitMs;
  const log = (line: string): void => options.log(`[chaos ${((Date.now() - started) / 1000).toFixed(1)}s] ${line}`);
  const rng: Rng = seededRng(options.seed);
  const work = mkdtempSync(join(tmpdir(), 'tandem-chaos-'));
  const cleanups: (() => Promise<void>)[] = [];
  const report: Partial<ChaosReport> = {
    seed: options.seed,
    scale: options.scale,
    temporalRestarts: 0,
    postgresRestarts: 0,
    sessionExpiries: 0,
    lateCommitsArmed: 0,
  };
  // Waits never outlast the run's time limit, so a stuck run fails with its log rather than a test timeout.
  const within = (ms: number): number => Math.max(1_000, Math.min(ms, deadline - Date.now()));
  const checkTime = (what: string): void => {
    if (options.signal?.aborted) throw new Error(`chaos run interrupted while ${what}`);
    if (Date.now() > deadline) throw new Error(`chaos run over its ${options.timeLimitMs} ms limit while ${what}`);
  };

  const owner: RunOwner = { pid: process.pid, workerPids: [] };
  recordOwner(work, owner);
  try {
    await sweepStaleRuns(log);
    log(`seed ${options.seed}, scale ${options.scale}, work dir ${work}`);
    const postgres: PrivatePostgres = await startPrivatePostgres();
    cleanups.push(() => postgres.stop());
    owner.postgresDir = postgres.dir;
    recordOwner(work, owner);
    {
      const admin = new pg.Client({ connectionString: postgres.adminUrl });
      await admin.connect();
      await admin.query('CREATE DATABASE tandem');
      await admin.end();
    }
    const databaseUrl = postgres.urlFor('tandem');
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 });
    pool.on('error', () => undefined); // connections die on purpose when PostgreSQL restarts
    cleanups.push(() => pool.end());

    const { cli } = ensureTemporalBinaries();
    const temporalPort = await freePort();
    const temporalDb = join(work, 'temporal.db');
    let temporal: DevServer = await startDevServer({ cli, port: temporalPort, dbFilename: temporalDb });
    cleanups.push(() => temporal.stop());

    log(`seeding the emulator (scale ${options.scale})`);
    const emulator: RunningEmulator = await startEmulator({ seed: 'demo', scale: options.scale, enableAdmin: true });
    cleanups.push(() => emulator.stop());
    const adminToken = reliabilityOf(emulator.context).adminToken;
    const admin = async <T = unknown>(method: string, path: string, body?: unknown): Promise<T> => {
      const response = await fetch(`${emulator.url}/__emulator${path}`, {
        method,
        headers: { 'X-Emulator-Admin-Token': adminToken, 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (!response.ok)
        throw new Error(`emulator admin ${method} ${path}: ${response.status} ${await response.text()}`);
      return (response.status === 204 ? undefined : await response.json()) as T;
    };

    const configFile = join(work, 'tandem.config.yaml');
    writeFileSync(
      configFile,
      toYaml({
        temporal: { address: temporal.address, taskQueue: TASK_QUEUE, workflowId: WORKFLOW_ID },
        database: { url: databaseUrl },
        sync: {
          bulkQueryThreshold: 2_000,
          bulkResultPageSize: options.bulkPageSize,
          bulkPollIntervalMs: 200,
          describeIntervalSeconds: 600,
          deletedCheckIntervalSeconds: 30,
          // Marketing deletes of every two-way object are part of the workload: have them all pushed, so each has one right end state.
          pushDeletes: { Lead: true, Contact: true, Campaign: true, CampaignMember: true },
        },
      }),
    );
    const { oauth } = emulator.credentials;
    const supervisor = new Supervisor(
      {
        TANDEM_CONFIG: configFile,
        TEMPORAL_ADDRESS: temporal.address,
        DATABASE_URL: databaseUrl,
        TANDEM_TASK_QUEUE: TASK_QUEUE,
        TANDEM_METRICS_PORT: '0',
        SF_LOGIN_URL: emulator.loginUrl,
        SF_CLIENT_ID: oauth.clientId,
        SF_CLIENT_SECRET: oauth.clientSecret,
        SF_USERNAME: undefined,
        SF_PASSWORD: undefined,
        SF_SECURITY_TOKEN: undefined,
        SF_SECRETS_FILE: undefined,
        LOG_LEVEL: 'info',
      },
      join(work, 'worker.log'),
      log,
    );
    supervisor.onSpawn = (pid) => {
      owner.workerPids = [...owner.workerPids.filter(isAlive), pid];
      recordOwner(work, owner);
    };
    supervisor.start();
    cleanups.push(() => supervisor.stop());
    await supervisor.ready();
    log('worker ready');

    const connection = await Connection.connect({ address: temporal.address });
    cleanups.push(() => connection.close());
    const client = new Client({ connection, dataConverter: dataConverter() });
    const input: ContinuousSyncInput = {
      pauseBetweenCycles: '2 seconds',
      copyPagesPerActivity: options.copyPagesPerActivity,
      activityHeartbeatTimeout: options.heartbeatTimeout,
      maxCyclesPerRun: 6,
    };
    await client.workflow.start('continuousSyncWorkflow', {
      taskQueue: TASK_QUEUE,
      workflowId: WORKFLOW_ID,
      args: [input],
    });
    const handle: WorkflowHandle = client.workflow.getHandle(WORKFLOW_ID);
    const status = (): Promise<SyncStatus> => retrying('status query', () => handle.query(statusQuery), 180_000);

    // Faults from here on: ~faultRate of all Salesforce calls fail, split across kinds.
    await admin('POST', '/faults/reseed', { seed: options.seed });
    const share = (p: number): number => 1 - Math.pow(1 - options.faultRate, p);
    for (const [kind, weight] of [
      ['server-unavailable', 0.3],
      ['internal-error', 0.2],
      ['unable-to-lock-row', 0.15],
      ['drop-connection', 0.15],
      ['invalid-session', 0.1],
      ['slow', 0.1],
    ] as const) {
      await admin('POST', '/faults', {
        kind,
        path: '/services/*',
        probability: share(weight),
        ...(kind === 'slow' ? { delayMs: 400 } : {}),
      });
    }
    log(`faults on: ${Math.round(options.faultRate * 100)}% of calls under /services/*`);

    const restartTemporal = async (): Promise<void> => {
      log('restarting the Temporal dev server');
      await temporal.stop();
      temporal = await startDevServer({ cli, port: temporalPort, dbFilename: temporalDb });
      report.temporalRestarts!++;
      log('Temporal back');
    };
    const restartPostgres = async (): Promise<void> => {
      log('crashing and restarting PostgreSQL');
      await postgres.restart('immediate');
      report.postgresRestarts!++;
    };
    const expireSessions = (): void => {
      emulator.context.sessions.expireAll();
      report.sessionExpiries!++;
    };

    // Phase 1: the initial copy, with kills at random moments (and a restart of each server).
    let killsDuringCopy = 0;
    let restartedInCopy = !options.restartsDuringCopy;
    for (;;) {
      checkTime('copying');
      const s = await status();
      const copying = Object.values(s.objects).some((o) => o.state === 'copying');
      if (!copying && s.cycle >= 1 && Object.keys(s.initialCopy).length > 0) break;
      if (killsDuringCopy < options.killsDuringCopy) {
        await supervisor.ready();
        await sleep(rng.int(1_000, 6_000));
        const progress = Object.values((await status()).initialCopy).reduce((n, c) => n + c.rowsCopied, 0);
        await supervisor.kill();
        killsDuringCopy++;
        log(`kill ${supervisor.kills} during the copy (${progress} rows copied so far)`);
        if (!restartedInCopy && killsDuringCopy === Math.ceil(options.killsDuringCopy / 2)) {
          await restartPostgres();
          await restartTemporal();
          restartedInCopy = true;
        }
        if (rng.chance(0.3)) expireSessions();
      } else {
        await sleep(1_000);
      }
    }
    const afterCopy = await status();
    report.rowsCopied = Object.values(afterCopy.initialCopy).reduce((n, c) => n + c.rowsCopied, 0);
    report.killsDuringCopy = killsDuringCopy;
    log(`initial copy done: ${report.rowsCopied} rows, ${killsDuringCopy} kills`);

    // Phase 2: two-way cycles with edits on both sides and the remaining events spread over the rounds.
    const changes = new ChangeMaker(rng, emulator, pool, `c${options.seed}`, options.workload);

    // The worst moment of an insert: the record exists in Salesforce, the worker has not heard so yet.
    // The emulator's store is wrapped so the SIGKILL lands before the response is written.
    let insertKillArmed = false;
    report.insertKills = 0;
    const syncUserId = emulator.credentials.sync.userId;
    const store = emulator.store;
    const applyWrites = store.applyWrites.bind(store);
    store.applyWrites = (user, ops, batch) => {
      const results = applyWrites(user, ops, batch);
      const inserted = ops.some(
        (op, i) =>
          (op.op === 'create' || op.op === 'upsert') &&
          results[i]?.success &&
          ['Lead', 'Contact', 'Campaign', 'CampaignMember'].includes(op.type),
      );
      if (insertKillArmed && user.id === syncUserId && inserted && supervisor.current) {
        insertKillArmed = false;
        report.insertKills!++;
        void supervisor
          .kill()
          .then(() => log(`kill ${supervisor.kills} right after a Salesforce insert, before its sfid write-back`));
      }
      return results;
    };
    type ChaosEvent = 'kill' | 'temporal' | 'postgres';
    const events: ChaosEvent[] = [
      ...Array<ChaosEvent>(options.killsDuringCycles).fill('kill'),
      ...Array<ChaosEvent>(options.temporalRestarts).fill('temporal'),
      ...Array<ChaosEvent>(options.postgresRestarts).fill('postgres'),
    ];
    const plan: ChaosEvent[][] = Array.from({ length: options.rounds }, () => []);
    for (const event of events) plan[rng.int(0, options.rounds - 1)]!.push(event);
    for (let round = 0; round < options.rounds; round++) {
      checkTime(`round ${round + 1}`);
      {
        await admin('POST', '/late-commits', {
          lagSeconds: rng.int(30, 200),
          count: rng.int(1, 5),
          object: rng.pick(['Lead', 'Contact', 'Campaign']),
        });
        report.lateCommitsArmed!++;
      }
      insertKillArmed = report.insertKills! < options.insertKills;
      await changes.salesforceRound(options.changesPerRound, round);
      await retrying('marketing edits', () =>
        changes.marketingRound(options.changesPerRound, {
          invalid: round === 1 || round === options.rounds - 2,
          round,
        }),
      );
      if (rng.chance(0.4)) expireSessions();
      const before = (await status()).cycle;
      for (const event of plan[round]!) {
        // Mid-cycle: wait until a cycle is pulling or pushing, then strike a moment later.
        await retrying(
          'mid-cycle',
          async () => {
            const s = await handle.query(statusQuery);
            if (s.phase !== 'pulling' && s.phase !== 'pushing') throw new Error(`phase ${s.phase}`);
          },
          60_000,
        ).catch(() => undefined);
        await sleep(rng.int(0, 800));
        if (event === 'kill') {
          await supervisor.kill();
          log(`kill ${supervisor.kills} mid-cycle (round ${round + 1})`);
        } else if (event === 'temporal') await restartTemporal();
        else await restartPostgres();
        await supervisor.ready();
      }
      // The round's edits are in once a cycle that started after them has finished.
      await retrying(
        `round ${round + 1}: a full cycle`,
        async () => {
          const s = await handle.query(statusQuery);
          if (!(s.cycle >= before + 1 && s.phase === 'waiting')) throw new Error(`cycle ${s.cycle} ${s.phase}`);
        },
        within(300_000),
      );
      log(
        `round ${round + 1}/${options.rounds}: cycle ${(await status()).cycle}, changes so far sf ${changes.total('salesforce')} / marketing ${changes.total('marketing')}`,
      );
    }

    // Phase 3: settle. Faults off, no more edits; wait for cycles that push nothing and pull cleanly.
    const counters = await admin<{ totalCalls: number; faultsByKind: Record<string, number> }>('GET', '/counters');
    report.faultsInjected = counters.faultsByKind;
    report.apiCalls = counters.totalCalls;
    insertKillArmed = false;
    await admin('DELETE', '/faults');
    await admin('DELETE', '/late-commits');
    log('faults off; settling');
    let quiet = 0;
    let lastCycle = (await status()).cycle;
    while (quiet < 2) {
      checkTime('settling');
      await retrying('syncNow', () => handle.signal(syncNowSignal));
      const s = await retrying(
        'next cycle',
        async () => {
          const next = await handle.query(statusQuery);
          if (!(next.cycle > lastCycle && next.phase === 'waiting')) throw new Error('not yet');
          return next;
        },
        within(300_000),
      );
      lastCycle = s.cycle;
      const objects = Object.values(s.objects);
      const clean = objects.every(
        (o) =>
          o.lastPull?.ok &&
          o.lastPull.cycle === s.cycle &&
          (o.direction !== 'two-way' || (o.lastPush?.ok && (o.lastPush.rowsPushed ?? 0) === 0)),
      );
      quiet = clean ? quiet + 1 : 0;
      if (!clean) {
        const busy = Object.entries(s.objects).filter(
          ([, o]) => !o.lastPull?.ok || !(o.direction !== 'two-way' || (o.lastPush?.ok && !o.lastPush.rowsPushed)),
        );
        log(
          `cycle ${s.cycle} not quiet yet: ${busy.map(([name, o]) => `${name} (pull ${o.lastPull?.ok ? 'ok' : (o.lastPull?.error ?? 'none')}, push ${o.lastPush ? (o.lastPush.ok ? `${o.lastPush.rowsPushed ?? 0} rows` : (o.lastPush.error ?? 'failed')) : 'none'})`).join(', ')}`,
        );
      }
    }
    log(`settled at cycle ${lastCycle}`);
    await supervisor.stop();
    await retrying('terminate', () => handle.terminate('chaos run finished'));

    // The audit: both sides against each other and against what the workload did.
    const audit = await auditSides(pool, emulator, changes.expected());
    Object.assign(report, {
      durationMs: Date.now() - started,
      kills: supervisor.kills,
      workerCrashRestarts: supervisor.crashRestarts,
      changesSalesforce: changes.total('salesforce'),
      changesMarketing: changes.total('marketing'),
      changeKinds: changes.counts,
      audit,
      expectationsChecked: changes.checks,
      invalidInjected: changes.invalidRows.length,
      workload: options.workload,
      examples: audit.findings.slice(0, 30).map((f) => `${f.kind}: ${f.text}`),
    } satisfies Partial<ChaosReport>);
    return report as ChaosReport;
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  }
}

/** The run's figures, one line per measure, then the audit table (per object). */
export function formatReport(r: ChaosReport): string {
  const faults = Object.values(r.faultsInjected).reduce((a, b) => a + b, 0);
  const off = Object.entries(r.workload)
    .filter(([, on]) => !on)
    .map(([k]) => k);
  const rows: [string, string | number][] = [
    ['seed', `${r.seed} (replay: npm run chaos -- --seed ${r.seed} --scale ${r.scale})`],
    ['duration', `${(r.durationMs / 1000).toFixed(0)} s`],
    ['rows in the initial copy', r.rowsCopied],
    [
      'worker kills (SIGKILL)',
      `${r.kills} (${r.killsDuringCopy} during the copy, ${r.insertKills} right after a Salesforce insert)`,
    ],
    ['worker crash restarts', r.workerCrashRestarts],
    ['Temporal restarts', r.temporalRestarts],
    ['PostgreSQL restarts', r.postgresRestarts],
    ['session expiries', r.sessionExpiries],
    ['late-commit rules armed', r.lateCommitsArmed],
    [
      'faults injected',
      `${faults} of ${r.apiCalls} calls (${Object.entries(r.faultsInjected)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')})`,
    ],
    [
      'changes in Salesforce',
      `${r.changesSalesforce} (${Object.entries(r.changeKinds.salesforce)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')})`,
    ],
    [
      'changes on the marketing side',
      `${r.changesMarketing} (${Object.entries(r.changeKinds.marketing)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')})`,
    ],
    ['workload parts off', off.length ? off.join(', ') : 'none'],
    ['changes checked individually', r.expectationsChecked],
    ['values Salesforce must refuse', r.invalidInjected],
    ['FINDINGS', r.audit.findings.length],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join('\n') + '\n\n' + formatAudit(r.audit);
}

/** True when the audit found nothing: nothing mismatched, duplicated, lost or unexplained. */
export function passed(r: ChaosReport): boolean {
  return clean(r.audit);
}
