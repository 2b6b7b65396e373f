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

/**
 * The search_path of Tandem's sessions: the system catalog, then temporary objects — no schema another
 * role can create objects in. Every name Tandem's SQL uses outside pg_catalog is schema-qualified, so a
 * function or operator planted in `public` (or any schema on a default path) never runs with Tandem's
 * rights (https://www.postgresql.org/docs/current/ddl-schemas.html#DDL-SCHEMAS-PATTERNS).
 */
export const SAFE_SEARCH_PATH = 'pg_catalog, pg_temp';

/** Creates a guarded pool (see `guardPool`); errors of idle clients (a server restart) go to `onIdleError`. */
export function createPool(options: PoolOptions, onIdleError?: (error: Error) => void): pg.Pool {
  return guardPool(new pg.Pool({ connectionString: options.url, max: options.max ?? 10 }), onIdleError);
}

const guarded = new WeakSet<object>();

/**
 * Makes a lost PostgreSQL connection an error of the call that used it, never a crash, and returns the pool.
 * pg emits 'error' on a Client whose socket dies, and an 'error' event nobody listens to ends the Node
 * process. pg-pool listens only while a client is idle (and then re-emits on the pool, which needs a
 * listener too); a checked-out client — inside a transaction or a COPY — has none. So every client gets a
 * permanent listener the first time it is checked out. pg has already rejected the running query (or COPY
 * stream) with the error, and any later query on that client rejects as "not queryable", so the activity
 * fails with a rejected promise, Temporal retries it, and releasing the dead client drops it from the pool.
 * Also gives every new connection Tandem's safe search_path (SAFE_SEARCH_PATH).
 * Idempotent; `createActivities` applies it to the pool it is given.
 */
export function guardPool(pool: pg.Pool, onIdleError?: (error: Error) => void): pg.Pool {
  if (guarded.has(pool)) return pool;
  guarded.add(pool);
  pool.on('error', (error) => onIdleError?.(error));
  // Every new connection starts with the safe search_path, a startup parameter, so not even its first
  // statement resolves names elsewhere; pg-pool builds each client from `pool.options`, which also
  // covers pools built outside createPool (tests, embedders).
  pool.options.options = [pool.options.options, `-c search_path=${SAFE_SEARCH_PATH.replace(' ', '')}`]
    .filter(Boolean)
    .join(' ');
  pool.on('acquire', (client) => {
    if (guarded.has(client)) return;
    guarded.add(client);
    // Already delivered to the pending query; nothing more to do with it here.
    client.on('error', () => undefined);
  });
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
