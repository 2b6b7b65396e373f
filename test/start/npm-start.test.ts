import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { describe, expect, inject, it } from 'vitest';
import { DEFAULT_SYNC_OBJECTS } from '../../src/shared';
import { useTestDatabase } from '../support/database';
import { eventually } from '../support/temporal';

const repoRoot = new URL('../../', import.meta.url);

describe('npm start', () => {
  const db = useTestDatabase();

  it('copies the demo org into PostgreSQL with no configuration, then stops cleanly on Ctrl-C', async () => {
    const workflowId = `start-${randomBytes(4).toString('hex')}`;
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('SF_')));
    const child = spawn('node_modules/.bin/tsx', ['src/main.ts'], {
      cwd: repoRoot,
      env: {
        ...env,
        DATABASE_URL: db.current.url,
        TEMPORAL_ADDRESS: inject('temporalAddress'),
        TANDEM_WORKFLOW_ID: workflowId,
        TANDEM_TASK_QUEUE: workflowId,
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await eventually(() => output.includes('Tandem is running.'), 60_000);
      expect(output).toMatch(/Salesforce +the built-in emulator's demo org at http:\/\/127\.0\.0\.1:\d+/);
      expect(output).toMatch(/sync user +tandem\.sync@example\.com/);

      // Every default object's initial copy completes and the leads are in PostgreSQL.
      await eventually(
        async () => {
          const { rows } = await db.current.pool
            .query<{ n: string }>('SELECT count(*) AS n FROM tandem.sync_object WHERE copy_completed_at IS NOT NULL')
            .catch(() => ({ rows: [{ n: '0' }] }));
          return Number(rows[0].n) === DEFAULT_SYNC_OBJECTS.length;
        },
        90_000,
        500,
      );
      const leads = await db.current.pool.query<{ n: string }>('SELECT count(*) AS n FROM salesforce.lead');
      expect(Number(leads.rows[0].n)).toBeGreaterThan(100);
      await eventually(() => output.includes('initial copy complete'), 30_000);
    } finally {
      child.kill('SIGINT');
      const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), 30_000))]);
      expect(code).toBe(0);
      expect(output).toContain('Stopped.');
      const connection = await Connection.connect({ address: inject('temporalAddress') });
      await new Client({ connection }).workflow
        .getHandle(workflowId)
        .terminate()
        .catch(() => undefined);
      await connection.close();
    }
  }, 180_000);

  it('falls back to an embedded PGlite database when no PostgreSQL answers, and says so', async () => {
    const workflowId = `start-embedded-${randomBytes(4).toString('hex')}`;
    const stateDir = mkdtempSync(join(tmpdir(), 'tandem-state-'));
    const configFile = join(stateDir, 'tandem.config.yaml');
    // Nothing listens on port 1: "no local PostgreSQL answers".
    writeFileSync(configFile, 'database:\n  url: postgres://postgres@127.0.0.1:1/tandem\n');
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([key]) => !key.startsWith('SF_') && key !== 'DATABASE_URL'),
    );
    const child = spawn('node_modules/.bin/tsx', ['src/main.ts'], {
      cwd: repoRoot,
      env: {
        ...env,
        TANDEM_CONFIG: configFile,
        TANDEM_STATE_DIR: stateDir,
        TEMPORAL_ADDRESS: inject('temporalAddress'),
        TANDEM_WORKFLOW_ID: workflowId,
        TANDEM_TASK_QUEUE: workflowId,
        TANDEM_METRICS_PORT: '0',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let client: pg.Client | undefined;
    try {
      await eventually(() => output.includes('Tandem is running.'), 90_000);
      const url = /PostgreSQL +embedded PGlite at (postgres:\/\/\S+), data in (\S+)/.exec(output);
      expect(url, output).not.toBeNull();
      expect(url![2]).toBe(`${stateDir}/pglite`);
      client = new pg.Client({ connectionString: url![1] });
      await client.connect();
      await eventually(
        async () => {
          const { rows } = await client!
            .query<{ n: string }>('SELECT count(*) AS n FROM tandem.sync_object WHERE copy_completed_at IS NOT NULL')
            .catch(() => ({ rows: [{ n: '0' }] }));
          return Number(rows[0].n) === DEFAULT_SYNC_OBJECTS.length;
        },
        150_000,
        1000,
      );
      const leads = await client.query<{ n: string }>('SELECT count(*) AS n FROM salesforce.lead');
      expect(Number(leads.rows[0].n)).toBeGreaterThan(100);
    } finally {
      await client?.end().catch(() => undefined);
      child.kill('SIGINT');
      const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), 30_000))]);
      expect(code).toBe(0);
      const connection = await Connection.connect({ address: inject('temporalAddress') });
      await new Client({ connection }).workflow
        .getHandle(workflowId)
        .terminate()
        .catch(() => undefined);
      await connection.close();
    }
  }, 300_000);
});
