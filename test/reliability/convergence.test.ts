// The convergence property (chaos/convergence-world.ts) inside `npm test`: a few dozen random
// interleavings of edits, deletes, merges, conversions and campaign status changes on both sides.
// `npm run convergence` runs ≥ 500. Replay: TANDEM_CONVERGENCE_SEED=<seed> [TANDEM_CONVERGENCE_RUNS=<n>].
import { afterAll, beforeAll, expect, it } from 'vitest';
import { useTestDatabase } from '../support/database';
import { checkConvergence, startConvergenceWorld, type ConvergenceWorld } from '../../chaos/convergence-world';

const db = useTestDatabase();
let world: ConvergenceWorld;

beforeAll(async () => {
  world = await startConvergenceWorld(db.current.pool);
});
afterAll(async () => {
  await world?.stop();
});

it('random interleavings of edits, deletes, merges, conversions and status changes on both sides converge', async () => {
  // A fixed seed keeps `npm test` repeatable; `npm run convergence` explores fresh seeds, 500 runs at a time.
  const seed = Number(process.env.TANDEM_CONVERGENCE_SEED ?? 20_261_130);
  const runs = Number(process.env.TANDEM_CONVERGENCE_RUNS ?? 30);
  console.log(`convergence: seed ${seed}, ${runs} runs (replay with TANDEM_CONVERGENCE_SEED=${seed})`);
  const result = await checkConvergence(world, { seed, runs });
  expect(result.runs).toBe(runs);
  for (const kind of ['sfEdit', 'mkEdit']) expect(result.events[kind]).toBeGreaterThan(0);
}, 600_000);
