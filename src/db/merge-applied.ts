/**
 * `tandem.merge_applied`: the Salesforce merges already folded into the marketing rows (the loser's
 * local-only values copied into its master's blanks), so each is folded once.
 */
import type pg from 'pg';
import { qualifiedName } from './identifiers';

type Db = pg.Pool | pg.PoolClient;

/** A merge loser: its local row, its id and its master's id. */
export interface MergeLoser {
  rowId: number;
  sfid: string;
  masterSfid: string;
}

/** The merge losers of one table (deleted rows with a MasterRecordId) not folded yet. */
export async function unfoldedMergeLosers(
  db: Db,
  schema: string,
  table: string,
  object: string,
): Promise<MergeLoser[]> {
  const { rows } = await db.query<{ id: string; sfid: string; masterrecordid: string }>(
    `SELECT t.id, t.sfid, t.masterrecordid FROM ${qualifiedName(schema, table)} t
      WHERE t.isdeleted AND t.masterrecordid IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM tandem.merge_applied m WHERE m.object = $1 AND m.loser_sfid = t.sfid)`,
    [object],
  );
  return rows.map((r) => ({ rowId: Number(r.id), sfid: r.sfid, masterSfid: r.masterrecordid }));
}

/** Records the merge of `loser` into `master` as folded. */
export async function recordMergeFolded(db: Db, object: string, loserSfid: string, masterSfid: string): Promise<void> {
  await db.query(
    `INSERT INTO tandem.merge_applied (object, loser_sfid, master_sfid) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
    [object, loserSfid, masterSfid],
  );
}
