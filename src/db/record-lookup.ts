/**
 * Finding records and conflicts for operators (`tandem why`, `tandem conflicts`): which synced row an
 * id or email means, and the conflict log. Read-only.
 */
import type pg from 'pg';
import { qualifiedName } from './identifiers';
import { readObjectState } from './state';

/** Two-way objects by the key prefix of their Salesforce ids (salesforce-api.md §4). */
const OBJECT_BY_PREFIX: Record<string, string> = { '00Q': 'Lead', '003': 'Contact', '701': 'Campaign', '00v': 'CampaignMember' };

/** A record an operator asked about: its object and the key `recordStory` takes (row id or sfid). */
export interface RecordRef {
  object: string;
  key: string;
}

/** One logged conflict. */
export interface ConflictRow {
  object: string;
  rowId: number;
  sfid: string | null;
  field: string;
  base: unknown;
  marketing: unknown;
  salesforce: unknown;
  winner: string;
  rule: string;
  loggedAt: Date;
}

/**
 * The records a key names: a Salesforce id (15 or 18 characters) of a two-way object, or an email
 * address, matched case-insensitively against leads and contacts. Empty when nothing matches.
 */
export async function findRecords(db: pg.Pool, schema: string, key: string): Promise<RecordRef[]> {
  const trimmed = key.trim();
  if (/^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/.test(trimmed)) {
    const object = OBJECT_BY_PREFIX[trimmed.slice(0, 3)];
    return object ? [{ object, key: trimmed }] : [];
  }
  if (!trimmed.includes('@')) return [];
  const refs: RecordRef[] = [];
  for (const object of ['Lead', 'Contact']) {
    const state = await readObjectState(db, object);
    if (!state) continue;
    const { rows } = await db.query<{ id: string }>(
      `SELECT id FROM ${qualifiedName(schema, state.tableName)} WHERE lower(email) = lower($1) ORDER BY id`,
      [trimmed],
    );
    refs.push(...rows.map((r) => ({ object, key: String(r.id) })));
  }
  return refs;
}

/** Logged conflicts, newest first, optionally of one object. */
export async function listConflicts(db: pg.Pool, options: { object?: string; limit?: number } = {}): Promise<ConflictRow[]> {
  const { rows } = await db.query(
    `SELECT * FROM tandem.conflict_log WHERE ($1::text IS NULL OR object = $1) ORDER BY logged_at DESC, id DESC LIMIT $2`,
    [options.object ?? null, options.limit ?? 100],
  );
  return rows.map((c) => ({
    object: c.object,
    rowId: Number(c.row_id),
    sfid: c.sfid,
    field: c.field,
    base: c.base_value,
    marketing: c.marketing_value,
    salesforce: c.salesforce_value,
    winner: c.winner,
    rule: c.rule,
    loggedAt: c.logged_at,
  }));
}
