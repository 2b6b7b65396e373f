// `npm run bench -- cli [--runs N] [--compare DIR]`: how long `tandem status` takes, wall and CPU,
// against `temporal workflow query` for the same status in the same run (the floor: one gRPC call
// from a Go binary). A headless dev server and a worker with stub activities serve a real
// continuousSyncWorkflow. `--compare DIR` also times the `tandem` of another checkout (e.g. an older
// commit extracted with `git archive`, its node_modules linked), for before/after figures.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { NativeConnection } from '@temporalio/worker';
import { Client, Connection } from '@temporalio/client';
import type { SyncActivities } from '../src/activities';
import { DEFAULT_SYNC_OBJECTS } from '../src/shared';
import { ensureTemporalBinaries } from '../src/temporal/binaries';
import { startDevServer } from '../src/temporal/dev-server';
import { createSyncWorker } from '../src/worker';
import { continuousSyncWorkflow } from '../src/workflows';
import { statusQuery } from '../src/workflows/messages';

const TARGET_WALL_SECONDS = 1;

/** Activities that do nothing, so the workflow reaches its pause at once and answers queries. */
const stubActivities: SyncActivities = {
  planCycle: async () => ({ needsCopy: [] }),
  pullChanges: async ({ object }) => ({ object, rowsPulled: 0, rowsDeleted: 0, watermark: null, apiCalls: 0 }),
  pushChanges: async ({ object }) => ({ object, rowsPushed: 0, rowsFailed: 0, backlog: 0, apiCalls: 0 }),
  startInitialCopy: async () => undefined,
  copyObjectPages: async ({ object }) => ({ object, done: true, rowsCopied: 0, totalRows: 0, pagesCopied: 0 }),
};

/** Runs `command` in bash under its `time` builtin: wall, user+system CPU in seconds (children included). */
async function timed(command: string): Promise<{ wall: number; cpu: number }> {
  const { stderr } = await promisify(execFile)('bash', ['-c', `TIMEFORMAT='%R %U %S'; time (${command}) >/dev/null`]);
  const [wall, user, sys] = stderr.trim().split('\n').pop()!.split(' ').map(Number);
  return { wall, cpu: user + sys };
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

export async function run(args: string[]): Promise<void> {
  const runsIndex = args.indexOf('--runs');
  const runs = runsIndex >= 0 ? Number(args[runsIndex + 1]) : 5;
  const compareIndex = args.indexOf('--compare');
  const compare = compareIndex >= 0 ? args[compareIndex + 1] : undefined;

  const { cli } = ensureTemporalBinaries();
  const server = await startDevServer({ cli });
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  const connection = await Connection.connect({ address: server.address });
  const workflowId = `bench-cli-${Date.now()}`;
  const worker = await createSyncWorker({
    connection: nativeConnection,
    activities: stubActivities,
    taskQueue: workflowId,
  });
  const running = worker.run();
  try {
    const client = new Client({ connection });
    const handle = await client.workflow.start(continuousSyncWorkflow, {
      workflowId,
      taskQueue: workflowId,
      args: [{ objects: [...DEFAULT_SYNC_OBJECTS], pauseBetweenCycles: '1 hour' }],
    });
    for (let i = 0; (await handle.query(statusQuery)).phase !== 'waiting'; i++) {
      if (i > 600) throw new Error('the workflow did not reach its pause');
      await new Promise((r) => setTimeout(r, 100));
    }
    const target = `--address ${server.address} --workflow-id ${workflowId}`;
    const commands: [string, string][] = [
      [
        'temporal workflow query (floor)',
        `${cli} workflow query --workflow-id ${workflowId} --name status --address ${server.address}`,
      ],
      ['node bin/tandem.js status', `node bin/tandem.js ${target} status`],
      ['npx tandem status', `npx tandem ${target} status`],
    ];
    if (compare)
      commands.push([`${compare}: node bin/tandem.js status`, `node ${compare}/bin/tandem.js ${target} status`]);
    await timed(`node bin/tandem.js ${target} status`); // builds the CLI bundle if a source changed
    console.log(
      `tandem status vs temporal workflow query, median of ${runs} runs (target: tandem under ${TARGET_WALL_SECONDS} s wall)`,
    );
    console.log(['command'.padEnd(48), 'wall s', 'CPU s'].join('  '));
    for (const [name, command] of commands) {
      const samples: { wall: number; cpu: number }[] = [];
      for (let i = 0; i < runs; i++) samples.push(await timed(command));
      const wall = median(samples.map((s) => s.wall));
      const cpu = median(samples.map((s) => s.cpu));
      console.log([name.padEnd(48), wall.toFixed(2).padStart(6), cpu.toFixed(2).padStart(5)].join('  '));
    }
    await handle.terminate();
  } finally {
    worker.shutdown();
    await running;
    await connection.close();
    await nativeConnection.close();
    await server.stop();
  }
}
