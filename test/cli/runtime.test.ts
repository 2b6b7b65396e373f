import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXIT, run, type CliIo } from '../../src/cli';
import { startEmbeddedPostgres } from '../../src/db/embedded';
import { migrate } from '../../src/db/migrations';
import { writeRuntimeInfo } from '../../src/runtime-file';

function captureIo(): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t) };
}

describe('the tandem CLI finds what npm start runs', () => {
  let stateDir: string;
  const saved = { DATABASE_URL: process.env.DATABASE_URL, TANDEM_STATE_DIR: process.env.TANDEM_STATE_DIR };
  beforeEach(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'tandem-cli-state-'));
    delete process.env.DATABASE_URL;
    process.env.TANDEM_STATE_DIR = stateDir;
  });
  afterEach(() => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    rmSync(stateDir, { recursive: true, force: true });
  });
  const publish = (databaseUrl: string): void =>
    writeRuntimeInfo(
      {
        pid: process.pid,
        startedAt: new Date().toISOString(),
        databaseUrl,
        embeddedDatabase: true,
        temporalAddress: '127.0.0.1:1',
        namespace: 'default',
        workflowId: 'tandem-sync',
      },
      stateDir,
    );

  it('reads errors, why and conflicts from the embedded database npm start published in runtime.json', async () => {
    const embedded = await startEmbeddedPostgres({ dataDir: join(stateDir, 'pglite') });
    const pool = new pg.Pool({ connectionString: embedded.url, max: 1 });
    try {
      await migrate(pool);
      await pool.query(
        `INSERT INTO tandem.sync_error (object, row_id, operation, code, message) VALUES ('Lead', 42, 'insert', 'REQUIRED_FIELD_MISSING', 'Required fields are missing: [Company]')`,
      );
      publish(embedded.url);

      let io = captureIo();
      expect(await run(['errors', '--json'], io), io.stdout.join('\n')).toBe(EXIT.ok);
      expect(JSON.parse(io.stdout[0])).toMatchObject([{ object: 'Lead', rowId: 42, code: 'REQUIRED_FIELD_MISSING' }]);
      io = captureIo();
      expect(await run(['conflicts'], io)).toBe(EXIT.ok);
      io = captureIo();
      expect(await run(['why', 'nobody@example.com'], io)).toBe(EXIT.failed);
      expect(io.stderr[0]).toMatch(/no synced record matches/);
    } finally {
      await pool.end();
      await embedded.stop();
    }
  }, 60_000);

  it('names the database it tried when it does not answer, with its own exit code (not the one for Temporal)', async () => {
    publish('postgres://postgres@127.0.0.1:1/tandem');
    const io = captureIo();
    expect(await run(['errors', '--json'], io)).toBe(EXIT.databaseUnreachable);
    expect(JSON.parse(io.stdout[0])).toMatchObject({
      exitCode: 4,
      error: expect.stringMatching(
        /^Tandem's database is not reachable at postgres:\/\/postgres@127\.0\.0\.1:1\/tandem \(.*\)\. Start Tandem with `npm start`/,
      ),
    });
  });

  it('answers an unknown command with a JSON error under --json', async () => {
    const io = captureIo();
    expect(await run(['frobnicate', '--json'], io)).toBe(EXIT.badInput);
    expect(JSON.parse(io.stdout[0])).toEqual({ error: "unknown command 'frobnicate'", exitCode: 2 });
    expect(io.stderr).toEqual([]);
  });
});
