// `npm start` with a persisted demo org, as a new user runs it: start → edit in psql → Ctrl-C →
// start again continues with the same org (same Organization Id, nothing re-copied, the edit kept and
// pushed, no conflict invented, new ids after the old ones); `--reset` refuses a database that is not
// the demo's unless forced, and then starts over with a new org.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client, Connection as TemporalConnection } from '@temporalio/client';
import { Connection } from 'jsforce';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { DEFAULT_SYNC_OBJECTS } from '../../src/shared';
import { useTestDatabase } from '../support/database';
import { eventually } from '../support/temporal';

const repoRoot = new URL('../../', import.meta.url);
const workflowId = `restart-${randomBytes(4).toString('hex')}`;
const stateDir = mkdtempSync(join(tmpdir(), 'tandem-restart-'));

interface Run {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

function npmStart(dbUrl: string, args: string[] = []): Run {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('SF_')));
  const child = spawn('node_modules/.bin/tsx', ['src/main.ts', ...args], {
    cwd: repoRoot,
    env: {
      ...env,
      DATABASE_URL: dbUrl,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TANDEM_WORKFLOW_ID: workflowId,
      TANDEM_TASK_QUEUE: workflowId,
      TANDEM_STATE_DIR: stateDir,
      TANDEM_METRICS_PORT: '0',
      TANDEM_PAUSE_BETWEEN_CYCLES: '3 seconds',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  return { child, output: () => output, exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
}

async function stop(run: Run): Promise<void> {
  run.child.kill('SIGINT');
  const code = await Promise.race([run.exited, new Promise((r) => setTimeout(() => r('timeout'), 30_000))]);
  expect(code, run.output()).toBe(0);
}

function bannerOrgId(output: string): string {
  const match = /Org +(00D\w{15})/.exec(output);
  expect(match, output).not.toBeNull();
  return match![1]!;
}

async function searchAttribute(name: string): Promise<unknown> {
  const connection = await TemporalConnection.connect({ address: inject('temporalAddress') });
  try {
    return (await new Client({ connection }).workflow.getHandle(workflowId).describe()).searchAttributes[name];
  } finally {
    await connection.close();
  }
}

afterAll(async () => {
  const connection = await TemporalConnection.connect({ address: inject('temporalAddress') });
  await new Client({ connection }).workflow
    .getHandle(workflowId)
    .terminate()
    .catch(() => undefined);
  await connection.close();
});

describe('npm start with a persisted demo org', () => {
  const db = useTestDatabase();
  const sql = async <T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]> =>
    (await db.current.pool.query(text, params)).rows as T[];

  it('continues where it stopped after Ctrl-C, and --reset starts over only where allowed', async () => {
    // First start: a fresh demo org, copied in full.
    let run = npmStart(db.current.url);
    let orgId: string;
    let rep: Connection;
    let lead: { id: string; sfid: string };
    let copiedAt: string;
    try {
      await eventually(() => run.output().includes('Tandem is running.'), 90_000);
      expect(run.output()).toContain(`freshly seeded, kept in ${stateDir}/emulator`);
      orgId = bannerOrgId(run.output());
      await eventually(
        async () => {
          const rows = await sql<{ n: number }>(
            'SELECT count(*)::int AS n FROM tandem.sync_object WHERE copy_completed_at IS NOT NULL',
          ).catch(() => [{ n: 0 }]);
          return rows[0]!.n === DEFAULT_SYNC_OBJECTS.length;
        },
        150_000,
        1000,
      );
      copiedAt = (await sql<{ t: string }>(`SELECT max(copy_completed_at)::text AS t FROM tandem.sync_object`))[0]!.t;
      expect(await sql(`SELECT org_id FROM tandem.org_binding`)).toEqual([{ org_id: orgId }]);
      expect(await searchAttribute('TandemOrgId')).toEqual([orgId]);
      // A marketing edit made while Tandem runs, then Ctrl-C before it is necessarily pushed.
      lead = (
        await sql<{ id: string; sfid: string }>(
          `SELECT id, sfid FROM salesforce.lead WHERE sfid IS NOT NULL AND NOT isdeleted AND isconverted = false ORDER BY id LIMIT 1`,
        )
      )[0]!;
      await sql(`UPDATE salesforce.lead SET title = 'Kept across restarts' WHERE id = $1`, [lead.id]);
      const url = /Demo org \(emulator\) at (http:\/\/127\.0\.0\.1:\d+)/.exec(run.output())![1]!;
      const repUser = /rep user +(\S+) \/ (\S+), security token (\S+)/.exec(run.output())!;
      rep = new Connection({ loginUrl: url, version: '62.0' });
      await rep.loginBySoap(repUser[1]!, repUser[2]! + repUser[3]!);
    } finally {
      await stop(run);
    }

    // Second start: the same org, restored; the edit survives and reaches Salesforce; nothing is re-copied.
    run = npmStart(db.current.url);
    try {
      await eventually(() => run.output().includes('Tandem is running.'), 90_000);
      expect(run.output()).toContain(`restored from ${stateDir}/emulator`);
      expect(bannerOrgId(run.output())).toBe(orgId);
      expect(run.output()).not.toContain('WARNING');
      // The rep's session from before the restart still works, as in a real org.
      // An activity cut off by the Ctrl-C may wait out its 2-minute heartbeat timeout before it runs again.
      await eventually(
        async () =>
          (await rep.sobject('Lead').retrieve(lead.sfid)).Title === 'Kept across restarts' ? true : undefined,
        180_000,
        500,
      );
      const created = await rep.sobject('Lead').create({ LastName: 'AfterRestart', Company: 'Acme' });
      const maxBefore = (
        await sql<{ sfid: string }>(`SELECT max(sfid) AS sfid FROM salesforce.lead WHERE sfid LIKE '00Q%'`)
      )[0]!.sfid;
      expect(created.id! > maxBefore, `${created.id} after ${maxBefore}`).toBe(true);
      expect(
        (await sql<{ title: string }>(`SELECT title FROM salesforce.lead WHERE id = $1`, [lead.id]))[0]!.title,
      ).toBe('Kept across restarts');
      expect(await sql(`SELECT count(*)::int AS n FROM tandem.conflict_log`)).toEqual([{ n: 0 }]);
      expect((await sql<{ t: string }>(`SELECT max(copy_completed_at)::text AS t FROM tandem.sync_object`))[0]!.t).toBe(
        copiedAt,
      );
    } finally {
      await stop(run);
    }

    // --reset refuses this database (DATABASE_URL is set: not the demo's) and changes nothing.
    run = npmStart(db.current.url, ['--reset']);
    expect(await run.exited).not.toBe(0);
    expect(run.output()).toContain('which is not the demo database');
    expect(run.output()).toContain('Add --force to reset it anyway.');
    expect(await sql(`SELECT org_id FROM tandem.org_binding`)).toEqual([{ org_id: orgId }]);

    // --reset --force: both sides start over, with a new org.
    run = npmStart(db.current.url, ['--reset', '--force']);
    try {
      await eventually(() => run.output().includes('Tandem is running.'), 90_000);
      expect(run.output()).toMatch(/Reset the demo:\n {2}demo org +removed .*emulator \(\d+ files/);
      expect(run.output()).toMatch(/dropped schema "salesforce" \(\d+ tables, \d+ rows\) and Tandem's state/);
      expect(run.output()).toContain(`terminated ${workflowId}`);
      const newOrg = bannerOrgId(run.output());
      expect(newOrg).not.toBe(orgId);
      expect(await searchAttribute('TandemOrgId')).toEqual([newOrg]);
      await eventually(
        async () => {
          const rows = await sql<{ org_id: string }>(`SELECT org_id FROM tandem.org_binding`).catch(() => []);
          return rows[0]?.org_id === newOrg;
        },
        60_000,
        500,
      );
    } finally {
      await stop(run);
    }
  }, 600_000);
});
