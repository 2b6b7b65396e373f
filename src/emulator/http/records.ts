// JSON shapes of records and write results shared by the REST routes.
import { SalesforceError, type RecordError } from '../errors';
import type { FieldDef, ObjectDef, Row } from '../schema';
import { readField, type OrgStore, type SaveResult } from '../store/org-store';
import type { OrgUser } from '../users';
import { toJsonValue } from '../values';

/** Resolves a `fields=a,b` list (or all visible fields) for `user`; unknown or hidden names are INVALID_FIELD. */
export function selectFields(store: OrgStore, user: OrgUser, def: ObjectDef, names: string[] | undefined): FieldDef[] {
  if (!names || names.length === 0) return store.visibleFields(user, def);
  return names.map((n) => {
    const f = def.fieldMap.get(n.trim().toLowerCase());
    if (!f || !store.fieldVisible(user, def, f)) {
      throw new SalesforceError(400, 'INVALID_FIELD', `No such column '${n.trim()}' on sobject of type ${def.name}`);
    }
    return f;
  });
}

/** A record as `GET /sobjects/T/id` returns it. */
export function recordJson(
  store: OrgStore,
  def: ObjectDef,
  row: Row,
  fields: FieldDef[],
  version: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    attributes: { type: def.name, url: `/services/data/v${version}/sobjects/${def.name}/${String(row[0])}` },
  };
  for (const f of fields) out[f.name] = toJsonValue(f, readField(f, row, store));
  // Salesforce always sends the Id, also when a `fields` list leaves it out.
  if (!('Id' in out)) out.Id = row[0];
  return out;
}

/** A per-record error as collections send it (`statusCode`, plus e.g. `duplicateResult`). */
export function recordErrorJson(e: RecordError): Record<string, unknown> {
  return { ...(e.extra ?? {}), statusCode: e.statusCode, message: e.message, fields: e.fields };
}

/** A SaveResult as collections send it. */
export function saveResultJson(r: SaveResult, withCreated: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { id: r.id, success: r.success, errors: r.errors.map(recordErrorJson) };
  if (withCreated) out.created = r.created ?? false;
  return out;
}

/** Turns a failed single-record SaveResult into the REST error Salesforce answers with. */
export function singleCallError(r: SaveResult): SalesforceError & { body?: unknown } {
  const first = r.errors[0];
  const status =
    first.statusCode === 'ENTITY_IS_DELETED' ? 404 : first.statusCode === 'INSUFFICIENT_ACCESS_OR_READONLY' ? 403 : 400;
  const err = new SalesforceError(status, first.statusCode, first.message, first.fields);
  const body = r.errors.map((e) => ({
    ...(e.extra ?? {}),
    message: e.message,
    errorCode: e.statusCode,
    fields: e.fields,
  }));
  return Object.assign(err, { toBody: () => body });
}
