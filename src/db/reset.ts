/**
 * Removing Tandem's data from a database for `npm start -- --reset`: the synced tables (the data
 * schema) and Tandem's own state (schema `tandem`), counted first so the operator is told what went.
 */
import type pg from 'pg';
import { quoteIdentifier } from './identifiers';

/** What a reset removed from the database. */
export interface DatabaseReset {
  schema: string;
  /** Tables of the data schema with the rows each held. */
  tables: { table: string; rows: number }[];
  /** True when schema `tandem` existed and was dropped. */
  stateDropped: boolean;
}

/** Drops the data schema and schema `tandem` (if present), in one transaction; returns what they held. */
export async function dropTandemSchemas(pool: pg.Pool, schema: string): Promise<DatabaseReset> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const { rows: tables } = await client.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY table_name`,
      [schema],
    );
    const counted: DatabaseReset['tables'] = [];
    for (const t of tables) {
      const { rows } = await client.query<{ n: string }>(
        `SELECT count(*) AS n FROM ${quoteIdentifier(schema)}.${quoteIdentifier(t.table_name)}`,
      );
      counted.push({ table: `${schema}.${t.table_name}`, rows: Number(rows[0]!.n) });
    }
    const { rows: state } = await client.query(
      `SELECT 1 FROM information_schema.schemata WHERE schema_name = 'tandem'`,
    );
    await client.query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(schema)} CASCADE`);
    await client.query(`DROP SCHEMA IF EXISTS tandem CASCADE`);
    await client.query('COMMIT');
    return { schema, tables: counted, stateDropped: state.length > 0 };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
