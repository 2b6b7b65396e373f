import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { activityInfo } from '@temporalio/activity';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';
import { EXIT, run, type CliIo } from '../../src/cli';
import { DEFAULT_SYNC_OBJECTS } from '../../src/shared';
import { statusQuery } from '../../src/workflows/messages';
import { FakeSync } from '../support/fake-activities';
import { eventually, useTemporal } from '../support/temporal';

const ALL = DEFAULT_SYNC_OBJECTS.map((o) => o.name);

function captureIo(): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t) };
}

describe('the tandem CLI against a running worker', () => {
  const temporal = useTemporal();

  it('starts, reports, signals, resyncs, pauses and resumes the sync — in text and JSON', async () => {
    const taskQueue = temporal.current.taskQueue();
    const fake = new FakeSync(ALL, { copied: ALL.filter((o) => o !== 'Campaign'), pagesPerObject: 2 });
    const workflowId = `cli-${taskQueue}`;
    const common = ['--address', inject('temporalAddress'), '--workflow-id', workflowId];
    const env = { TANDEM_TASK_QUEUE: taskQueue, TANDEM_PAUSE_BETWEEN_CYCLES: '1 hour' };
    Object.assign(process.env, env);
    try {
      await temporal.current.withWorker(taskQueue, fake.activities(), async () => {
        let io = captureIo();
        expect(await run([...common, 'start', '--org', 'acme'], io)).toBe(EXIT.ok);
        expect(io.stdout[0]).toMatch(
          new RegExp(`^started ${workflowId} on task queue ${taskQueue} \\(run [0-9a-f-]+\\), TandemOrg=acme$`),
        );

        io = captureIo();
        expect(await run([...common, 'start', '--json'], io)).toBe(EXIT.ok);
        expect(JSON.parse(io.stdout[0])).toMatchObject({ workflowId, started: false });

        const handle = temporal.current.client.workflow.getHandle(workflowId);
        await eventually(async () => {
          const s = await handle.query(statusQuery);
          return s.initialCopy.Campaign?.done && s.phase === 'waiting' && s.objects.Lead.lastPush;
        });
        io = captureIo();
        expect(await run([...common, 'status'], io)).toBe(EXIT.ok);
        const text = io.stdout.join('\n');
        expect(text).toMatch(new RegExp(`^${workflowId}: (waiting|pulling|pushing|planning), cycle \\d+`));
        expect(text).toMatch(/OBJECT\s+DIRECTION\s+STATE\s+WATERMARK\s+LAST PULL\s+LAST PUSH/);
        expect(text).toMatch(
          /Lead\s+two-way\s+syncing\s+\S+\s+2 rows, 0 deleted \(cycle \d+\)\s+1 pushed, 0 failed, backlog 0/,
        );
        expect(text).toMatch(/Initial copies:\n.*\nCampaign\s+never-copied\s+200 \/ 200/);
        expect(text).toMatch(/API usage \d+ \/ 15000/);

        io = captureIo();
        expect(await run([...common, 'status', '--json'], io)).toBe(EXIT.ok);
        expect(JSON.parse(io.stdout.join('\n')).objects.Account.direction).toBe('from-salesforce');

        const cycleBefore = (await handle.query(statusQuery)).cycle;
        io = captureIo();
        expect(await run([...common, 'sync-now'], io)).toBe(EXIT.ok);
        await eventually(async () => (await handle.query(statusQuery)).cycle > cycleBefore);

        io = captureIo();
        expect(await run([...common, 'resync', 'Lead', 'Contact', '--json'], io)).toBe(EXIT.ok);
        expect(JSON.parse(io.stdout[0])).toEqual({ accepted: ['Lead', 'Contact'] });
        await eventually(() => fake.callsOf('startInitialCopy', 'Contact').length === 1);

        io = captureIo();
        expect(await run([...common, 'resync', 'Leed'], io)).toBe(EXIT.badInput);
        expect(io.stderr[0]).toMatch(/^tandem: resync: unknown object Leed; synced objects are User, Group/);

        io = captureIo();
        expect(await run([...common, 'pause'], io)).toBe(EXIT.ok);
        await eventually(async () => (await handle.query(statusQuery)).phase === 'paused');
        io = captureIo();
        await run([...common, 'status'], io);
        expect(io.stdout[0]).toMatch(/PAUSED/);
        io = captureIo();
        expect(await run([...common, 'sync-now'], io)).toBe(EXIT.ok);
        expect(io.stdout[0]).toBe('the sync is PAUSED: no cycle runs until `tandem resume` (which starts one at once)');
        expect(await run([...common, 'resume'], captureIo())).toBe(EXIT.ok);
        await eventually(async () => !(await handle.query(statusQuery)).paused);
        await handle.terminate();
      });
    } finally {
      for (const key of Object.keys(env)) delete process.env[key];
    }
  });

  it('starts, as the README documents it, a sync the documented TandemOrg filter finds; tandem start names the org too', async () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const documented = /\| Start \(idempotent\) \| `(temporal workflow start [^`]+)`/.exec(readme)![1];
    const id = `readme-${Date.now()}`;
    const address = inject('temporalAddress');
    const sh = (command: string) =>
      promisify(execFile)('bash', ['-c', command], { cwd: new URL('../../', import.meta.url) });
    // As the README says to run it from the repository: `npm run temporal -- …`.
    const start = `${documented.replace(/^temporal /, 'npm run -s temporal -- ').replaceAll('tandem-sync', id)} --address ${address}`;
    await sh(start);
    await sh(start); // idempotent: the second start attaches
    await eventually(
      async () => {
        const { stdout } = await sh(
          `npm run -s temporal -- workflow list --query "TandemOrg='demo'" --address ${address} -o json`,
        );
        return stdout.includes(`"${id}"`);
      },
      20_000,
      500,
    );

    const io = captureIo();
    expect(await run(['--address', address, '--workflow-id', `${id}-cli`, 'start', '--json'], io)).toBe(EXIT.ok);
    expect(JSON.parse(io.stdout[0])).toMatchObject({ started: true, org: 'demo' });
    const client = temporal.current.client;
    const description = await client.workflow.getHandle(`${id}-cli`).describe();
    expect(description.searchAttributes.TandemOrg).toEqual(['demo']);
    for (const workflowId of [id, `${id}-cli`]) await client.workflow.getHandle(workflowId).terminate();
  });

  it('shows the activity in flight with its attempt and last failure while a pull retries', async () => {
    const taskQueue = temporal.current.taskQueue();
    const fake = new FakeSync(ALL);
    const activities = fake.activities();
    let release: () => void = () => undefined;
    const released = new Promise<void>((r) => (release = r));
    const pull = activities.pullChanges;
    activities.pullChanges = async (input) => {
      if (input.object === 'Account') {
        if (activityInfo().attempt === 1) throw new Error('Salesforce said no');
        await released;
      }
      return pull(input);
    };
    const workflowId = `cli-pending-${taskQueue}`;
    process.env.TANDEM_TASK_QUEUE = taskQueue;
    try {
      await temporal.current.withWorker(taskQueue, activities, async () => {
        const common = ['--address', inject('temporalAddress'), '--workflow-id', workflowId];
        expect(await run([...common, 'start'], captureIo())).toBe(EXIT.ok);
        const text = await eventually(
          async () => {
            const io = captureIo();
            await run([...common, 'status'], io);
            return /pullChanges .*started, attempt 2/.test(io.stdout.join('\n')) ? io.stdout.join('\n') : undefined;
          },
          30_000,
          300,
        );
        expect(text).toMatch(
          /Activities in flight:\n {2}pullChanges \(activity \S+\), started, attempt 2\/\d+, started \d+s ago on \S+, last failure: Salesforce said no/,
        );
        const io = captureIo();
        await run([...common, 'status', '--json'], io);
        expect(JSON.parse(io.stdout.join('\n')).pendingActivities[0]).toMatchObject({
          activityType: 'pullChanges',
          attempt: 2,
          lastFailure: 'Salesforce said no',
        });
        release();
        await temporal.current.client.workflow.getHandle(workflowId).terminate();
      });
    } finally {
      release();
      delete process.env.TANDEM_TASK_QUEUE;
    }
  });

  it('says which workflow is missing, and how to start it', async () => {
    const io = captureIo();
    expect(await run(['--address', inject('temporalAddress'), '--workflow-id', 'no-such-sync', 'status'], io)).toBe(
      EXIT.failed,
    );
    expect(io.stderr[0]).toBe(
      `tandem: No workflow no-such-sync in namespace default at ${inject('temporalAddress')}. Start it with \`tandem start\` or \`npm start\`.`,
    );
  });

  it('names the address it tried when no Temporal server answers, with exit code 3', async () => {
    const io = captureIo();
    expect(await run(['--address', '127.0.0.1:1', 'sync-now', '--json'], io)).toBe(EXIT.unreachable);
    expect(JSON.parse(io.stdout[0])).toMatchObject({
      exitCode: 3,
      error: expect.stringMatching(/^No Temporal server reachable at 127\.0\.0\.1:1 .*npm start/),
    });
  });

  it('rejects an unknown command with exit code 2, through the installed bin', async () => {
    const result = await promisify(execFile)('npx', ['tandem', 'frobnicate'], {
      cwd: new URL('../../', import.meta.url),
    }).catch((e: { code: number; stderr: string }) => e);
    expect((result as { code: number }).code).toBe(EXIT.badInput);
    expect((result as { stderr: string }).stderr).toMatch(/unknown command 'frobnicate'/);
  });
});
