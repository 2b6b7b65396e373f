/**
 * Which synced record an operator means (`tandem why`): a Salesforce id or an email. Read-only.
 */
import type pg from 'pg';
import { qualifiedName } from './identifiers';
import { readObjectState } from './state';

/** Two-way objects by the key prefix of their Salesforce ids (https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/field_types.htm: the first three characters of an id name its object). */
const OBJECT_BY_PREFIX: Record<string, string> = { '00Q': 'Lead', '003': 'Contact', '701': 'Campaign', '00v': 'CampaignMember' };

/** A record an operator asked about: its object and the key `recordStory` takes (row id or sfid). */
export interface RecordRef {
  object: string;
  key: string;
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
