import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';

/** The server tests run against: DATABASE_URL, else the local PostgreSQL as user postgres. */
export const adminDatabaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A freshly created database owned by one test file. */
export interface TestDatabase {
  name: string;
  url: string;
  pool: pg.Pool;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** Creates an empty database with a random name and a pool connected to it. */
export async function createTestDatabase(prefix = 'tandem_test'): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminDatabaseUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(adminDatabaseUrl, name);
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // An idle client that dies (a test that terminates backends, a server restart) must not crash the
  // test process with an unhandled 'error' event; the next query gets a fresh connection.
  pool.on('error', () => undefined);
  return { name, url, pool };
}

/** Closes the pool and drops the database, disconnecting anything still attached. */
export async function dropTestDatabase(db: TestDatabase): Promise<void> {
  await db.pool.end();
  const admin = new pg.Client({ connectionString: adminDatabaseUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${db.name}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

/**
 * Gives the calling test file its own database for its lifetime: created before the first test,
 * dropped after the last, so files never see each other's rows.
 */
export function useTestDatabase(): { readonly current: TestDatabase } {
  const holder: { current?: TestDatabase } = {};
  beforeAll(async () => {
    holder.current = await createTestDatabase();
  });
  afterAll(async () => {
    if (holder.current) await dropTestDatabase(holder.current);
  });
  return {
    get current(): TestDatabase {
      if (!holder.current) throw new Error('useTestDatabase: the database exists only inside tests and hooks');
      return holder.current;
    },
  };
}
