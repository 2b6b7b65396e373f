// A PostgreSQL connection that dies under a checked-out client — mid-COPY, mid-transaction — must
// reject the call that used it and leave the process and the pool working. pg emits 'error' on such a
// client; before guardPool that event had no listener and Node exited ("Unhandled 'error' event"),
// which vitest reports as an unhandled error and fails the run.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { upsertRows, type TextRow } from '../../src/db/copy';
import { migrate } from '../../src/db/migrations';
import { guardPool, withTransaction } from '../../src/db/pool';
import { ensureTable } from '../../src/db/tables';
import { columnsFor } from '../../src/sync/type-mapping';
import { useTestDatabase } from '../support/database';

const db = useTestDatabase();
let pool: pg.Pool;
/** Errors that reached the process unhandled — what used to kill the worker. */
const uncaught: unknown[] = [];
const onUncaught = (error: unknown) => uncaught.push(error);

const columns = columnsFor('Lead', [
  { name: 'Id', type: 'id' },
  { name: 'LastName', type: 'string', length: 80 },
]);
const target = { schema: 'salesforce', table: 'lead', columns };
const rowsOf = (from: number, n: number): TextRow[] =>
  Array.from({ length: n }, (_, i) => [`00Q${String(from + i).padStart(12, '0')}AAA`, `Name ${from + i}`, 'f']);

beforeAll(async () => {
  process.on('uncaughtException', onUncaught);
  // The pool the worker would get: guarded, with nothing else listening.
  pool = guardPool(new pg.Pool({ connectionString: db.current.url, max: 2 }));
  await migrate(pool);
  await ensureTable(pool, 'salesforce', 'lead', 'Lead', columns);
});
afterEach(() => {
  expect(uncaught.splice(0)).toEqual([]);
});
afterAll(async () => {
  process.off('uncaughtException', onUncaught);
  await pool?.end();
});

/** What the server is running for `pid`, read from another connection. */
async function activityOf(pid: number): Promise<string> {
  const { rows } = await db.current.pool.query<{ query: string }>('SELECT query FROM pg_stat_activity WHERE pid = $1', [
    pid,
  ]);
  return rows[0]?.query ?? '';
}

async function terminate(pid: number): Promise<void> {
  await db.current.pool.query('SELECT pg_terminate_backend($1)', [pid]);
}

describe('a connection killed under a checked-out client', () => {
  it('rejects a COPY killed mid-stream; the process and the pool survive and the retry writes every row', async () => {
    let seenQuery = '';
    const copy = withTransaction(pool, async (tx) => {
      const pid = (await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      async function* rows(): AsyncGenerator<TextRow> {
        yield* rowsOf(0, 500);
        // COPY FROM STDIN is open now; kill its backend from another connection and give pg time to notice.
        seenQuery = await activityOf(pid);
        await terminate(pid);
        await new Promise((resolve) => setTimeout(resolve, 300));
        yield* rowsOf(500, 500);
      }
      return upsertRows(tx, target, rows());
    });
    await expect(copy).rejects.toThrow(/terminat/i);
    expect(seenQuery).toMatch(/^COPY /);
    const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM salesforce.lead');
    expect(rows[0]!.n).toBe(0);

    await expect(withTransaction(pool, (tx) => upsertRows(tx, target, rowsOf(0, 1000)))).resolves.toBe(1000);
    const after = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM salesforce.lead');
    expect(after.rows[0]!.n).toBe(1000);
  });

  it('rejects the next statement of a transaction whose connection died while it waited', async () => {
    const attempt = withTransaction(pool, async (tx) => {
      const pid = (await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      await tx.query(`UPDATE salesforce.lead SET lastname = 'lost' WHERE sfid = $1`, [rowsOf(0, 1)[0]![0]]);
      // Idle in the transaction (as while a Salesforce page downloads) when the server drops the connection.
      await terminate(pid);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await tx.query('SELECT 1');
    });
    await expect(attempt).rejects.toThrow(/Connection terminated|not queryable|terminat/i);
    const { rows } = await pool.query<{ lastname: string }>('SELECT lastname FROM salesforce.lead WHERE sfid = $1', [
      rowsOf(0, 1)[0]![0],
    ]);
    expect(rows[0]!.lastname).toBe('Name 0');
  });

  it('keeps an idle client that dies in the pool from crashing the process, and replaces it', async () => {
    const client = await pool.connect();
    const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    client.release();
    await terminate(pid);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const { rows } = await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    expect(rows[0]!.pid).not.toBe(pid);
  });
});
