// The embedded database `npm start` falls back to: PGlite over the wire protocol. Tandem's own SQL —
// migrations, tables from describe, the push side's triggers, staging writes without COPY, locks —
// runs on it through the ordinary pg pool, and its data outlives a restart.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { supportsCopy, upsertRows, type TextRow } from '../../src/db/copy';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/db/embedded';
import { migrate } from '../../src/db/migrations';
import { installTableGuards } from '../../src/db/capture-triggers';
import { guardPool, withTransaction } from '../../src/db/pool';
import { ensureTable } from '../../src/db/tables';
import { objectDefinition, syncedObjects } from '../../src/objects';
import { columnsFor } from '../../src/sync/type-mapping';

const dataDir = mkdtempSync(join(tmpdir(), 'tandem-pglite-'));
let server: EmbeddedPostgres;
let pool: pg.Pool;

const columns = columnsFor('Lead', [
  { name: 'Id', type: 'id' },
  { name: 'LastName', type: 'string', length: 80 },
  { name: 'Company', type: 'string', length: 255 },
  { name: 'Description', type: 'textarea', length: 32000 },
  { name: 'NumberOfEmployees', type: 'int' },
  { name: 'SystemModstamp', type: 'datetime' },
]);
const target = { schema: 'salesforce', table: 'lead', columns };
const sfid = (n: number) => `00Q${String(n).padStart(12, '0')}AAA`;
const rowOf = (n: number, description: string | null = `row ${n}`): TextRow => [
  sfid(n),
  `Last ${n}`,
  'Acme',
  description,
  String(n),
  '2024-01-01T00:00:00.000+00:00',
  'f',
];

beforeAll(async () => {
  server = await startEmbeddedPostgres({ dataDir });
  pool = guardPool(new pg.Pool({ connectionString: server.url, max: 4 }));
});
afterAll(async () => {
  await pool?.end();
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('embedded PostgreSQL (PGlite over the wire protocol)', () => {
  it('serves a pg pool at the returned URL, and copy.ts knows it cannot COPY', async () => {
    expect(server.url).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
    const { rows } = await pool.query<{ version: string }>('SELECT version()');
    expect(rows[0]!.version).toMatch(/PGlite/);
    const client = await pool.connect();
    try {
      expect(await supportsCopy(client)).toBe(false);
    } finally {
      client.release();
    }
  });

  it('applies the migrations, idempotently', async () => {
    const applied = await migrate(pool);
    expect(applied.length).toBeGreaterThan(0);
    expect(await migrate(pool)).toEqual([]);
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM tandem.schema_migrations`);
    expect(rows[0].n).toBe(applied.length);
  });

  it('writes rows through multi-row INSERT staging, in several statements, with every value intact', async () => {
    await ensureTable(pool, 'salesforce', 'lead', 'Lead', columns);
    const awkward = 'tab\there, newline\nthere, back\\slash, quote \' and "';
    const rows = Array.from({ length: 1234 }, (_, i) => rowOf(i, i === 7 ? awkward : i === 8 ? null : `row ${i}`));
    expect(await withTransaction(pool, (tx) => upsertRows(tx, target, rows))).toBe(1234);
    // Re-writing is an update, not a duplicate.
    expect(await withTransaction(pool, (tx) => upsertRows(tx, target, [rowOf(1, 'changed')]))).toBe(1);
    const { rows: stored } = await pool.query(
      `SELECT sfid, description, numberofemployees FROM salesforce.lead WHERE sfid = ANY($1) ORDER BY sfid`,
      [[sfid(1), sfid(7), sfid(8)]],
    );
    expect(stored).toEqual([
      { sfid: sfid(1), description: 'changed', numberofemployees: 1 },
      { sfid: sfid(7), description: awkward, numberofemployees: 7 },
      { sfid: sfid(8), description: null, numberofemployees: 8 },
    ]);
    const count = await pool.query(`SELECT count(*)::int AS n FROM salesforce.lead`);
    expect(count.rows[0].n).toBe(1234);
  });

  it('rolls back a failed page whole and keeps serving', async () => {
    const bad = [rowOf(5000), [sfid(5001), 'x', 'Acme', null, 'not a number', null, 'f']];
    await expect(withTransaction(pool, (tx) => upsertRows(tx, target, bad))).rejects.toThrow(
      /invalid input syntax for type integer/,
    );
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM salesforce.lead WHERE sfid = ANY($1)`, [
      [sfid(5000), sfid(5001)],
    ]);
    expect(rows[0].n).toBe(0);
  });

  it('runs transactions of several connections at once without mixing them up', async () => {
    const writers = [0, 1, 2, 3].map((w) =>
      withTransaction(pool, async (tx) => {
        let written = 0;
        for (let page = 0; page < 3; page++)
          written += await upsertRows(
            tx,
            target,
            Array.from({ length: 100 }, (_, i) => rowOf(10_000 + w * 1000 + page * 100 + i)),
          );
        return written;
      }),
    );
    expect(await Promise.all(writers)).toEqual([300, 300, 300, 300]);
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM salesforce.lead WHERE sfid >= $1`, [
      sfid(10_000),
    ]);
    expect(rows[0].n).toBe(1200);
  });

  it("installs the push side's triggers: a marketing edit is captured, Tandem's own writes are not, one-way tables refuse writes", async () => {
    const lead = objectDefinition(syncedObjects([]), 'Lead');
    await installTableGuards(pool, 'salesforce', 'lead', lead, columns);
    await pool.query(`UPDATE salesforce.lead SET company = 'Initech' WHERE sfid = $1`, [sfid(2)]);
    await withTransaction(pool, (tx) => upsertRows(tx, target, [rowOf(3, 'from Salesforce')]));
    const { rows } = await pool.query(
      `SELECT sfid, operation, changed FROM tandem.outbox WHERE object = 'Lead' ORDER BY id`,
    );
    expect(rows).toEqual([{ sfid: sfid(2), operation: 'update', changed: { company: 'Initech' } }]);

    const account = objectDefinition(syncedObjects([]), 'Account');
    const accountColumns = columnsFor('Account', [
      { name: 'Id', type: 'id' },
      { name: 'Name', type: 'string', length: 255 },
    ]);
    await ensureTable(pool, 'salesforce', 'account', 'Account', accountColumns);
    await installTableGuards(pool, 'salesforce', 'account', account, accountColumns);
    await expect(pool.query(`INSERT INTO salesforce.account (name) VALUES ('Nope')`)).rejects.toThrow(/read-only/);
  });

  it('takes the advisory locks and row locks Tandem uses (one session: they never block each other)', async () => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['salesforce.lead']);
      const { rows } = await client.query(
        `SELECT id FROM tandem.outbox WHERE status = 'pending' ORDER BY id FOR UPDATE SKIP LOCKED`,
      );
      expect(rows.length).toBe(1);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
  });

  it('keeps its data across a restart on the same directory', async () => {
    await pool.end();
    await server.stop();
    server = await startEmbeddedPostgres({ dataDir });
    pool = guardPool(new pg.Pool({ connectionString: server.url, max: 4 }));
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM salesforce.lead`);
    expect(rows[0].n).toBe(1234 + 1200);
    expect(await migrate(pool)).toEqual([]);
  });
});
