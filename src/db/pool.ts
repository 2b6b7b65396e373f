/**
 * The PostgreSQL pool. One per worker; activities borrow a client for one transaction at a time.
 */
import pg from 'pg';

/** Options of `createPool`. */
export interface PoolOptions {
  /** Connection string, e.g. `postgres://postgres@127.0.0.1:5432/tandem`. */
  url: string;
  /** Maximum connections; each running activity holds at most one. */
  max?: number;
}

/** Creates a pool; errors of idle clients (a server restart) go to `onIdleError` instead of crashing the worker. */
export function createPool(options: PoolOptions, onIdleError?: (error: Error) => void): pg.Pool {
  const pool = new pg.Pool({ connectionString: options.url, max: options.max ?? 10 });
  // pg emits 'error' on the pool when an idle client dies; without a listener Node would crash.
  pool.on('error', (error) => onIdleError?.(error));
  return pool;
}

/**
 * Runs `fn` inside BEGIN … COMMIT on one client, rolling back and rethrowing on error. The transaction
 * is marked as Tandem's own (`tandem.origin = 'tandem'`, transaction-local), so the change-capture
 * triggers of two-way tables ignore its writes — echo suppression — and the read-only guard of one-way
 * tables lets them through (src/db/migrations/0002_push_outbox.sql).
 */
export async function withTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    await client.query(`SELECT set_config('tandem.origin', 'tandem', true)`);
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    try {
      await client.query('ROLLBACK');
    } catch {
      broken = true; // the connection itself failed: discard it
    }
    throw error;
  } finally {
    client.release(broken);
  }
}
