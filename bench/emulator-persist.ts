// `npm run bench -- emulator-persist [--scale N] [--writes N]`: what persistence costs. Seeds the
// demo org in memory (today's start-up), seeds it again into a persisted directory (first start:
// seed + snapshot), loads that directory as a restart would, and times single-record updates
// with and without the journal (each update flushed on its own, as one request would be), then
// restarts once more to replay that journal.
// Start-up of a persisted org should stay within a few seconds of the seed.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmulator, type EmulatorInstance } from '../src/emulator/server';

interface Timed<T> {
  value: T;
  wallSeconds: number;
  cpuSeconds: number;
}

/** Runs `fn`, measuring wall time and this process's CPU time (user + system). */
function timed<T>(fn: () => T): Timed<T> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const value = fn();
  const used = process.cpuUsage(cpu);
  return { value, wallSeconds: (performance.now() - started) / 1000, cpuSeconds: (used.user + used.system) / 1e6 };
}

function option(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const n = Number(args[i + 1]);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} needs a positive number, got ${args[i + 1]}`);
  return n;
}

function records(instance: EmulatorInstance): number {
  return instance.context.store.allTables().reduce((n, t) => n + t.rows.size, 0);
}

/** `writes` single-record Account updates, each its own batch; flushed like a request when `flush`. */
function updates(instance: EmulatorInstance, writes: number, flush: boolean): Timed<number> {
  const store = instance.context.store;
  const user = store.users.get(instance.credentials.rep.userId)!;
  const ids = [...store.table('Account').rows.keys()];
  return timed(() => {
    for (let i = 0; i < writes; i++) {
      const [r] = store.applyWrites(user, [{ op: 'update', type: 'Account', id: ids[i % ids.length], values: { Description: `bench ${i}` } }]);
      if (!r.success) throw new Error(`update ${i} failed: ${JSON.stringify(r.errors)}`);
      if (flush) instance.flushPersistence();
    }
    return writes;
  });
}

function row(label: string, t: Timed<unknown>, note: string): string {
  return `${label.padEnd(38)} ${t.wallSeconds.toFixed(2).padStart(8)} s wall ${t.cpuSeconds.toFixed(2).padStart(8)} CPU-s   ${note}`;
}

/** Runs the scenario. */
export async function run(args: string[]): Promise<void> {
  const scale = option(args, '--scale', 500);
  const writes = option(args, '--writes', 10_000);
  const dir = mkdtempSync(join(tmpdir(), 'tandem-bench-persist-'));
  try {
    console.log(`Persisted emulator org, scale ${scale} (${cpus().length} CPUs, load ${loadavg().map((l) => l.toFixed(2)).join(' / ')})`);
    // Each org is dropped before the next is built: three million-record orgs would not fit beside each other.
    const seed = timed((): EmulatorInstance | null => createEmulator({ seed: 'demo', scale }));
    const n = records(seed.value!);
    const plain = updates(seed.value!, writes, false);
    seed.value = null;
    const fresh = timed((): EmulatorInstance | null => createEmulator({ seed: 'demo', scale, persistDir: dir }));
    fresh.value!.closePersistence();
    fresh.value = null;
    const snapshotBytes = statSync(join(dir, 'snapshot.jsonl')).size;
    const load = timed((): EmulatorInstance | null => createEmulator({ seed: 'demo', scale, persistDir: dir }));
    if (!load.value!.persistence?.restored || records(load.value!) !== n) throw new Error('the persisted org did not load back whole');
    const journalBefore = statSync(join(dir, 'journal.jsonl')).size;
    const journaled = updates(load.value!, writes, true);
    const journalBytes = statSync(join(dir, 'journal.jsonl')).size - journalBefore;
    load.value.closePersistence();
    load.value = null;
    const replay = timed((): EmulatorInstance | null => createEmulator({ seed: 'demo', scale, persistDir: dir }));
    const replayedBatches = replay.value!.persistence!.replayedBatches;
    replay.value!.closePersistence();
    replay.value = null;

    console.log(row('seed in memory (today)', seed, `${n.toLocaleString('en-US')} records`));
    console.log(row('first persisted start (seed+snapshot)', fresh, `snapshot ${(snapshotBytes / 1e6).toFixed(0)} MB`));
    console.log(row('restart: load persisted org', load, `ratio load/seed: wall ${(load.wallSeconds / seed.wallSeconds).toFixed(2)}, CPU ${(load.cpuSeconds / seed.cpuSeconds).toFixed(2)} (target: within a few seconds of the seed)`));
    console.log(row(`restart replaying ${replayedBatches} batches`, replay, `ratio to seed: wall ${(replay.wallSeconds / seed.wallSeconds).toFixed(2)}, CPU ${(replay.cpuSeconds / seed.cpuSeconds).toFixed(2)}`));
    const perWrite = (t: Timed<number>) => (t.wallSeconds / t.value) * 1e6;
    const perWriteCpu = (t: Timed<number>) => (t.cpuSeconds / t.value) * 1e6;
    console.log(row(`${writes} updates, in memory`, plain, `${perWrite(plain).toFixed(1)} µs/write wall, ${perWriteCpu(plain).toFixed(1)} µs CPU`));
    console.log(row(`${writes} updates, journaled`, journaled, `${perWrite(journaled).toFixed(1)} µs/write wall, ${perWriteCpu(journaled).toFixed(1)} µs CPU, ${(journalBytes / writes).toFixed(0)} journal bytes/write`));
    console.log(`Journal cost per write: ${(perWrite(journaled) - perWrite(plain)).toFixed(1)} µs wall, ${(perWriteCpu(journaled) - perWriteCpu(plain)).toFixed(1)} µs CPU`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
