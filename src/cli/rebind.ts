/**
 * `tandem rebind`: binds a data schema to another Salesforce org on purpose (after a sandbox refresh,
 * or when the org behind the credentials really changed). Without `--confirm` it only shows what a
 * re-binding would do; with `--confirm <new org id>` it does exactly that. Planning reads PostgreSQL;
 * the formatting is pure.
 */
import type pg from 'pg';
import {
  countPendingChanges,
  countSyncedRows,
  readOrgBinding,
  rebindOrg,
  type PendingChanges,
  type TableRows,
} from '../db/org-binding';
import { withTransaction } from '../db/pool';
import { describeOrg, sameOrgId, type OrgBinding, type OrgIdentity } from '../sync/org-identity';

/** What a re-binding of `schema` from `bound` to `connected` will do. */
export interface RebindPlan {
  schema: string;
  bound: OrgBinding;
  connected: OrgIdentity;
  /** Every synced table: copied again in full from the new org. */
  tables: TableRows[];
  /** Marketing-side changes not yet pushed: kept, and pushed to the new org once its copy is done. */
  pending: PendingChanges[];
  deletePolicy: 'soft' | 'hard';
}

/** Why `rebind` cannot go on, in one line for the operator. */
export class RebindRefusedError extends Error {
  override readonly name = 'RebindRefusedError';
}

/** Reads what a re-binding to `connected` would touch; refuses when there is nothing to re-bind. */
export async function planRebind(
  db: pg.Pool,
  schema: string,
  connected: OrgIdentity,
  deletePolicy: 'soft' | 'hard',
): Promise<RebindPlan> {
  const bound = await readOrgBinding(db, schema);
  if (!bound)
    throw new RebindRefusedError(
      `schema "${schema}" is not bound to any org yet: its first sync binds it to the org the credentials reach`,
    );
  if (sameOrgId(bound.orgId, connected.orgId)) {
    throw new RebindRefusedError(
      `schema "${schema}" is already bound to org ${describeOrg(bound)}, the org the credentials reach: nothing to re-bind`,
    );
  }
  return {
    schema,
    bound,
    connected,
    tables: await countSyncedRows(db, schema),
    pending: await countPendingChanges(db),
    deletePolicy,
  };
}

/** The plan as the operator reads it, ending with the exact command that carries it out. */
export function formatRebindPlan(plan: RebindPlan): string {
  const rows = plan.tables.reduce((sum, t) => sum + t.rows, 0);
  const linked = plan.tables.reduce((sum, t) => sum + t.linked, 0);
  const inserts = plan.pending.reduce((sum, p) => sum + p.inserts, 0);
  const linkedChanges = plan.pending.reduce((sum, p) => sum + p.linkedChanges, 0);
  const retire =
    plan.deletePolicy === 'soft'
      ? "marked deleted (isdeleted = true, rows kept) and let go of the old org's ids (sfid emptied: the new org may hand out the same ids)"
      : 'removed (sync.deletePolicy is hard)';
  const lines = [
    `Schema "${plan.schema}" is bound to Salesforce org ${describeOrg(plan.bound)} since ${plan.bound.boundAt}.`,
    `The credentials log into org ${describeOrg(plan.connected)}.`,
    '',
    `Re-binding the schema to ${plan.connected.orgId} will:`,
    `  1. copy every synced object again in full from the new org (${plan.tables.length} tables, ${rows} rows now, ${linked} of them linked to records of the old org):`,
    ...plan.tables.map((t) => `       ${t.table}: ${t.rows} rows, ${t.linked} linked`),
    `     rows of records the new org has are overwritten with its values; rows linked to records it does not have are ${retire} when the copy completes;`,
    `     marketing-only rows (no Salesforce id) are left as they are.`,
    inserts + linkedChanges === 0
      ? '  2. no marketing-side changes are pending: nothing to push.'
      : `  2. keep all ${inserts + linkedChanges} pending marketing-side changes and push them to the new org after its copy (none is dropped):`,
    ...plan.pending.map(
      (p) =>
        `       ${p.object}: ${p.inserts} new rows (created in the new org), ${p.linkedChanges} changes to linked records (sent to the same record id; where the new org has no such record, Salesforce refuses them and each becomes a sync error: \`tandem errors --object ${p.object}\`)`,
    ),
    `  3. forget the old org's API usage; record the re-binding in tandem.org_rebind_log.`,
    '',
    `Nothing has changed yet. To do it: tandem rebind --confirm ${plan.connected.orgId}`,
  ];
  return lines.join('\n');
}

/** What `rebind --confirm` did. */
export interface RebindResult {
  schema: string;
  from: string;
  to: string;
  objectsRecopied: string[];
  pendingKept: number;
}

/**
 * Carries out `plan` when `confirm` names its new org (the operator typed the id they saw). The
 * binding, the copy flags and the log change in one transaction.
 */
export async function applyRebind(db: pg.Pool, plan: RebindPlan, confirm: string): Promise<RebindResult> {
  if (!sameOrgId(confirm, plan.connected.orgId)) {
    throw new RebindRefusedError(
      `--confirm ${confirm} does not name the org the credentials reach (${plan.connected.orgId}); nothing changed`,
    );
  }
  const done = await withTransaction(db, (client) => rebindOrg(client, plan.schema, plan.bound, plan.connected));
  return {
    schema: plan.schema,
    from: plan.bound.orgId,
    to: plan.connected.orgId,
    objectsRecopied: done.objects,
    pendingKept: done.pendingKept,
  };
}

/** One paragraph saying what `applyRebind` did and what happens next. */
export function formatRebindResult(result: RebindResult): string {
  return [
    `Schema "${result.schema}" is now bound to org ${result.to} (was ${result.from}).`,
    `Full copies from the new org start with the next cycle: ${result.objectsRecopied.join(', ') || '(no object was synced yet)'}.`,
    `${result.pendingKept} pending marketing-side changes were kept; they are pushed to the new org after its copy.`,
  ].join('\n');
}
