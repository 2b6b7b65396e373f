/**
 * `npm run convergence`: the convergence property (chaos/convergence-world.ts) at scale — by
 * default 500 random interleavings of field edits, deletes, undeletes, merges, conversions, campaign
 * and member status changes and marketing inserts on both sides — against the emulator and a private
 * PostgreSQL cluster. Prints the seed; `--seed N --runs M` replays a failure.
 */
import { Command } from 'commander';
import pg from 'pg';
import { checkConvergence, startConvergenceWorld } from './convergence-world';
import { startPrivatePostgres } from './postgres';

const options = new Command('convergence')
  .option('--seed <n>', 'fast-check seed', String(Math.floor(Math.random() * 2 ** 31)))
  .option('--runs <n>', 'interleavings to try', '500')
  .option('--path <path>', 'replay only the interleaving fast-check reported (its "path")')
  .parse()
  .opts<{ seed: string; runs: string; path?: string }>();

async function main(): Promise<void> {
  const seed = Number(options.seed);
  const runs = Number(options.runs);
  console.log(`convergence: seed ${seed}, ${runs} runs (replay: npm run convergence -- --seed ${seed} --runs ${runs})`);
  const postgres = await startPrivatePostgres();
  const admin = new pg.Client({ connectionString: postgres.adminUrl });
  await admin.connect();
  await admin.query('CREATE DATABASE convergence');
  await admin.end();
  const pool = new pg.Pool({ connectionString: postgres.urlFor('convergence'), max: 5 });
  const started = Date.now();
  try {
    const world = await startConvergenceWorld(pool);
    try {
      const result = await checkConvergence(world, {
        seed,
        runs,
        path: options.path,
        log: (line) => console.log(`${line} (${Math.round((Date.now() - started) / 1000)} s)`),
      });
      console.log(`\nconverged: ${result.runs} interleavings in ${Math.round((Date.now() - started) / 1000)} s`);
      console.log(
        `events: ${Object.entries(result.events)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}`,
      );
    } finally {
      await world.stop();
    }
  } finally {
    await pool.end();
    await postgres.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  if (error instanceof Error && error.cause instanceof Error) console.error(`\n${error.cause.message}`);
  process.exitCode = 1;
});
