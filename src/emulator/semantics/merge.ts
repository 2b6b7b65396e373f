// SOAP `merge` for Lead, Contact and Account (https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_merge.htm): the master takes the
// field values sent with it, every child of each loser is re-parented to the master (which
// bumps the child's SystemModstamp), and each loser goes to the recycle bin with
// MasterRecordId set, so queryAll shows it merged away.
import { RecordWriteError, recordError } from '../errors';
import { normalizeId } from '../ids';
import type { OrgStore } from '../store/org-store';
import type { RecordWriter } from '../store/writes';
import type { OrgUser } from '../users';
import { asArray, soapErrors, soapRecordValues } from '../http/soap-operations';

/** Salesforce merges at most three records: a master and two others. */
const MAX_MERGED = 2;

function fail(statusCode: string, message: string): never {
  throw new RecordWriteError([recordError(statusCode, message)]);
}

/** Runs each MergeRequest in its own transaction and returns MergeResults. */
export function mergeRecords(
  store: OrgStore,
  user: OrgUser,
  requests: Array<Record<string, unknown>>,
): Array<Record<string, unknown>> {
  return requests.map((req) => {
    try {
      return store.withWriter(user, {}, (w) => mergeOne(w, req));
    } catch (err) {
      if (!(err instanceof RecordWriteError)) throw err;
      return { errors: soapErrors(err.errors), id: null, mergedRecordIds: [], success: false, updatedRelatedIds: [] };
    }
  });
}

function mergeOne(w: RecordWriter, req: Record<string, unknown>): Record<string, unknown> {
  const master = (req.masterRecord ?? {}) as Record<string, unknown>;
  const type = String(master.type ?? '');
  const def = w.store.schema.object(type);
  if (!def) fail('INVALID_TYPE', `sObject type '${type}' is not supported.`);
  if (!def.mergeable) fail('INVALID_OPERATION', `merge is not supported for ${def.name}`);
  const values = soapRecordValues(def, master);
  const idKey = Object.keys(values).find((k) => k.toLowerCase() === 'id');
  const masterId = normalizeId(idKey ? values[idKey] : undefined);
  if (idKey) delete values[idKey];
  if (!masterId) fail('MALFORMED_ID', 'masterRecord must carry a valid Id');
  const loserIds = asArray<string>(req.recordToMergeIds).map((raw) => {
    const id = normalizeId(raw);
    if (!id) fail('MALFORMED_ID', `malformed id ${String(raw)}`);
    return id;
  });
  if (loserIds.length === 0 || loserIds.length > MAX_MERGED)
    fail('INVALID_OPERATION', 'A merge request must name one or two records to merge');
  if (loserIds.includes(masterId)) fail('INVALID_OPERATION', 'Cannot merge a record with itself');
  w.existing(masterId, def.name);
  for (const id of loserIds) w.existing(id, def.name);
  if (Object.keys(values).length > 0) w.update(masterId, values, def.name);

  const updatedRelated = new Set<string>();
  for (const loserId of loserIds) {
    for (const rel of def.childRelationships) {
      const childTable = w.store.table(rel.childSObject);
      const field = childTable.def.fieldMap.get(rel.field.toLowerCase())!;
      for (const childId of childTable.children(field.slot, loserId)) {
        const child = childTable.rows.get(childId)!;
        if (childTable.isDeleted(child)) continue;
        if (
          childTable.def.name === 'CampaignMember' &&
          alreadyMember(w, childTable.def.name, child, field.name, masterId)
        ) {
          // The master is already in that campaign: Salesforce keeps the master's membership.
          w.delete(childId);
        } else {
          w.systemUpdate(childTable, childId, { [field.name]: masterId });
        }
        updatedRelated.add(childId);
      }
    }
    const loserTable = w.store.table(def.name);
    w.systemUpdate(loserTable, loserId, { MasterRecordId: masterId });
    w.delete(loserId, def.name);
  }
  return { errors: [], id: masterId, mergedRecordIds: loserIds, success: true, updatedRelatedIds: [...updatedRelated] };
}

function alreadyMember(
  w: RecordWriter,
  memberObject: string,
  member: unknown[],
  personField: string,
  masterId: string,
): boolean {
  const table = w.store.table(memberObject);
  const def = table.def;
  const campaignSlot = def.fieldMap.get('campaignid')!.slot;
  const personSlot = def.fieldMap.get(personField.toLowerCase())!.slot;
  return table.children(personSlot, masterId).some((id) => {
    const row = table.rows.get(id)!;
    return !table.isDeleted(row) && row[campaignSlot] === member[campaignSlot];
  });
}
