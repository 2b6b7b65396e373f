/**
 * `tandem.pull_quarantine`: Salesforce records a pull or copy skipped because a value cannot be stored
 * (src/db/migrations/0007_pull_quarantine.sql). One open entry per record; a later, different refusal
 * of the same record refreshes it, and storing the record resolves it.
 */
import type pg from 'pg';
import { qualifiedName, quoteIdentifier } from './identifiers';
import { META_COLUMNS } from './tables';

type Db = pg.Pool | pg.PoolClient;

/** One skipped record. */
export interface QuarantineInput {
  object: string;
  sfid: string;
  field: string;
  value: string;
  reason: string;
  operation: 'pull' | 'copy';
}

/** Records (or refreshes) the open quarantine entry of each record. */
export async function quarantineRecords(db: Db, entries: readonly QuarantineInput[]): Promise<void> {
  for (const e of entries) {
    await db.query(
      `INSERT INTO tandem.pull_quarantine (object, sfid, field, value, reason, operation) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (object, sfid) WHERE resolved_at IS NULL DO UPDATE SET field = EXCLUDED.field, value = EXCLUDED.value,
         reason = EXCLUDED.reason, operation = EXCLUDED.operation, last_seen = now(), attempts = tandem.pull_quarantine.attempts + 1`,
      [e.object, e.sfid, e.field, e.value, e.reason, e.operation],
    );
  }
}

/** Resolves the open entries of records that were stored now. */
export async function releaseQuarantined(db: Db, object: string, sfids: readonly string[]): Promise<void> {
  if (sfids.length === 0) return;
  await db.query(
    `UPDATE tandem.pull_quarantine SET resolved_at = now(), resolution = 'stored' WHERE object = $1 AND sfid = ANY($2::text[]) AND resolved_at IS NULL`,
    [object, sfids],
  );
}

/**
 * Resolves the open entries of `object` whose record this transaction wrote into `table` (a Bulk copy
 * page, whose ids are not held), except `refused`, the records it quarantined.
 */
export async function releaseWrittenThisTransaction(
  db: Db,
  object: string,
  schema: string,
  table: string,
  refused: readonly string[],
): Promise<void> {
  await db.query(
    `UPDATE tandem.pull_quarantine q SET resolved_at = now(), resolution = 'stored'
      WHERE q.object = $1 AND q.resolved_at IS NULL AND NOT (q.sfid = ANY($2::text[]))
        AND EXISTS (SELECT 1 FROM ${qualifiedName(schema, table)} t WHERE t.sfid = q.sfid AND t.${quoteIdentifier(META_COLUMNS.syncedAt)} = now())`,
    [object, refused],
  );
}

/** Open quarantine entries, oldest first, optionally of one object. */
export async function openQuarantine(
  db: Db,
  object?: string,
): Promise<(QuarantineInput & { firstSeen: Date; lastSeen: Date; attempts: number })[]> {
  const { rows } = await db.query(
    `SELECT object, sfid, field, value, reason, operation, first_seen AS "firstSeen", last_seen AS "lastSeen", attempts
       FROM tandem.pull_quarantine WHERE resolved_at IS NULL AND ($1::text IS NULL OR object = $1) ORDER BY first_seen, id`,
    [object ?? null],
  );
  return rows as (QuarantineInput & { firstSeen: Date; lastSeen: Date; attempts: number })[];
}
