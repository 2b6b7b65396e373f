/**
 * The push's own bookkeeping: one push per object at a time across workers (an advisory lock), and
 * `tandem.push_state`, the last result of each object's push for status and stories.
 */
import type pg from 'pg';
import type { PushResult } from '../shared';

type Db = pg.Pool | pg.PoolClient;

/**
 * Runs `fn` holding the session-level advisory lock named `key` on a connection of its own; returns
 * `{ acquired: false }` at once, without running it, when another session holds the lock.
 */
export async function withTryLock<T>(
  pool: pg.Pool,
  key: string,
  fn: () => Promise<T>,
): Promise<{ acquired: true; value: T } | { acquired: false }> {
  const client = await pool.connect();
  let locked = false;
  try {
    locked = (await client.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(hashtext($1)) AS ok`, [key])).rows[0]!
      .ok;
    if (!locked) return { acquired: false };
    return { acquired: true, value: await fn() };
  } finally {
    if (locked) await client.query(`SELECT pg_advisory_unlock(hashtext($1))`, [key]).catch(() => undefined);
    client.release();
  }
}

/** Same-field conflicts of `object` logged since its previous push finished (all of them before the first). */
export async function conflictsSinceLastPush(db: Db, object: string): Promise<number> {
  const { rows } = await db.query<{ n: string }>(
    `SELECT count(*) AS n FROM tandem.conflict_log c
      WHERE c.object = $1 AND c.logged_at > COALESCE((SELECT last_push_at FROM tandem.push_state WHERE object = $1), '-infinity')`,
    [object],
  );
  return Number(rows[0]?.n ?? 0);
}

/** Keeps `result` as the object's last push result, stamped now. */
export async function savePushResult(db: Db, result: PushResult): Promise<void> {
  await db.query(
    `INSERT INTO tandem.push_state (object, last_push_at, last_result) VALUES ($1, now(), $2::jsonb)
     ON CONFLICT (object) DO UPDATE SET last_push_at = EXCLUDED.last_push_at, last_result = EXCLUDED.last_result`,
    [result.object, JSON.stringify(result)],
  );
}
