/**
 * The marketing side's change capture and the outbox it fills (tables and trigger functions:
 * migrations/0002_push_outbox.sql). `installTableGuards` puts the triggers on one data table after each
 * describe: on a two-way table a row trigger records INSERT, UPDATE (changed columns only) and DELETE
 * into `tandem.outbox` inside the writer's transaction and refuses writes to fields the sync user
 * cannot write; on a one-way table a statement trigger refuses every write. Tandem's own transactions
 * (`tandem.origin = 'tandem'`, see pool.ts) pass through both. Everything else here reads and updates
 * the outbox, the shadow, sync errors and the conflict log for the push and the pull's merge.
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { ObjectDefinition } from '../objects';
import { DELETED_COLUMN, ID_COLUMN, type ColumnSpec } from '../sync/type-mapping';
import { qualifiedName, quoteIdentifier } from './identifiers';

type Db = pg.Pool | pg.PoolClient;

/** Columns Tandem adds to every two-way table, like Heroku Connect's `_hc_lastop` / `_hc_err`. */
export const PUSH_COLUMNS = {
  /** The latest permanent push error of the row (`CODE: message`), null once it syncs. */
  error: '_tandem_error',
  /** The Salesforce record this row was linked to instead of being created (match by email). */
  linkedTo: '_tandem_linked_to',
} as const;

/** The Salesforce fields Salesforce itself maintains: never pushed, refused when written locally. */
const SYSTEM_FIELDS = new Set(['Id', 'IsDeleted', 'CreatedDate', 'CreatedById', 'LastModifiedDate', 'LastModifiedById', 'SystemModstamp', 'MasterRecordId']);

/** What the capture trigger of one table is told (TG_ARGV[1]). */
export interface CaptureSpec {
  /** Columns pushed to Salesforce when changed. */
  tracked: string[];
  /** [column, reason]: refused when set on insert. */
  notCreateable: [string, string][];
  /** [column, reason]: refused when changed on update. */
  notUpdateable: [string, string][];
}

/**
 * The capture spec of an object's columns, from describe's `createable` / `updateable`. `vanished`
 * are columns of fields that once synced but are no longer in describe: writes to them are refused.
 */
export function captureSpec(object: string, columns: readonly ColumnSpec[], vanished: readonly { column: string; field: string }[] = []): CaptureSpec {
  const spec: CaptureSpec = {
    tracked: [],
    notCreateable: [[ID_COLUMN, 'the Salesforce id is assigned by Salesforce']],
    notUpdateable: [
      [ID_COLUMN, 'the Salesforce id is assigned by Salesforce'],
      [DELETED_COLUMN, 'Salesforce sets it; DELETE the row to delete the record'],
    ],
  };
  for (const c of columns) {
    if (c.field === '' || c.column === ID_COLUMN || c.column === DELETED_COLUMN) continue;
    if (SYSTEM_FIELDS.has(c.field)) {
      const reason = `${object}.${c.field} is maintained by Salesforce`;
      spec.notCreateable.push([c.column, reason]);
      spec.notUpdateable.push([c.column, reason]);
      continue;
    }
    const createable = c.createable !== false;
    const updateable = c.updateable !== false;
    if (!createable) spec.notCreateable.push([c.column, `the sync user cannot set ${object}.${c.field} in Salesforce (not createable: a formula, system or read-only field)`]);
    if (!updateable) spec.notUpdateable.push([c.column, `the sync user cannot update ${object}.${c.field} in Salesforce (not updateable: a formula, system or read-only field)`]);
    if (createable || updateable) spec.tracked.push(c.column);
  }
  for (const v of vanished) {
    const reason = `${object}.${v.field} is no longer visible to the sync user (deleted, or hidden by field-level security), so it no longer syncs`;
    spec.notCreateable.push([v.column, reason]);
    spec.notUpdateable.push([v.column, reason]);
  }
  return spec;
}

/**
 * Records the object's current fields in `tandem.synced_field` and returns those that synced once but
 * are gone from describe now.
 */
export async function vanishedFields(db: Db, object: string, columns: readonly ColumnSpec[]): Promise<{ column: string; field: string }[]> {
  const current = columns.filter((c) => c.field !== '');
  await db.query(
    `INSERT INTO tandem.synced_field (object, column_name, field) SELECT $1, c, f FROM unnest($2::text[], $3::text[]) AS x(c, f)
     ON CONFLICT (object, column_name) DO NOTHING`,
    [object, current.map((c) => c.column), current.map((c) => c.field)],
  );
  const { rows } = await db.query<{ column_name: string; field: string }>(
    `SELECT column_name, field FROM tandem.synced_field WHERE object = $1 AND NOT (column_name = ANY($2::text[])) ORDER BY column_name`,
    [object, current.map((c) => c.column)],
  );
  return rows.map((r) => ({ column: r.column_name, field: r.field }));
}

/**
 * Installs (or replaces) the triggers of one data table: change capture on two-way objects, the
 * read-only guard on the others. Runs in its own transaction; idempotent.
 */
export async function installTableGuards(
  pool: pg.Pool,
  schema: string,
  table: string,
  def: ObjectDefinition,
  columns: readonly ColumnSpec[],
  vanished: readonly { column: string; field: string }[] = [],
): Promise<void> {
  const name = qualifiedName(schema, table);
  const spec = def.direction === 'two-way' ? JSON.stringify(captureSpec(def.name, columns, vanished)) : '';
  // The installed trigger carries a fingerprint of its definition as its comment: an unchanged table
  // (the usual case at each periodic describe) costs one catalog read instead of DDL and its lock.
  // Bump the version when the trigger DDL below changes, so existing tables get the new one.
  const trigger = def.direction === 'two-way' ? 'tandem_capture' : 'tandem_read_only';
  const fingerprint = `${trigger} v2 ${createHash('sha256').update(`${def.name}\n${spec}`).digest('hex').slice(0, 32)}`;
  const installed = await pool.query<{ comment: string | null }>(
    `SELECT obj_description(t.oid, 'pg_trigger') AS comment FROM pg_trigger t WHERE t.tgrelid = to_regclass($1) AND t.tgname = $2`,
    [name, trigger],
  );
  if (installed.rows[0]?.comment === fingerprint) return;
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${schema}.${table}`]);
    await client.query(`DROP TRIGGER IF EXISTS tandem_capture ON ${name}`);
    await client.query(`DROP TRIGGER IF EXISTS tandem_no_truncate ON ${name}`);
    await client.query(`DROP TRIGGER IF EXISTS tandem_read_only ON ${name}`);
    if (def.direction === 'two-way') {
      await client.query(`ALTER TABLE ${name} ADD COLUMN IF NOT EXISTS ${quoteIdentifier(PUSH_COLUMNS.error)} text`);
      await client.query(`ALTER TABLE ${name} ADD COLUMN IF NOT EXISTS ${quoteIdentifier(PUSH_COLUMNS.linkedTo)} varchar(18)`);
      // The WHEN clause repeats capture_change's own echo check where it is cheap: without it every row
      // a pull or copy writes queues an AFTER-trigger event and a PL/pgSQL call that returns at once
      // (a 50,000-row re-copy page spent 3.5 of its 4.9 s there; with it, 1.1 s).
      await client.query(
        `CREATE TRIGGER tandem_capture AFTER INSERT OR UPDATE OR DELETE ON ${name}
           FOR EACH ROW WHEN (current_setting('tandem.origin', true) IS DISTINCT FROM 'tandem')
           EXECUTE FUNCTION tandem.capture_change(${client.escapeLiteral(def.name)}, ${client.escapeLiteral(spec)})`,
      );
      await client.query(`CREATE TRIGGER tandem_no_truncate BEFORE TRUNCATE ON ${name} FOR EACH STATEMENT EXECUTE FUNCTION tandem.refuse_truncate()`);
    } else {
      await client.query(
        `CREATE TRIGGER tandem_read_only BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${name} FOR EACH STATEMENT EXECUTE FUNCTION tandem.refuse_write()`,
      );
    }
    await client.query(`COMMENT ON TRIGGER ${trigger} ON ${name} IS ${client.escapeLiteral(fingerprint)}`);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * (Re)creates the view `<schema>.person`: every person once — leads not converted, contacts — without
 * deleted rows, merge losers and rows linked to another record. Columns: `person_type` (Lead or Contact),
 * `row_id`, then every column lead and contact share with the same type. Needs both tables with their
 * push columns; returns false (and does nothing) while one is missing or not yet upgraded.
 */
export async function ensurePersonView(db: Db, schema: string, leadColumns: readonly ColumnSpec[], contactColumns: readonly ColumnSpec[]): Promise<boolean> {
  const contactTypes = new Map(contactColumns.map((c) => [c.column, c.sqlType]));
  const shared = leadColumns.filter((c) => contactTypes.get(c.column) === c.sqlType).map((c) => quoteIdentifier(c.column));
  if (!shared.includes(quoteIdentifier(ID_COLUMN))) return false;
  // Each table gets its push columns when its own capture trigger is installed, after its own describe.
  // A database created by an older Tandem can have one table upgraded and the other not yet: wait for
  // the second describe rather than fail the first object's sync.
  const ready = await db.query<{ n: string }>(
    `SELECT count(*) AS n FROM information_schema.columns WHERE table_schema = $1 AND table_name IN ('lead', 'contact') AND column_name = $2`,
    [schema, PUSH_COLUMNS.linkedTo],
  );
  if (Number(ready.rows[0]!.n) < 2) return false;
  const list = shared.join(', ');
  const linked = quoteIdentifier(PUSH_COLUMNS.linkedTo);
  const sql = `CREATE OR REPLACE VIEW ${qualifiedName(schema, 'person')} AS
    SELECT 'Lead'::text AS person_type, id AS row_id, ${list} FROM ${qualifiedName(schema, 'lead')}
     WHERE isdeleted IS NOT TRUE AND isconverted IS NOT TRUE AND ${linked} IS NULL
    UNION ALL
    SELECT 'Contact'::text, id, ${list} FROM ${qualifiedName(schema, 'contact')}
     WHERE isdeleted IS NOT TRUE AND ${linked} IS NULL`;
  try {
    await db.query(sql);
  } catch (error) {
    // CREATE OR REPLACE cannot drop or reorder columns (a field the sync user lost): rebuild it.
    if ((error as { code?: string }).code !== '42P16') throw error;
    await db.query(`DROP VIEW ${qualifiedName(schema, 'person')}`);
    await db.query(sql);
  }
  return true;
}

/** One open outbox entry. */
export interface OutboxEntry {
  id: number;
  rowId: number;
  sfid: string | null;
  operation: 'insert' | 'update' | 'delete';
  changed: Record<string, unknown>;
  previous: Record<string, unknown>;
  capturedAt: Date;
  status: 'pending' | 'failed';
  attempts: number;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a pg row, typed by the SELECT
function toEntry(r: Record<string, any>): OutboxEntry {
  return {
    id: Number(r.id),
    rowId: Number(r.row_id),
    sfid: r.sfid,
    operation: r.operation,
    changed: r.changed,
    previous: r.previous,
    capturedAt: r.captured_at,
    status: r.status,
    attempts: r.attempts,
  };
}

/**
 * The open entries (pending, and failed ones to re-drive with them) of up to `limit` rows of `object`
 * that have at least one pending entry, oldest first.
 */
export async function openEntries(db: Db, object: string, limit: number): Promise<OutboxEntry[]> {
  // One pass over the open-entries index with window functions: a join back to the outbox would be
  // planned as a nested loop over a freshly filled table (no statistics yet) — quadratic in the backlog.
  const { rows } = await db.query(
    `WITH open AS (
       SELECT o.*, min(o.id) OVER w AS first, bool_or(o.status = 'pending') OVER w AS has_pending
         FROM tandem.outbox o
        WHERE o.object = $1 AND o.status IN ('pending', 'failed')
       WINDOW w AS (PARTITION BY o.row_id)
     ), ranked AS (
       SELECT *, dense_rank() OVER (ORDER BY first) AS row_rank FROM open WHERE has_pending
     )
     SELECT * FROM ranked WHERE row_rank <= $2 ORDER BY first, id`,
    [object, limit],
  );
  return rows.map(toEntry);
}

/** The open entries of the given rows (for the pull's merge and for redirects). */
export async function openEntriesOf(db: Db, object: string, rowIds: readonly number[]): Promise<OutboxEntry[]> {
  if (rowIds.length === 0) return [];
  const { rows } = await db.query(
    `SELECT * FROM tandem.outbox WHERE object = $1 AND row_id = ANY($2::bigint[]) AND status IN ('pending', 'failed') ORDER BY id`,
    [object, rowIds],
  );
  return rows.map(toEntry);
}

/** Ids of rows of `object` with open non-delete entries (the rows a pull must merge rather than overwrite). */
export async function rowsWithOpenChanges(db: Db, object: string): Promise<number[]> {
  const { rows } = await db.query<{ row_id: string }>(
    `SELECT DISTINCT row_id FROM tandem.outbox WHERE object = $1 AND status IN ('pending', 'failed') AND operation <> 'delete'`,
    [object],
  );
  return rows.map((r) => Number(r.row_id));
}

/** Reads rows of a data table as jsonb objects (column → value), by local id. */
export async function readRows(db: Db, schema: string, table: string, ids: readonly number[]): Promise<Map<number, Record<string, unknown>>> {
  if (ids.length === 0) return new Map();
  const { rows } = await db.query<{ r: Record<string, unknown> }>(
    `SELECT to_jsonb(t) AS r FROM ${qualifiedName(schema, table)} t WHERE t.id = ANY($1::bigint[])`,
    [ids],
  );
  return new Map(rows.map(({ r }) => [Number(r.id), r]));
}

/** Reads rows of a data table by sfid. */
export async function readRowsBySfid(db: Db, schema: string, table: string, sfids: readonly string[]): Promise<Map<string, Record<string, unknown>>> {
  if (sfids.length === 0) return new Map();
  const { rows } = await db.query<{ r: Record<string, unknown> }>(
    `SELECT to_jsonb(t) AS r FROM ${qualifiedName(schema, table)} t WHERE t.sfid = ANY($1::text[])`,
    [sfids],
  );
  return new Map(rows.map(({ r }) => [String(r.sfid), r]));
}

/**
 * Sets columns of one row from jsonb values (cast to the column types by jsonb_populate_record).
 * Within Tandem's transaction the change is not captured; with `capture` it is, as a marketing-side write.
 */
export async function writeColumns(db: Db, schema: string, table: string, rowId: number, values: Record<string, unknown>, options: { capture?: boolean } = {}): Promise<void> {
  const columns = Object.keys(values);
  if (columns.length === 0) return;
  const name = qualifiedName(schema, table);
  const sets = columns.map((c) => `${quoteIdentifier(c)} = (jsonb_populate_record(NULL::${name}, $2::jsonb)).${quoteIdentifier(c)}`);
  if (options.capture) await db.query(`SELECT set_config('tandem.origin', '', true)`);
  try {
    await db.query(`UPDATE ${name} SET ${sets.join(', ')} WHERE id = $1`, [rowId, JSON.stringify(values)]);
  } finally {
    if (options.capture) await db.query(`SELECT set_config('tandem.origin', 'tandem', true)`);
  }
}

/**
 * Closes entries: `status` with a note; `pushed` ones also record the Salesforce id. Entries closed
 * without a push take their columns' base out of the shadow (`pruneShadow`); the push moves the
 * shadow of what it sent itself (push.ts applySuccess).
 */
export async function closeEntries(db: Db, ids: readonly number[], status: 'pushed' | 'superseded' | 'skipped' | 'redirected' | 'linked', note: string | null, sfid?: string | null): Promise<void> {
  if (ids.length === 0) return;
  const { rows } = await db.query<{ object: string; row_id: string }>(
    `UPDATE tandem.outbox SET status = $2, note = COALESCE($3, note), done_at = now(), sfid = COALESCE(sfid, $4)
      WHERE id = ANY($1::bigint[]) RETURNING object, row_id`,
    [ids, status, note, sfid ?? null],
  );
  if (status === 'pushed') return;
  const byObject = new Map<string, Set<number>>();
  for (const r of rows) (byObject.get(r.object) ?? byObject.set(r.object, new Set()).get(r.object)!).add(Number(r.row_id));
  for (const [object, rowIds] of byObject) await pruneShadow(db, object, [...rowIds]);
}

/** Records a transient failure: the entries stay pending for the next cycle. */
export async function retryEntries(db: Db, ids: readonly number[], error: string): Promise<void> {
  if (ids.length === 0) return;
  await db.query(`UPDATE tandem.outbox SET status = 'pending', last_error = $2 WHERE id = ANY($1::bigint[])`, [ids, error]);
}

/**
 * Counts one send of the entries, committed before the Salesforce call: a retried insert whose first
 * attempt's outcome was lost (attempts > 0, still open) knows to look for the record first.
 */
export async function markAttempt(db: Db, ids: readonly number[]): Promise<void> {
  if (ids.length === 0) return;
  await db.query(`UPDATE tandem.outbox SET attempts = attempts + 1 WHERE id = ANY($1::bigint[])`, [ids]);
}

/** Removes columns from open entries of a row (Salesforce won them, or they are never pushed); empty updates are closed. */
export async function dropColumns(db: Db, object: string, rowId: number, columns: readonly string[], note: string): Promise<void> {
  if (columns.length === 0) return;
  await db.query(
    `UPDATE tandem.outbox SET changed = changed - $3::text[],
            status = CASE WHEN operation = 'update' AND (changed - $3::text[]) = '{}'::jsonb THEN 'superseded' ELSE status END,
            done_at = CASE WHEN operation = 'update' AND (changed - $3::text[]) = '{}'::jsonb THEN now() ELSE done_at END,
            note = CASE WHEN operation = 'update' AND (changed - $3::text[]) = '{}'::jsonb THEN $4 ELSE note END
      WHERE object = $1 AND row_id = $2 AND status IN ('pending', 'failed') AND changed ?| $3::text[]`,
    [object, rowId, columns, note],
  );
  await pruneShadow(db, object, [rowId]);
}

/**
 * Keeps in the rows' shadows only the columns still pending (in an open entry), and removes shadows
 * left empty. The capture trigger keeps a column's base while the column has one (only the first
 * change of a pending column records it), so a base left behind by a change that never reached
 * Salesforce (never-push, superseded, redirected) would be taken as the base of the column's next
 * change: a stale value both sides no longer agree on, which makes an unrelated Salesforce edit look
 * like a same-field conflict.
 */
export async function pruneShadow(db: Db, object: string, rowIds: readonly number[]): Promise<void> {
  if (rowIds.length === 0) return;
  await db.query(
    `UPDATE tandem.shadow s SET base = COALESCE(
            (SELECT jsonb_object_agg(b.key, b.value) FROM jsonb_each(s.base) b
              WHERE EXISTS (SELECT 1 FROM tandem.outbox o
                             WHERE o.object = s.object AND o.row_id = s.row_id AND o.status IN ('pending', 'failed') AND o.changed ? b.key)),
            '{}'::jsonb), updated_at = now()
      WHERE s.object = $1 AND s.row_id = ANY($2::bigint[])`,
    [object, rowIds],
  );
  await db.query(`DELETE FROM tandem.shadow WHERE object = $1 AND row_id = ANY($2::bigint[]) AND base = '{}'::jsonb`, [object, rowIds]);
}

/** Reads the shadow (base values) of rows. */
export async function readShadow(db: Db, object: string, rowIds: readonly number[]): Promise<Map<number, Record<string, unknown>>> {
  if (rowIds.length === 0) return new Map();
  const { rows } = await db.query<{ row_id: string; base: Record<string, unknown> }>(
    `SELECT row_id, base FROM tandem.shadow WHERE object = $1 AND row_id = ANY($2::bigint[])`,
    [object, rowIds],
  );
  return new Map(rows.map((r) => [Number(r.row_id), r.base]));
}

/** Replaces a row's shadow; an empty base removes it (nothing pending: the row itself is the agreed state). */
export async function saveShadow(db: Db, object: string, rowId: number, base: Record<string, unknown>): Promise<void> {
  if (Object.keys(base).length === 0) {
    await db.query(`DELETE FROM tandem.shadow WHERE object = $1 AND row_id = $2`, [object, rowId]);
    return;
  }
  await db.query(
    `INSERT INTO tandem.shadow (object, row_id, base) VALUES ($1, $2, $3::jsonb)
     ON CONFLICT (object, row_id) DO UPDATE SET base = EXCLUDED.base, updated_at = now()`,
    [object, rowId, JSON.stringify(base)],
  );
}

/** One permanent push failure. */
export interface SyncErrorInput {
  object: string;
  rowId: number;
  sfid: string | null;
  operation: string;
  code: string;
  message: string;
  fields: readonly string[];
}

/** Records (or refreshes) the row's open sync error, marks its entries failed and the row with the error. */
export async function recordSyncError(db: Db, schema: string, table: string, entryIds: readonly number[], error: SyncErrorInput): Promise<void> {
  await db.query(
    `INSERT INTO tandem.sync_error (object, row_id, sfid, operation, code, message, fields)
     VALUES ($1, $2, $3, $4, $5, $6, $7::text[])
     ON CONFLICT (object, row_id) WHERE resolved_at IS NULL DO UPDATE SET
       sfid = COALESCE(EXCLUDED.sfid, tandem.sync_error.sfid), operation = EXCLUDED.operation, code = EXCLUDED.code,
       message = EXCLUDED.message, fields = EXCLUDED.fields, last_seen = now(), attempts = tandem.sync_error.attempts + 1`,
    [error.object, error.rowId, error.sfid, error.operation, error.code, error.message, error.fields],
  );
  await db.query(
    `UPDATE tandem.outbox SET status = 'failed', last_error = $2 WHERE id = ANY($1::bigint[])`,
    [entryIds, `${error.code}: ${error.message}`],
  );
  await db.query(`UPDATE ${qualifiedName(schema, table)} SET ${quoteIdentifier(PUSH_COLUMNS.error)} = $2 WHERE id = $1`, [
    error.rowId,
    `${error.code}: ${error.message}`,
  ]);
}

/** Resolves the row's open sync error (it synced, or its change was superseded) and clears the row's mark. */
export async function resolveSyncError(db: Db, schema: string, table: string, object: string, rowId: number, resolution: string): Promise<void> {
  const { rowCount } = await db.query(
    `UPDATE tandem.sync_error SET resolved_at = now(), resolution = $3 WHERE object = $1 AND row_id = $2 AND resolved_at IS NULL`,
    [object, rowId, resolution],
  );
  if (rowCount) {
    await db.query(`UPDATE ${qualifiedName(schema, table)} SET ${quoteIdentifier(PUSH_COLUMNS.error)} = NULL WHERE id = $1`, [rowId]);
  }
}

/** Re-drives every failed entry of `object` (on resync): they are pushed again next cycle. Returns how many. */
export async function redriveFailed(db: Db, object: string): Promise<number> {
  const { rowCount } = await db.query(`UPDATE tandem.outbox SET status = 'pending', note = 're-driven by resync' WHERE object = $1 AND status = 'failed'`, [object]);
  return rowCount ?? 0;
}

/** One conflict as logged. */
export interface ConflictLogInput {
  object: string;
  rowId: number;
  sfid: string | null;
  field: string;
  base: unknown;
  marketing: unknown;
  salesforce: unknown;
  winner: 'salesforce' | 'marketing';
  rule: string;
  marketingChangedAt: Date | null;
  salesforceChangedAt: Date | null;
}

/** Appends conflicts to `tandem.conflict_log`. */
export async function logConflicts(db: Db, conflicts: readonly ConflictLogInput[]): Promise<void> {
  if (conflicts.length === 0) return;
  await db.query(
    `INSERT INTO tandem.conflict_log (object, row_id, sfid, field, base_value, marketing_value, salesforce_value, winner, rule, marketing_changed_at, salesforce_changed_at)
     SELECT x.object, x.row_id, x.sfid, x.field, x.base_value, x.marketing_value, x.salesforce_value, x.winner, x.rule, x.marketing_changed_at, x.salesforce_changed_at
       FROM jsonb_to_recordset($1::jsonb) AS x(object text, row_id bigint, sfid text, field text, base_value jsonb, marketing_value jsonb,
            salesforce_value jsonb, winner text, rule text, marketing_changed_at timestamptz, salesforce_changed_at timestamptz)`,
    [
      JSON.stringify(
        conflicts.map((c) => ({
          object: c.object,
          row_id: c.rowId,
          sfid: c.sfid,
          field: c.field,
          base_value: c.base ?? null,
          marketing_value: c.marketing ?? null,
          salesforce_value: c.salesforce ?? null,
          winner: c.winner,
          rule: c.rule,
          marketing_changed_at: c.marketingChangedAt,
          salesforce_changed_at: c.salesforceChangedAt,
        })),
      ),
    ],
  );
}

/** Backlog of one object: rows with pending changes and the age of the oldest. */
export async function backlogOf(db: Db, object: string, now: Date): Promise<{ rows: number; oldestSeconds: number | null }> {
  const { rows } = await db.query<{ rows: string; oldest: Date | null }>(
    `SELECT count(DISTINCT row_id) AS rows, min(captured_at) AS oldest FROM tandem.outbox WHERE object = $1 AND status = 'pending'`,
    [object],
  );
  const oldest = rows[0]?.oldest ?? null;
  return { rows: Number(rows[0]?.rows ?? 0), oldestSeconds: oldest ? Math.max(0, Math.round((now.getTime() - oldest.getTime()) / 1000)) : null };
}

/** Open (unresolved) sync errors of one object. */
export async function openErrorCount(db: Db, object: string): Promise<number> {
  const { rows } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM tandem.sync_error WHERE object = $1 AND resolved_at IS NULL`, [object]);
  return Number(rows[0]?.n ?? 0);
}
