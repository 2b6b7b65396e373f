// `npm start -- --reset`: which flags it takes, where it refuses, and what it removes from a database.
import { describe, expect, it } from 'vitest';
import { dropTandemSchemas } from '../../src/db/reset';
import { migrate } from '../../src/db/migrations';
import { formatReset, parseStartFlags, resetRefusal } from '../../src/demo-reset';
import { useTestDatabase } from '../support/database';

describe('npm start flags', () => {
  it('takes --reset and --reset --force, and names anything else', () => {
    expect(parseStartFlags([])).toEqual({ reset: false, force: false });
    expect(parseStartFlags(['--reset'])).toEqual({ reset: true, force: false });
    expect(parseStartFlags(['--reset', '--force'])).toEqual({ reset: true, force: true });
    expect(() => parseStartFlags(['--rest'])).toThrow('npm start: unknown option "--rest"');
    expect(() => parseStartFlags(['--force'])).toThrow('--force only goes with --reset');
  });
});

describe('reset refusal', () => {
  const demo = {
    demoOrg: true,
    demoDatabase: true,
    database: 'postgres://postgres@127.0.0.1:5432/tandem',
    force: false,
  };
  it('resets the demo', () => {
    expect(resetRefusal(demo)).toBeNull();
  });
  it('never resets a real org, not even with --force', () => {
    expect(resetRefusal({ ...demo, demoOrg: false, force: true })).toContain(
      'Tandem never wipes a real Salesforce org',
    );
  });
  it('touches another database only with --force, and names it', () => {
    const other = { ...demo, demoDatabase: false, database: 'postgres://app@db.internal:5432/marketing' };
    expect(resetRefusal(other)).toContain(
      'in postgres://app@db.internal:5432/marketing, which is not the demo database',
    );
    expect(resetRefusal({ ...other, force: true })).toBeNull();
  });
});

describe('dropping Tandem schemas', () => {
  const db = useTestDatabase();
  it('drops the data schema and schema tandem, and says what they held; other schemas stay', async () => {
    const pool = db.current.pool;
    await migrate(pool);
    await pool.query(`CREATE SCHEMA salesforce; CREATE TABLE salesforce.lead (id int); INSERT INTO salesforce.lead VALUES (1), (2);
                      CREATE TABLE salesforce.contact (id int); CREATE TABLE public.keep (id int)`);
    const report = await dropTandemSchemas(pool, 'salesforce');
    expect(report).toEqual({
      schema: 'salesforce',
      tables: [
        { table: 'salesforce.contact', rows: 0 },
        { table: 'salesforce.lead', rows: 2 },
      ],
      stateDropped: true,
    });
    const { rows } = await pool.query(
      `SELECT schema_name FROM information_schema.schemata WHERE schema_name IN ('salesforce', 'tandem', 'public')`,
    );
    expect(rows).toEqual([{ schema_name: 'public' }]);
    expect(
      formatReset({ database: { ...report, url: 'postgres://x/tandem' }, emulator: null, workflows: ['tandem-sync'] }),
    ).toContain('dropped schema "salesforce" (2 tables, 2 rows) and Tandem\'s state (schema "tandem")');
    // Again on an empty database: nothing to drop, no error.
    expect(await dropTandemSchemas(pool, 'salesforce')).toEqual({
      schema: 'salesforce',
      tables: [],
      stateDropped: false,
    });
  });
});
