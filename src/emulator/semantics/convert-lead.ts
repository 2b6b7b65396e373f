// SOAP `convertLead` (https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_convertlead.htm): creates or matches the Account, Contact and
// (unless doNotCreateOpportunity) Opportunity with a primary contact role, moves the lead's
// campaign memberships and activities to the contact, and marks the lead converted
// (IsConverted, ConvertedDate, Converted*Id, converted Status) — after which it is read-only.
import { RecordWriteError, recordError } from '../errors';
import { normalizeId } from '../ids';
import { LEAD_STATUSES } from '../schema';
import type { OrgStore } from '../store/org-store';
import type { RecordWriter } from '../store/writes';
import type { OrgUser } from '../users';
import { dayOf, formatDate } from '../values';
import { soapErrors } from '../http/soap-operations';

/** Lead statuses that count as converted (the Lead Status picklist's "Converted" entries). */
const CONVERTED_STATUSES = new Set(
  LEAD_STATUSES.filter((s) => s.includes('Converted') && !s.includes('Not Converted')),
);
/** New opportunities close 30 days after conversion unless edited. */
const NEW_OPPORTUNITY_CLOSE_DAYS = 30;

function fail(statusCode: string, message: string, fields: string[] = []): never {
  throw new RecordWriteError([recordError(statusCode, message, fields)]);
}

/** Runs each LeadConvert in its own transaction and returns LeadConvertResults. */
export function convertLeads(
  store: OrgStore,
  user: OrgUser,
  converts: Array<Record<string, unknown>>,
): Array<Record<string, unknown>> {
  return converts.map((c) => {
    try {
      return store.withWriter(user, {}, (w) => convertOne(w, c));
    } catch (err) {
      if (!(err instanceof RecordWriteError)) throw err;
      return {
        accountId: null,
        contactId: null,
        errors: soapErrors(err.errors),
        leadId: normalizeId(c.leadId) ?? null,
        opportunityId: null,
        success: false,
      };
    }
  });
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

function convertOne(w: RecordWriter, c: Record<string, unknown>): Record<string, unknown> {
  const store = w.store;
  const { table: leads, id: leadId, row: lead } = w.existing(String(c.leadId ?? ''), 'Lead');
  const read = (field: string) => store.read('Lead', lead, field);
  if (read('IsConverted') === true) fail('CANNOT_UPDATE_CONVERTED_LEAD', 'cannot reference converted lead');
  const status = text(c.convertedStatus);
  if (!status || !CONVERTED_STATUSES.has(status))
    fail('INVALID_STATUS', `invalid convertedStatus: ${status ?? ''}`, ['convertedStatus']);

  const requestedOwner = normalizeId(text(c.ownerId));
  const leadOwner = read('OwnerId') as string;
  // Accounts, contacts and opportunities must be owned by users, not queues.
  const ownerId = requestedOwner ?? (leadOwner.startsWith('005') ? leadOwner : w.user.id);
  const visible = (object: string, values: Record<string, unknown>) => {
    const def = store.schema.object(object)!;
    return Object.fromEntries(
      Object.entries(values).filter(
        ([k, v]) => v !== null && store.fieldVisible(w.user, def, def.fieldMap.get(k.toLowerCase())!),
      ),
    );
  };

  let accountId = normalizeId(text(c.accountId));
  if (accountId) w.existing(accountId, 'Account');
  else {
    accountId = w.create(
      store.schema.object('Account')!,
      visible('Account', {
        Name: read('Company'),
        BillingStreet: read('Street'),
        BillingCity: read('City'),
        BillingState: read('State'),
        BillingPostalCode: read('PostalCode'),
        BillingCountry: read('Country'),
        Phone: read('Phone'),
        Website: read('Website'),
        Industry: read('Industry'),
        NumberOfEmployees: read('NumberOfEmployees'),
        AnnualRevenue: read('AnnualRevenue'),
        AccountSource: read('LeadSource'),
        OwnerId: ownerId,
      }),
    );
  }

  let contactId = normalizeId(text(c.contactId));
  if (contactId) {
    const { row } = w.existing(contactId, 'Contact');
    if (store.read('Contact', row, 'AccountId') !== accountId) {
      fail('INVALID_CROSS_REFERENCE_KEY', 'The contact does not belong to the account it is being converted into', [
        'contactId',
      ]);
    }
  } else {
    contactId = w.create(
      store.schema.object('Contact')!,
      visible('Contact', {
        AccountId: accountId,
        Salutation: read('Salutation'),
        FirstName: read('FirstName'),
        LastName: read('LastName'),
        Title: read('Title'),
        Email: read('Email'),
        Phone: read('Phone'),
        MobilePhone: read('MobilePhone'),
        MailingStreet: read('Street'),
        MailingCity: read('City'),
        MailingState: read('State'),
        MailingPostalCode: read('PostalCode'),
        MailingCountry: read('Country'),
        LeadSource: read('LeadSource'),
        Description: read('Description'),
        HasOptedOutOfEmail: read('HasOptedOutOfEmail'),
        OwnerId: ownerId,
      }),
    );
  }

  let opportunityId: string | null = null;
  if (String(c.doNotCreateOpportunity) !== 'true') {
    opportunityId = normalizeId(text(c.opportunityId));
    if (opportunityId) w.existing(opportunityId, 'Opportunity');
    else {
      opportunityId = w.create(store.schema.object('Opportunity')!, {
        Name: text(c.opportunityName) ?? `${String(read('Company'))}-`,
        AccountId: accountId,
        StageName: 'Prospecting',
        CloseDate: formatDate(dayOf(w.now) + NEW_OPPORTUNITY_CLOSE_DAYS),
        LeadSource: read('LeadSource'),
        OwnerId: ownerId,
      });
      w.create(store.schema.object('OpportunityContactRole')!, {
        OpportunityId: opportunityId,
        ContactId: contactId,
        IsPrimary: true,
      });
    }
  }

  moveChildren(w, leadId, contactId, accountId, opportunityId);
  w.systemUpdate(
    leads,
    leadId,
    {
      IsConverted: true,
      ConvertedDate: dayOf(w.now),
      ConvertedAccountId: accountId,
      ConvertedContactId: contactId,
      ConvertedOpportunityId: opportunityId,
      Status: status,
    },
    { userEdit: true },
  );
  return { accountId, contactId, errors: [], leadId, opportunityId, success: true };
}

// The lead's campaign memberships gain the ContactId; its activities move to the contact and,
// when they had no WhatId, to the opportunity or account.
function moveChildren(
  w: RecordWriter,
  leadId: string,
  contactId: string,
  accountId: string,
  opportunityId: string | null,
): void {
  const members = w.store.table('CampaignMember');
  const leadSlot = members.def.fieldMap.get('leadid')!.slot;
  for (const id of members.children(leadSlot, leadId)) {
    const row = members.rows.get(id)!;
    if (!members.isDeleted(row)) w.systemUpdate(members, id, { ContactId: contactId });
  }
  for (const name of ['Task', 'Event']) {
    const t = w.store.table(name);
    const whoSlot = t.def.fieldMap.get('whoid')!.slot;
    const whatSlot = t.def.fieldMap.get('whatid')!.slot;
    for (const id of t.children(whoSlot, leadId)) {
      const row = t.rows.get(id)!;
      if (t.isDeleted(row)) continue;
      w.systemUpdate(t, id, { WhoId: contactId, WhatId: row[whatSlot] ?? opportunityId ?? accountId });
    }
  }
}
