/**
 * `npm run chaos`: the long chaos run (chaos/run.ts) — an initial copy of ≥ 100,000 rows and two-way
 * cycles under worker kills, server restarts, faults, session expiries and late commits — then the
 * audit table. Exits 1 if anything was mismatched, duplicated, lost or failed outside sync_error.
 *   npm run chaos -- [--seed N] [--scale 50] [--kills-copy 6] [--kills-cycles 6] [--rounds 8] [--changes 25]
 * Then the convergence property at scale (test/reliability/convergence.ts) unless --skip-convergence:
 *   [--interleavings 500] [--convergence-seed N]
 */
import { Command } from 'commander';
import { formatReport, passed, runChaos } from './run';

const program = new Command('chaos')
  .option('--seed <n>', 'seed of every random choice', String(Date.now() % 2_147_483_647))
  .option('--scale <n>', 'emulator demo scale (60 ≈ 100,000 records the sync user sees)', '60')
  .option('--kills-copy <n>', 'worker SIGKILLs during the initial copy', '6')
  .option('--kills-cycles <n>', 'worker SIGKILLs during the two-way cycles', '6')
  .option('--temporal-restarts <n>', 'Temporal dev server restarts mid-cycle', '1')
  .option('--postgres-restarts <n>', 'PostgreSQL crash-restarts mid-cycle', '1')
  .option('--rounds <n>', 'rounds of edits on both sides', '8')
  .option('--changes <n>', 'edits per side per round', '25')
  .option('--fault-rate <p>', 'share of Salesforce calls that fail', '0.2')
  .option('--page-size <n>', 'Bulk result rows per page (one checkpoint each)', '5000')
  .option('--minutes <n>', 'time limit', '60');

async function main(): Promise<void> {
  const o = program.parse().opts<Record<string, string>>();
  // Ctrl-C stops the run at its next step and still cleans up the servers and processes it started.
  const interrupt = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => interrupt.abort());
  const report = await runChaos({
    signal: interrupt.signal,
    seed: Number(o.seed),
    scale: Number(o.scale),
    killsDuringCopy: Number(o.killsCopy),
    killsDuringCycles: Number(o.killsCycles),
    temporalRestarts: Number(o.temporalRestarts),
    postgresRestarts: Number(o.postgresRestarts),
    restartsDuringCopy: true,
    rounds: Number(o.rounds),
    changesPerRound: Number(o.changes),
    faultRate: Number(o.faultRate),
    bulkPageSize: Number(o.pageSize),
    copyPagesPerActivity: 2,
    heartbeatTimeout: '15 seconds',
    timeLimitMs: Number(o.minutes) * 60_000,
    log: (line) => console.log(line),
  });
  console.log('\nTandem chaos run\n' + formatReport(report));
  if (report.examples.length > 0) console.log('\nFirst differences:\n  ' + report.examples.join('\n  '));
  if (!passed(report)) {
    console.log('\nFAILED: something was mismatched, duplicated, lost or not recorded in sync_error.');
    process.exitCode = 1;
  } else {
    console.log('\nPASSED: both sides equal, nothing duplicated or lost, every permanent failure in sync_error.');
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exitCode = 1;
});
