// `npm run bench -- emulator-persist [--scale N] [--writes N]`: what persistence costs. Each phase
// runs in a fresh child process, as a real restart would (and so no phase pays for collecting the
// previous one's million rows): seed the demo org in memory (today's start-up) and time
// single-record updates; seed it into a persisted directory (first start: seed + snapshot); load
// that directory and time the same updates journaled (each flushed on its own, as one request
// would be); load it again, replaying that journal. Target: loading a persisted org stays within a
// few seconds of seeding it.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEmulator, type EmulatorInstance } from '../src/emulator/server';

const PHASE_VARIABLE = 'TANDEM_BENCH_PERSIST_PHASE';
type Phase = 'seed' | 'fresh' | 'load' | 'replay';

interface Timing {
  wallSeconds: number;
  cpuSeconds: number;
}

/** What a phase's child process reports. */
interface PhaseResult {
  start: Timing;
  records: number;
  restored: boolean;
  replayedBatches: number;
  updates?: Timing & { count: number; journalBytes: number };
}

/** Runs `fn`, measuring wall time and this process's CPU time (user + system). */
function timed<T>(fn: () => T): { value: T } & Timing {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const value = fn();
  const used = process.cpuUsage(cpu);
  return { value, wallSeconds: (performance.now() - started) / 1000, cpuSeconds: (used.user + used.system) / 1e6 };
}

/** `count` single-record Account updates, each its own batch, flushed like a request would be. */
function updates(instance: EmulatorInstance, count: number): Timing {
  const store = instance.context.store;
  const user = store.users.get(instance.credentials.rep.userId)!;
  const ids = [...store.table('Account').rows.keys()];
  return timed(() => {
    for (let i = 0; i < count; i++) {
      const [r] = store.applyWrites(user, [
        { op: 'update', type: 'Account', id: ids[i % ids.length], values: { Description: `bench ${i}` } },
      ]);
      if (!r.success) throw new Error(`update ${i} failed: ${JSON.stringify(r.errors)}`);
      instance.flushPersistence();
    }
  });
}

/** One phase, in the child process. */
function runPhase(phase: Phase, scale: number, writes: number, dir: string): PhaseResult {
  const start = timed(() => createEmulator({ seed: 'demo', scale, persistDir: phase === 'seed' ? undefined : dir }));
  const instance = start.value;
  const result: PhaseResult = {
    start: { wallSeconds: start.wallSeconds, cpuSeconds: start.cpuSeconds },
    records: instance.context.store.allTables().reduce((n, t) => n + t.rows.size, 0),
    restored: instance.persistence?.restored ?? false,
    replayedBatches: instance.persistence?.replayedBatches ?? 0,
  };
  if (phase === 'seed' || phase === 'load') {
    const journal = join(dir, 'journal.jsonl');
    const before = phase === 'load' ? statSync(journal).size : 0;
    const t = updates(instance, writes);
    result.updates = { ...t, count: writes, journalBytes: phase === 'load' ? statSync(journal).size - before : 0 };
  }
  instance.closePersistence();
  return result;
}

function inChild(phase: Phase, scale: number, writes: number, dir: string): Promise<PhaseResult> {
  const child = fork(fileURLToPath(import.meta.url), [], {
    env: { ...process.env, [PHASE_VARIABLE]: JSON.stringify({ phase, scale, writes, dir }) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m as PhaseResult));
    child.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`${phase} phase exited with ${code}`))));
  });
}

function line(label: string, t: Timing, note: string): string {
  return `${label.padEnd(38)} ${t.wallSeconds.toFixed(2).padStart(8)} s wall ${t.cpuSeconds.toFixed(2).padStart(8)} CPU-s   ${note}`;
}

function ratio(a: Timing, b: Timing): string {
  return `wall ${(a.wallSeconds / b.wallSeconds).toFixed(2)}, CPU ${(a.cpuSeconds / b.cpuSeconds).toFixed(2)}`;
}

function option(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const n = Number(args[i + 1]);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} needs a positive number, got ${args[i + 1]}`);
  return n;
}

/** Runs the scenario. */
export async function run(args: string[]): Promise<void> {
  const scale = option(args, '--scale', 500);
  const writes = option(args, '--writes', 10_000);
  const dir = mkdtempSync(join(tmpdir(), 'tandem-bench-persist-'));
  try {
    console.log(
      `Persisted emulator org, scale ${scale}, one child process per phase (${cpus().length} CPUs, load ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' / ')})`,
    );
    const seed = await inChild('seed', scale, writes, dir);
    const fresh = await inChild('fresh', scale, writes, dir);
    const snapshotBytes = statSync(join(dir, 'snapshot.jsonl')).size;
    const load = await inChild('load', scale, writes, dir);
    const replay = await inChild('replay', scale, writes, dir);
    if (!load.restored || !replay.restored || load.records !== seed.records || replay.records !== seed.records) {
      throw new Error(
        `the persisted org did not load back whole: ${JSON.stringify({ seed: seed.records, load: load.records, replay: replay.records })}`,
      );
    }
    console.log(line('seed in memory (today)', seed.start, `${seed.records.toLocaleString('en-US')} records`));
    console.log(
      line('first persisted start (seed+snapshot)', fresh.start, `snapshot ${(snapshotBytes / 1e6).toFixed(0)} MB`),
    );
    console.log(
      line(
        'restart: load persisted org',
        load.start,
        `load/seed ${ratio(load.start, seed.start)} (target: within a few seconds of the seed)`,
      ),
    );
    console.log(
      line(
        `restart replaying ${replay.replayedBatches} batches`,
        replay.start,
        `load/seed ${ratio(replay.start, seed.start)}`,
      ),
    );
    const plain = seed.updates!;
    const journaled = load.updates!;
    const us = (t: Timing & { count: number }, key: keyof Timing) => (t[key] / t.count) * 1e6;
    console.log(
      line(
        `${writes} updates, in memory`,
        plain,
        `${us(plain, 'wallSeconds').toFixed(1)} µs/write wall, ${us(plain, 'cpuSeconds').toFixed(1)} µs CPU`,
      ),
    );
    console.log(
      line(
        `${writes} updates, journaled`,
        journaled,
        `${us(journaled, 'wallSeconds').toFixed(1)} µs/write wall, ${us(journaled, 'cpuSeconds').toFixed(1)} µs CPU, ${(journaled.journalBytes / writes).toFixed(0)} journal bytes/write`,
      ),
    );
    console.log(
      `Journal cost per write: ${(us(journaled, 'wallSeconds') - us(plain, 'wallSeconds')).toFixed(1)} µs wall, ${(us(journaled, 'cpuSeconds') - us(plain, 'cpuSeconds')).toFixed(1)} µs CPU`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const phaseSpec = process.env[PHASE_VARIABLE];
if (phaseSpec) {
  try {
    const { phase, scale, writes, dir } = JSON.parse(phaseSpec) as {
      phase: Phase;
      scale: number;
      writes: number;
      dir: string;
    };
    process.send!(runPhase(phase, scale, writes, dir), () => process.exit(0));
  } catch (error: unknown) {
    console.error(error);
    process.exit(1);
  }
}
