/** `tandem.conflict_log`: every same-field conflict and how it was decided. */
import type pg from 'pg';

type Db = pg.Pool | pg.PoolClient;

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
