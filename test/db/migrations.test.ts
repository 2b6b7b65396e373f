import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMigrations, migrate, MigrationError } from '../../src/db/migrations';
import { useTestDatabase } from '../support/database';

const db = useTestDatabase();

describe('migrations of schema tandem', () => {
  it('creates tandem state tables and records each version once', async () => {
    const all = loadMigrations().map((m) => m.version);
    expect(await migrate(db.current.pool)).toEqual(all);
    const { rows } = await db.current.pool.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'tandem' ORDER BY 1`,
    );
    // Later migrations (the push outbox …) add tables of their own; these are the pull's.
    expect(rows.map((r) => r.table_name)).toEqual(
      expect.arrayContaining(['api_usage', 'copy_checkpoint', 'schema_migrations', 'sync_object']),
    );
  });

  it('is idempotent, also when workers start concurrently', async () => {
    const results = await Promise.all([migrate(db.current.pool), migrate(db.current.pool), migrate(db.current.pool)]);
    expect(results).toEqual([[], [], []]);
    const { rows } = await db.current.pool.query('SELECT count(*)::int AS n FROM tandem.schema_migrations');
    expect(rows[0].n).toBe(loadMigrations().length);
  });

  it('applies a new migration later and rolls back a failing one, naming it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tandem-migrations-'));
    writeFileSync(join(dir, '0001_tandem_state.sql'), 'SELECT 1');
    writeFileSync(join(dir, '0999_extra.sql'), 'CREATE TABLE tandem.extra (x int)');
    expect(await migrate(db.current.pool, loadMigrations(dir))).toEqual([999]);
    writeFileSync(join(dir, '1000_broken.sql'), 'CREATE TABLE tandem.broken (x nonsense_type)');
    await expect(migrate(db.current.pool, loadMigrations(dir))).rejects.toThrow(/Migration 1000_broken failed/);
    const { rows } = await db.current.pool.query(`SELECT max(version)::int AS v FROM tandem.schema_migrations`);
    expect(rows[0].v).toBe(999);
  });

  it('refuses a misnamed migration file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tandem-migrations-'));
    writeFileSync(join(dir, 'init.sql'), 'SELECT 1');
    expect(() => loadMigrations(dir)).toThrow(MigrationError);
  });
});
