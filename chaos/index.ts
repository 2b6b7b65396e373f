/**
 * `npm run chaos`: the long chaos run (chaos/run.ts) — an initial copy of ≥ 100,000 rows and two-way
 * cycles under worker kills (some right after a Salesforce insert, before its sfid write-back),
 * server restarts, faults, session expiries and late commits, with every workload part of
 * chaos/changes.ts on — then the audit table of chaos/judge.ts, per object. Exits 1 on any finding:
 * a mismatch, a duplicate, a lost change, an open sync_error the workload does not explain.
 *   npm run chaos -- [--seed N] [--scale 60] [--kills-copy 6] [--kills-cycles 6] [--insert-kills 3]
 *                    [--temporal-restarts 1] [--postgres-restarts 1] [--rounds 8] [--changes 25]
 *                    [--fault-rate 0.2] [--page-size 5000] [--minutes 60] [--off keyCopy,poison,…]
 * A smaller run: `--scale 5 --rounds 4 --changes 10 --minutes 20`. The convergence property at scale
 * is its own command, `npm run convergence` (chaos/convergence.ts).
 */
import { Command } from 'commander';
import { ALL_WORKLOAD, type WorkloadFlags } from './changes';
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
  .option('--minutes <n>', 'time limit', '60')
  .option('--insert-kills <n>', 'worker SIGKILLs right after a Salesforce insert, before the sfid write-back', '3')
  .option(
    '--off <parts>',
    `workload parts to leave out, comma-separated (${Object.keys(ALL_WORKLOAD).join(', ')})`,
    '',
  );

async function main(): Promise<void> {
  const o = program.parse().opts<Record<string, string>>();
  const workload: WorkloadFlags = { ...ALL_WORKLOAD };
  for (const part of o.off!.split(',').filter(Boolean)) {
    if (!(part in workload))
      throw new Error(`--off: unknown workload part ${part} (known: ${Object.keys(ALL_WORKLOAD).join(', ')})`);
    workload[part as keyof WorkloadFlags] = false;
  }
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
    workload,
    insertKills: Number(o.insertKills),
    log: (line) => console.log(line),
  });
  console.log('\nTandem chaos run\n' + formatReport(report));
  if (report.examples.length > 0) console.log('\nFindings (first 30):\n  ' + report.examples.join('\n  '));
  if (!passed(report)) {
    console.log('\nFAILED: something was mismatched, duplicated or lost, or an open sync_error is unexplained.');
    process.exitCode = 1;
  } else {
    console.log(
      '\nPASSED: both sides equal, nothing duplicated or lost, every open sync_error a refusal the workload provoked.',
    );
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exitCode = 1;
});
