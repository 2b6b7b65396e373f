// Bad input gives a clear error and holds back nothing else: a malformed configuration or incomplete
// credentials stop the worker at start with a message naming the problem; Salesforce down at start
// delays the sync (the worker starts, calls are retried) until it answers; a synced table altered by
// hand (column dropped, type changed) is restored, refilled by a full copy, and other objects go on.
// (Wrong credentials: test/security/no-secrets.test.ts; invalid marketing values: invalid-values.test.ts.)
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { auditSides } from '../../chaos/compare';
import { spawnWorker } from '../../chaos/worker-process';
import { createActivities } from '../../src/activities';
import { migrate } from '../../src/db/migrations';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server';
import { SalesforceClient } from '../../src/salesforce/connection';
import { initialCopyWorkflowId } from '../../src/shared';
import { freePort } from '../../src/temporal/dev-server';
import type { ContinuousSyncInput } from '../../src/workflows/continuous-sync';
import { statusQuery } from '../../src/workflows/messages';
import { copyObject, startTestOrg, testConfig, type TestOrg } from '../activities/org';
import { useTestDatabase } from '../support/database';
import { eventually, useTemporal } from '../support/temporal';

const db = useTestDatabase();
const temporal = useTemporal();
const dir = mkdtempSync(join(tmpdir(), 'tandem-bad-input-'));

/** Runs the worker entry point (`npm run worker`) and returns its exit and everything it printed. */
async function workerRun(env: Record<string, string | undefined>): Promise<{ how: string; output: string }> {
  const worker = spawnWorker({
    env: {
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      DATABASE_URL: db.current.url,
      TANDEM_METRICS_PORT: '0',
      SF_SECRETS_FILE: undefined,
      TANDEM_TASK_QUEUE: `bad-${Date.now()}`,
      ...env,
    },
  });
  const timer = setTimeout(() => void worker.kill(), 60_000);
  const how = await worker.exited;
  clearTimeout(timer);
  return { how, output: worker.output() };
}

describe('configuration and credentials at start', () => {
  it('a malformed configuration file stops the worker with a message naming each bad key', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'sync:\n  pauseBetweenCycles: soon\n  bulkQueryThreshold: -3\n  colour: blue\n');
    const { how, output } = await workerRun({
      TANDEM_CONFIG: file,
      SF_CLIENT_ID: 'id',
      SF_CLIENT_SECRET: 'secret',
      SF_LOGIN_URL: 'http://127.0.0.1:9',
    });
    expect(how).toBe('code 1');
    expect(output).toMatch(/Invalid configuration/);
    expect(output).toMatch(/sync\.pauseBetweenCycles: expected a duration/);
    expect(output).toMatch(/sync\.bulkQueryThreshold/);
    expect(output).toMatch(/colour/);

    writeFileSync(file, 'sync: [unclosed\n');
    const yaml = await workerRun({ TANDEM_CONFIG: file, SF_CLIENT_ID: 'id', SF_CLIENT_SECRET: 'secret' });
    expect(yaml.how).toBe('code 1');
    expect(yaml.output).toMatch(/not valid YAML/);
  });

  it('incomplete credentials stop the worker with a message saying what is missing, and no secret', async () => {
    const file = join(dir, 'ok.yaml');
    writeFileSync(file, '{}\n');
    const { how, output } = await workerRun({
      TANDEM_CONFIG: file,
      SF_CLIENT_ID: 'client-id-only',
      SF_CLIENT_SECRET: undefined,
      SF_USERNAME: undefined,
      SF_PASSWORD: undefined,
    });
    expect(how).toBe('code 1');
    expect(output).toMatch(/SF_CLIENT_ID and SF_CLIENT_SECRET must be set together/);
    const password = await workerRun({
      TANDEM_CONFIG: file,
      SF_CLIENT_ID: undefined,
      SF_CLIENT_SECRET: undefined,
      SF_USERNAME: 'u@example.com',
      SF_PASSWORD: undefined,
    });
    expect(password.output).toMatch(/SF_USERNAME and SF_PASSWORD must be set together/);
  });
});

describe('Salesforce down at start', () => {
  let emulator: RunningEmulator | undefined;
  afterAll(async () => {
    await emulator?.stop();
  });

  it('starts anyway, says why nothing syncs, and copies once Salesforce answers', async () => {
    await migrate(db.current.pool);
    const port = await freePort();
    const loginUrl = `http://127.0.0.1:${port}`;
    const credentials = { clientId: '3MVG9Tandem.Emulator.ClientId', clientSecret: 'TandemEmulatorClientSecret' };
    const activities = createActivities({
      salesforce: () =>
        SalesforceClient.connect({
          credentials: { flow: 'client-credentials', loginUrl, ...credentials },
          apiVersion: '62.0',
        }),
      db: db.current.pool,
      config: testConfig({ customObjects: [] }),
    });
    const taskQueue = temporal.current.taskQueue();
    const workflowId = `down-${taskQueue}`;
    await temporal.current.withWorker(taskQueue, activities, async () => {
      const input: ContinuousSyncInput = {
        objects: [{ name: 'Campaign', direction: 'two-way' }],
        pauseBetweenCycles: '1 second',
        activityHeartbeatTimeout: '10 seconds',
      };
      const handle = await temporal.current.client.workflow.start('continuousSyncWorkflow', {
        taskQueue,
        workflowId,
        args: [input],
      });
      // While Salesforce is down the copy's activity keeps failing and retrying, the reason on the pending
      // activity (Web UI, `temporal workflow describe`); nothing is marked copied.
      const child = temporal.current.client.workflow.getHandle(initialCopyWorkflowId(workflowId));
      const failure = await eventually(
        async () => {
          const d = await child.describe();
          return d.raw.pendingActivities?.find((a) => a.lastFailure?.message)?.lastFailure?.message;
        },
        60_000,
        250,
      );
      expect(failure).toMatch(/^Campaign: startInitialCopy failed: .*ECONNREFUSED/);
      expect((await handle.query(statusQuery)).initialCopy.Campaign).toMatchObject({ done: false, rowsCopied: 0 });
      emulator = await startEmulator({ port, seed: 'demo' });
      let last: unknown;
      const status = await eventually(
        async () => {
          const s = await handle.query(statusQuery);
          last = s;
          return s.initialCopy.Campaign?.done && s.objects.Campaign?.lastPull?.ok ? s : undefined;
        },
        90_000,
        250,
      ).catch((error: Error) => {
        throw new Error(`${error.message}; last status ${JSON.stringify(last)}`);
      });
      expect(status.initialCopy.Campaign!.rowsCopied).toBeGreaterThan(0);
      await handle.terminate();
    });
  }, 180_000);
});

describe('a synced table altered by hand', () => {
  let org: TestOrg;
  beforeAll(async () => {
    await db.current.pool.query('DROP SCHEMA IF EXISTS salesforce CASCADE; DROP SCHEMA IF EXISTS tandem CASCADE');
    org = await startTestOrg(db.current.pool);
    for (const object of ['Account', 'Lead', 'Contact']) await copyObject(org.activities, object, 5);
  });
  afterAll(async () => {
    await org?.emulator.stop();
  });

  it('restores a dropped column and a retyped one, refills them by a full copy, and holds back no other object', async () => {
    const pool = db.current.pool;
    const clean = await auditSides(pool, org.emulator);
    expect(clean.totals.mismatches, clean.findings.map((f) => f.text).join('\n')).toBe(0);
    // What an operator might do: drop a column (CASCADE, since the person view uses it) and retype another.
    await pool.query(`ALTER TABLE salesforce.lead DROP COLUMN title CASCADE`);
    await pool.query(`ALTER TABLE salesforce.contact ALTER COLUMN mailingcity TYPE integer USING NULL`);
    const lead = (
      await pool.query(`SELECT sfid FROM salesforce.lead WHERE NOT isdeleted AND NOT isconverted ORDER BY sfid LIMIT 1`)
    ).rows[0].sfid;
    const contact = (await pool.query(`SELECT sfid FROM salesforce.contact WHERE NOT isdeleted ORDER BY sfid LIMIT 1`))
      .rows[0].sfid;
    const account = (await pool.query(`SELECT sfid FROM salesforce.account WHERE NOT isdeleted ORDER BY sfid LIMIT 1`))
      .rows[0].sfid;
    await org.rep.sobject('Lead').update({ Id: lead, Title: 'Chief Reliability Officer' });
    await org.rep.sobject('Contact').update({ Id: contact, MailingCity: 'Reykjavík' });
    await org.rep.sobject('Account').update({ Id: account, Phone: '+354 555 0100' });

    // Other objects are not held back; the altered ones are restored and their changes pulled.
    expect((await org.activities.pullChanges({ object: 'Account' })).rowsPulled).toBeGreaterThan(0);
    // Describe is not due (hourly in production): the pull meets the altered table, re-describes and retries.
    const hourlyDescribe = createActivities({
      salesforce: org.sync,
      db: pool,
      config: testConfig({ describeIntervalSeconds: 86_400 }),
      now: org.now,
    });
    await hourlyDescribe.pullChanges({ object: 'Lead' });
    await hourlyDescribe.pullChanges({ object: 'Contact' });
    expect((await pool.query(`SELECT title FROM salesforce.lead WHERE sfid = $1`, [lead])).rows).toEqual([
      { title: 'Chief Reliability Officer' },
    ]);
    expect((await pool.query(`SELECT mailingcity FROM salesforce.contact WHERE sfid = $1`, [contact])).rows).toEqual([
      { mailingcity: 'Reykjavík' },
    ]);
    expect(
      await pool.query(`SELECT to_regclass('salesforce.person') IS NOT NULL AS ok`).then((r) => r.rows[0].ok),
    ).toBe(true);

    // The emptied columns are scheduled for a full copy, which the next cycle's plan reports with its reason.
    const plan = await org.activities.planCycle({ objects: ['Account', 'Lead', 'Contact'] });
    expect(plan.needsCopy).toEqual(
      expect.arrayContaining([
        { object: 'Lead', reason: 'schema-changed' },
        { object: 'Contact', reason: 'schema-changed' },
      ]),
    );
    expect(plan.needsCopy.map((n) => n.object)).not.toContain('Account');
    for (const object of ['Lead', 'Contact']) await copyObject(org.activities, object, 5);
    const after = await auditSides(pool, org.emulator);
    expect(after.totals.mismatches, after.findings.map((f) => f.text).join('\n')).toBe(0);
    expect((await org.activities.planCycle({ objects: ['Lead', 'Contact'] })).needsCopy).toEqual([]);
  });
});
