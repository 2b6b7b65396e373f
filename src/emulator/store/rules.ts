// The org's automation and customisations, per object: what an admin would have configured
// (a validation rule, the standard Lead duplicate rule) and what the platform itself does on
// save (campaign member status and HasResponded, default stage probability, converted-lead
// lock, default campaign member statuses on a new campaign).
import { RecordWriteError, recordError } from '../errors';
import { DEFAULT_CAMPAIGN_STATUSES, OPPORTUNITY_STAGES, type FieldDef, type ObjectDef, type Row } from '../schema';
import { dayOf } from '../values';
import type { Table } from './table';
import type { RecordWriter } from './writes';

function fail(statusCode: string, message: string, fields: string[] = []): never {
  throw new RecordWriteError([recordError(statusCode, message, fields)]);
}

function slot(def: ObjectDef, name: string): number {
  return def.fieldMap.get(name.toLowerCase())!.slot;
}

/** Platform behaviour applied before the generic checks of a create (`old` undefined) or update. */
export function beforeSave(
  w: RecordWriter,
  def: ObjectDef,
  row: Row,
  old: Row | undefined,
  changed: Set<FieldDef>,
): void {
  switch (def.name) {
    case 'Lead':
      // A converted lead is read-only (https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_convertlead.htm).
      if (old && old[slot(def, 'IsConverted')] === true)
        fail('CANNOT_UPDATE_CONVERTED_LEAD', 'cannot reference converted lead');
      return;
    case 'Opportunity': {
      const stage = def.fieldMap.get('stagename')!;
      const probability = def.fieldMap.get('probability')!;
      if (changed.has(stage) && !changed.has(probability)) {
        const hit = OPPORTUNITY_STAGES.find(([s]) => s === row[stage.slot]);
        if (hit) row[probability.slot] = hit[1];
      }
      return;
    }
    case 'CampaignMember':
      campaignMemberStatus(w, def, row, old, changed);
      return;
  }
}

// A member's Status must be one of its campaign's CampaignMemberStatus labels (the default
// one when left out); HasResponded mirrors that status and FirstRespondedDate records the
// first responded status (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_campaignmemberstatus.htm).
function campaignMemberStatus(
  w: RecordWriter,
  def: ObjectDef,
  row: Row,
  old: Row | undefined,
  changed: Set<FieldDef>,
): void {
  const campaignId = row[slot(def, 'CampaignId')];
  const lead = row[slot(def, 'LeadId')];
  const contact = row[slot(def, 'ContactId')];
  if (lead === null && contact === null)
    fail('REQUIRED_FIELD_MISSING', 'Required fields are missing: [LeadId, ContactId]', ['LeadId', 'ContactId']);
  if (typeof campaignId !== 'string') return;
  const statuses = campaignStatuses(w, campaignId);
  const statusSlot = slot(def, 'Status');
  if (row[statusSlot] === null) {
    row[statusSlot] = statuses.find((s) => s.isDefault)?.label ?? statuses[0]?.label ?? null;
  } else if (changed.has(def.fieldMap.get('status')!) && !statuses.some((s) => s.label === row[statusSlot])) {
    fail(
      'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
      `Status: bad value for restricted picklist field: ${String(row[statusSlot])}`,
      ['Status'],
    );
  }
  const responded = statuses.find((s) => s.label === row[statusSlot])?.hasResponded ?? false;
  row[slot(def, 'HasResponded')] = responded;
  const firstSlot = slot(def, 'FirstRespondedDate');
  if (responded && row[firstSlot] === null) row[firstSlot] = dayOf(w.now);
  if (!old) {
    const members = w.store.table('CampaignMember');
    const personField = contact !== null ? 'ContactId' : 'LeadId';
    const person = contact ?? lead;
    const dupe = members.children(slot(def, 'CampaignId'), campaignId).some((id) => {
      const m = members.rows.get(id)!;
      return !members.isDeleted(m) && m[slot(def, personField)] === person;
    });
    if (dupe) fail('DUPLICATE_VALUE', 'Already a campaign member.', [personField]);
  }
}

/** The live CampaignMemberStatus rows of a campaign, by sort order. */
export function campaignStatuses(
  w: RecordWriter,
  campaignId: string,
): Array<{ label: string; isDefault: boolean; hasResponded: boolean }> {
  const t = w.store.table('CampaignMemberStatus');
  const d = t.def;
  return t
    .children(slot(d, 'CampaignId'), campaignId)
    .map((id) => t.rows.get(id)!)
    .filter((r) => !t.isDeleted(r))
    .sort((a, b) => ((a[slot(d, 'SortOrder')] as number) ?? 0) - ((b[slot(d, 'SortOrder')] as number) ?? 0))
    .map((r) => ({
      label: r[slot(d, 'Label')] as string,
      isDefault: r[slot(d, 'IsDefault')] === true,
      hasResponded: r[slot(d, 'HasResponded')] === true,
    }));
}

/** Platform behaviour after a create: a new campaign gets its default member statuses. */
export function afterInsert(w: RecordWriter, def: ObjectDef, id: string): void {
  if (def.name !== 'Campaign') return;
  const statusDef = w.store.schema.object('CampaignMemberStatus')!;
  DEFAULT_CAMPAIGN_STATUSES.forEach((s, i) =>
    w.systemInsert(statusDef, {
      CampaignId: id,
      Label: s.label,
      IsDefault: s.isDefault,
      HasResponded: s.hasResponded,
      SortOrder: i + 1,
    }),
  );
}

/**
 * The org's validation rules (FIELD_CUSTOM_VALIDATION_EXCEPTION):
 * - Lead `Worked_Lead_Needs_Contact_Info`: a lead in "Working - Contacted" needs an email or phone.
 * - Opportunity `Amount_Not_Negative`: Amount cannot be negative (shown on the Amount field).
 */
export function validationRules(w: RecordWriter, def: ObjectDef, row: Row, _old: Row | undefined): void {
  if (def.name === 'Lead') {
    if (
      row[slot(def, 'Status')] === 'Working - Contacted' &&
      row[slot(def, 'Email')] === null &&
      row[slot(def, 'Phone')] === null
    ) {
      fail('FIELD_CUSTOM_VALIDATION_EXCEPTION', 'A lead being worked needs an email address or a phone number.');
    }
  } else if (def.name === 'Opportunity') {
    const amount = row[slot(def, 'Amount')];
    if (typeof amount === 'number' && amount < 0)
      fail('FIELD_CUSTOM_VALIDATION_EXCEPTION', 'Amount cannot be negative.', ['Amount']);
  }
}

/**
 * The standard Lead duplicate rule: blocks saving a lead whose email matches another live
 * lead's (DUPLICATES_DETECTED with a duplicateResult), unless the request sent
 * `Sforce-Duplicate-Rule-Header: allowSave=true`.
 */
export function duplicateRule(w: RecordWriter, table: Table, id: string, row: Row, old: Row | undefined): void {
  if (table.def.name !== 'Lead') return;
  const emailSlot = slot(table.def, 'Email');
  const email = row[emailSlot];
  if (typeof email !== 'string' || (old && old[emailSlot] === email)) return;
  const matches = table.lookup(emailSlot, email).filter((other) => other !== id);
  if (matches.length === 0) return;
  const message = 'Use one of these records?';
  throw new RecordWriteError([
    {
      statusCode: 'DUPLICATES_DETECTED',
      message,
      fields: [],
      extra: {
        duplicateResult: {
          allowSave: true,
          duplicateRule: 'Standard_Rule_for_Leads_with_Duplicate_Leads',
          duplicateRuleEntityType: 'Lead',
          errorMessage: message,
          matchResults: [
            {
              entityType: 'Lead',
              errors: [],
              matchEngine: 'FuzzyMatchEngine',
              matchRecords: matches.map((m) => ({
                additionalInformation: [],
                fieldDiffs: [],
                matchConfidence: 100,
                record: { attributes: { type: 'Lead', url: `/services/data/v62.0/sobjects/Lead/${m}` }, Id: m },
              })),
              rule: 'Standard_Lead_Match_Rule_v1_0',
              size: matches.length,
              success: true,
            },
          ],
        },
      },
    },
  ]);
}
