import { spawn } from 'node:child_process';
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
      env: { ...env, DATABASE_URL: db.current.url, TEMPORAL_ADDRESS: inject('temporalAddress'), TANDEM_WORKFLOW_ID: workflowId, TANDEM_TASK_QUEUE: workflowId, LOG_LEVEL: 'warn' },
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
      await eventually(async () => {
        const { rows } = await db.current.pool.query<{ n: string }>('SELECT count(*) AS n FROM tandem.sync_object WHERE copy_completed_at IS NOT NULL').catch(() => ({ rows: [{ n: '0' }] }));
        return Number(rows[0].n) === DEFAULT_SYNC_OBJECTS.length;
      }, 90_000, 500);
      const leads = await db.current.pool.query<{ n: string }>('SELECT count(*) AS n FROM salesforce.lead');
      expect(Number(leads.rows[0].n)).toBeGreaterThan(100);
      await eventually(() => output.includes('initial copy complete'), 30_000);
    } finally {
      child.kill('SIGINT');
      const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), 30_000))]);
      expect(code).toBe(0);
      expect(output).toContain('Stopped.');
      const connection = await Connection.connect({ address: inject('temporalAddress') });
      await new Client({ connection }).workflow.getHandle(workflowId).terminate().catch(() => undefined);
      await connection.close();
    }
  }, 180_000);
});
