/**
 * Which synced record an operator means (`tandem why`): a Salesforce id or an email. Read-only.
 */
import type pg from 'pg';
import { STANDARD_OBJECTS, objectOfId } from '../objects';
import { qualifiedName } from './identifiers';
import { readObjectState } from './state';

/** The two-way objects, recognised by the key prefix of their ids (objects/<object>.ts `keyPrefix`). */
const TWO_WAY_OBJECTS = STANDARD_OBJECTS.filter((o) => o.direction === 'two-way');

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
    const object = objectOfId(TWO_WAY_OBJECTS, trimmed)?.name;
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
