/**
 * Creates the database named in a connection URL when it does not exist yet, so `npm start` works
 * on a fresh PostgreSQL with nothing but the server running.
 */
import pg from 'pg';
import { quoteIdentifier } from './identifiers';

/** Thrown when no PostgreSQL answers at the URL; the message names the address (never the password). */
export class DatabaseUnreachableError extends Error {
  override readonly name = 'DatabaseUnreachableError';
}

/** Ensures the URL's database exists (connecting to the server's `postgres` database to create it). Returns true when it was created. */
export async function ensureDatabase(url: string): Promise<boolean> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, '')) || 'postgres';
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: 5_000 });
  // A socket that dies after connecting emits 'error' (a crash without a listener); the query rejects anyway.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    throw new DatabaseUnreachableError(`no PostgreSQL answers at ${target.host} (${(error as Error).message})`);
  }
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount) return false;
    try {
      await client.query(`CREATE DATABASE ${quoteIdentifier(name)}`);
    } catch (error) {
      // Another process created it between our check and our CREATE.
      if ((error as { code?: string }).code !== '42P04') throw error;
      return false;
    }
    return true;
  } finally {
    await client.end();
  }
}
