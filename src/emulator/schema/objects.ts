// The emulated org's sObject types and fields: realistic standard fields with their types,
// lengths and picklists, the audit fields every object carries, and the customisations an
// admin would add (external ids, a formula, a custom object). Key prefixes follow
// walling/sfid prefixes.json; `a0X` stands for the org-specific prefix of Subscription__c.
import {
  address,
  bool,
  date,
  datetime,
  derived,
  formula,
  idField,
  number,
  picklist,
  reference,
  text,
  textarea,
} from './fields';
import type { FieldDef, Row, RowResolver, SharingModel } from './types';

/** A raw object definition before slots and relationships are resolved. */
export interface ObjectSpec {
  name: string;
  label: string;
  labelPlural: string;
  keyPrefix: string;
  sharing: SharingModel;
  fields: FieldDef[];
  createable?: boolean;
  updateable?: boolean;
  deletable?: boolean;
  undeletable?: boolean;
  mergeable?: boolean;
}

const sys = { system: true };

/** Id, IsDeleted and the audit fields every object has, in describe order. */
function auditFields(): FieldDef[] {
  return [
    datetime('CreatedDate', sys),
    reference('CreatedById', ['User'], 'CreatedBy', sys),
    datetime('LastModifiedDate', sys),
    reference('LastModifiedById', ['User'], 'LastModifiedBy', sys),
    datetime('SystemModstamp', sys),
  ];
}

function head(): FieldDef[] {
  return [idField(), bool('IsDeleted', { system: true })];
}

function masterRecord(type: string): FieldDef {
  return reference('MasterRecordId', [type], 'MasterRecord', sys);
}

/** The person-name fields shared by Lead and Contact, with the read-only full Name. */
function personName(objectName: string): FieldDef[] {
  return [
    text('LastName', 80, { required: true, compoundFieldName: 'Name' }),
    text('FirstName', 40, { compoundFieldName: 'Name' }),
    picklist('Salutation', ['Mr.', 'Ms.', 'Mrs.', 'Dr.', 'Prof.', 'Mx.'], { compoundFieldName: 'Name' }),
    derived('Name', 'string', 121, (row: Row, r: RowResolver) => {
      const first = r.read(objectName, row, 'FirstName');
      const last = r.read(objectName, row, 'LastName');
      return first ? `${String(first)} ${String(last ?? '')}` : (last ?? null);
    }),
  ];
}

const LEAD_SOURCES = ['Web', 'Phone Inquiry', 'Partner Referral', 'Purchased List', 'Other'];
const INDUSTRIES = [
  'Agriculture',
  'Apparel',
  'Banking',
  'Biotechnology',
  'Chemicals',
  'Communications',
  'Construction',
  'Consulting',
  'Education',
  'Electronics',
  'Energy',
  'Engineering',
  'Entertainment',
  'Environmental',
  'Finance',
  'Food & Beverage',
  'Government',
  'Healthcare',
  'Hospitality',
  'Insurance',
  'Machinery',
  'Manufacturing',
  'Media',
  'Not For Profit',
  'Recreation',
  'Retail',
  'Shipping',
  'Technology',
  'Telecommunications',
  'Transportation',
  'Utilities',
  'Other',
];
const RATINGS = ['Hot', 'Warm', 'Cold'];

/** Lead Status values; the `Closed - Converted` one is the converted status. */
export const LEAD_STATUSES = [
  'Open - Not Contacted',
  'Working - Contacted',
  'Closed - Converted',
  'Closed - Not Converted',
];
/** Opportunity stages, in order, with their default probability. */
export const OPPORTUNITY_STAGES: Array<[string, number]> = [
  ['Prospecting', 10],
  ['Qualification', 10],
  ['Needs Analysis', 20],
  ['Value Proposition', 50],
  ['Id. Decision Makers', 60],
  ['Perception Analysis', 70],
  ['Proposal/Price Quote', 75],
  ['Negotiation/Review', 90],
  ['Closed Won', 100],
  ['Closed Lost', 0],
];

const lead: ObjectSpec = {
  name: 'Lead',
  label: 'Lead',
  labelPlural: 'Leads',
  keyPrefix: '00Q',
  sharing: { kind: 'owner' },
  mergeable: true,
  fields: [
    ...head(),
    masterRecord('Lead'),
    ...personName('Lead'),
    text('Title', 128),
    text('Company', 255, { required: true }),
    ...address('', 'Address'),
    text('Phone', 40, {}, 'phone'),
    text('MobilePhone', 40, {}, 'phone'),
    text('Fax', 40, {}, 'phone'),
    text('Email', 80, {}, 'email'),
    text('Website', 255, {}, 'url'),
    textarea('Description', 32000),
    picklist('LeadSource', LEAD_SOURCES),
    picklist('Status', LEAD_STATUSES, { restricted: true, default: 'Open - Not Contacted', nillable: false }),
    picklist('Industry', INDUSTRIES),
    picklist('Rating', RATINGS),
    number('AnnualRevenue', 'currency', 18, 0),
    number('NumberOfEmployees', 'int', 8, 0),
    reference('OwnerId', ['Group', 'User'], 'Owner', { defaultedOnCreate: true, nillable: false }),
    bool('HasOptedOutOfEmail'),
    bool('IsConverted', { createable: false, updateable: false }),
    date('ConvertedDate', { createable: false, updateable: false }),
    reference('ConvertedAccountId', ['Account'], 'ConvertedAccount', { createable: false, updateable: false }),
    reference('ConvertedContactId', ['Contact'], 'ConvertedContact', { createable: false, updateable: false }),
    reference('ConvertedOpportunityId', ['Opportunity'], 'ConvertedOpportunity', {
      createable: false,
      updateable: false,
    }),
    bool('IsUnreadByOwner'),
    ...auditFields(),
    text('Tandem_Id__c', 36, { externalId: true, unique: true, label: 'Tandem ID' }),
    number('Lead_Score__c', 'double', 3, 0, { label: 'Lead Score' }),
    formula(
      'Score_Band__c',
      'string',
      'IF(Lead_Score__c >= 70, "Hot", IF(Lead_Score__c >= 40, "Warm", "Cold"))',
      (row, r) => {
        const score = r.read('Lead', row, 'Lead_Score__c');
        if (typeof score !== 'number') return 'Cold';
        return score >= 70 ? 'Hot' : score >= 40 ? 'Warm' : 'Cold';
      },
      { length: 1300, label: 'Score Band' },
    ),
  ],
};

const contact: ObjectSpec = {
  name: 'Contact',
  label: 'Contact',
  labelPlural: 'Contacts',
  keyPrefix: '003',
  sharing: { kind: 'owner' },
  mergeable: true,
  fields: [
    ...head(),
    masterRecord('Contact'),
    reference('AccountId', ['Account'], 'Account', { childRelationshipName: 'Contacts', onParentDelete: 'cascade' }),
    ...personName('Contact'),
    ...address('Mailing', 'MailingAddress'),
    text('Phone', 40, {}, 'phone'),
    text('MobilePhone', 40, {}, 'phone'),
    text('Email', 80, {}, 'email'),
    text('Title', 128),
    text('Department', 80),
    picklist('LeadSource', LEAD_SOURCES),
    date('Birthdate'),
    textarea('Description', 32000),
    reference('ReportsToId', ['Contact'], 'ReportsTo', { childRelationshipName: 'ReportsTo' }),
    reference('OwnerId', ['User'], 'Owner', { defaultedOnCreate: true, nillable: false }),
    bool('HasOptedOutOfEmail'),
    bool('DoNotCall'),
    ...auditFields(),
    text('Tandem_Id__c', 36, { externalId: true, unique: true, label: 'Tandem ID' }),
    text('Legacy_Id__c', 50, { externalId: true, label: 'Legacy ID' }),
    // Cross-object formula: renaming the account changes this value on every contact without
    // moving their SystemModstamp — the trap incremental syncs must handle (https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/system_fields.htm).
    formula(
      'Account_Name__c',
      'string',
      'Account.Name',
      (row, r) => {
        const account = r.findRow(r.read('Contact', row, 'AccountId'));
        return account ? r.read('Account', account, 'Name') : null;
      },
      { length: 1300, label: 'Account Name' },
    ),
  ],
};

const account: ObjectSpec = {
  name: 'Account',
  label: 'Account',
  labelPlural: 'Accounts',
  keyPrefix: '001',
  sharing: { kind: 'owner' },
  mergeable: true,
  fields: [
    ...head(),
    masterRecord('Account'),
    text('Name', 255, { required: true, label: 'Account Name' }),
    picklist('Type', [
      'Prospect',
      'Customer - Direct',
      'Customer - Channel',
      'Channel Partner / Reseller',
      'Installation Partner',
      'Technology Partner',
      'Other',
    ]),
    reference('ParentId', ['Account'], 'Parent', { childRelationshipName: 'ChildAccounts' }),
    ...address('Billing', 'BillingAddress'),
    ...address('Shipping', 'ShippingAddress'),
    text('Phone', 40, {}, 'phone'),
    text('Fax', 40, {}, 'phone'),
    text('Website', 255, {}, 'url'),
    picklist('Industry', INDUSTRIES),
    number('AnnualRevenue', 'currency', 18, 0),
    number('NumberOfEmployees', 'int', 8, 0),
    picklist('Rating', RATINGS),
    picklist('AccountSource', LEAD_SOURCES),
    textarea('Description', 32000),
    reference('OwnerId', ['User'], 'Owner', { defaultedOnCreate: true, nillable: false }),
    ...auditFields(),
    text('Tandem_Id__c', 36, { externalId: true, unique: true, label: 'Tandem ID' }),
    picklist('Customer_Tier__c', ['Bronze', 'Silver', 'Gold', 'Platinum'], {
      restricted: true,
      label: 'Customer Tier',
    }),
  ],
};

const readOnly = { createable: false, updateable: false, deletable: false, undeletable: false };

const user: ObjectSpec = {
  name: 'User',
  label: 'User',
  labelPlural: 'Users',
  keyPrefix: '005',
  sharing: { kind: 'public' },
  ...readOnly,
  fields: [
    idField(),
    text('Username', 80, { required: true }),
    text('LastName', 80, { required: true }),
    text('FirstName', 40),
    derived('Name', 'string', 121, (row, r) => {
      const first = r.read('User', row, 'FirstName');
      const last = r.read('User', row, 'LastName');
      return first ? `${String(first)} ${String(last ?? '')}` : (last ?? null);
    }),
    text('Alias', 8, { required: true }),
    text('Email', 128, { required: true }, 'email'),
    text('Title', 80),
    text('Department', 80),
    text('CompanyName', 80),
    bool('IsActive', { defaultValue: true }),
    picklist('UserType', ['Standard', 'PowerPartner', 'CsnOnly', 'Guest'], { restricted: true, default: 'Standard' }),
    picklist(
      'TimeZoneSidKey',
      ['America/Los_Angeles', 'America/New_York', 'Europe/London', 'Europe/Paris', 'Asia/Tokyo'],
      { restricted: true, required: true },
    ),
    text('ProfileName__c', 80, { label: 'Profile Name' }),
    ...auditFields(),
  ],
};

const group: ObjectSpec = {
  name: 'Group',
  label: 'Group',
  labelPlural: 'Groups',
  keyPrefix: '00G',
  sharing: { kind: 'public' },
  ...readOnly,
  fields: [
    idField(),
    text('Name', 40, { required: true }),
    text('DeveloperName', 80, { required: true }),
    picklist('Type', ['Regular', 'Role', 'RoleAndSubordinates', 'Organization', 'Queue'], {
      restricted: true,
      required: true,
    }),
    text('Email', 255, {}, 'email'),
    bool('DoesSendEmailToMembers'),
    ...auditFields(),
  ],
};

// The org itself, one row. Salesforce supports only describe, query and retrieve on it — no DML:
// https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_organization.htm
// Every field is read-only, so a write names the object in INSUFFICIENT_ACCESS_OR_READONLY.
const organizationField = { createable: false, updateable: false };
const organization: ObjectSpec = {
  name: 'Organization',
  label: 'Organization',
  labelPlural: 'Organizations',
  keyPrefix: '00D',
  sharing: { kind: 'public' },
  ...readOnly,
  fields: [
    idField(),
    text('Name', 80, { required: true, ...organizationField }),
    text('InstanceName', 5, organizationField),
    bool('IsSandbox', organizationField),
    picklist(
      'OrganizationType',
      ['Team Edition', 'Professional Edition', 'Enterprise Edition', 'Developer Edition', 'Unlimited Edition'],
      {
        restricted: true,
        ...organizationField,
      },
    ),
    text('NamespacePrefix', 15, organizationField),
    ...auditFields(),
  ],
};

const opportunity: ObjectSpec = {
  name: 'Opportunity',
  label: 'Opportunity',
  labelPlural: 'Opportunities',
  keyPrefix: '006',
  sharing: { kind: 'owner' },
  fields: [
    ...head(),
    reference('AccountId', ['Account'], 'Account', {
      childRelationshipName: 'Opportunities',
      onParentDelete: 'cascade',
    }),
    text('Name', 120, { required: true }),
    textarea('Description', 32000),
    picklist(
      'StageName',
      OPPORTUNITY_STAGES.map(([s]) => s),
      { restricted: true, required: true },
    ),
    number('Amount', 'currency', 16, 2),
    number('Probability', 'percent', 3, 0),
    formula(
      'ExpectedRevenue',
      'currency',
      'Amount * Probability / 100',
      (row, r) => {
        const amount = r.read('Opportunity', row, 'Amount');
        const probability = r.read('Opportunity', row, 'Probability');
        return typeof amount === 'number' && typeof probability === 'number'
          ? Math.round(amount * probability) / 100
          : null;
      },
      { precision: 16, scale: 2 },
    ),
    date('CloseDate', { required: true }),
    picklist('Type', [
      'Existing Customer - Upgrade',
      'Existing Customer - Replacement',
      'Existing Customer - Downgrade',
      'New Customer',
    ]),
    text('NextStep', 255),
    picklist('LeadSource', LEAD_SOURCES),
    formula(
      'IsClosed',
      'boolean',
      "ISPICKVAL(StageName, 'Closed Won') || ISPICKVAL(StageName, 'Closed Lost')",
      (row, r) => {
        const stage = r.read('Opportunity', row, 'StageName');
        return stage === 'Closed Won' || stage === 'Closed Lost';
      },
    ),
    formula(
      'IsWon',
      'boolean',
      "ISPICKVAL(StageName, 'Closed Won')",
      (row, r) => r.read('Opportunity', row, 'StageName') === 'Closed Won',
    ),
    picklist('ForecastCategoryName', ['Omitted', 'Pipeline', 'Best Case', 'Commit', 'Closed']),
    reference('CampaignId', ['Campaign'], 'Campaign', { childRelationshipName: 'Opportunities' }),
    reference('OwnerId', ['User'], 'Owner', { defaultedOnCreate: true, nillable: false }),
    ...auditFields(),
  ],
};

const opportunityContactRole: ObjectSpec = {
  name: 'OpportunityContactRole',
  label: 'Opportunity Contact Role',
  labelPlural: 'Opportunity Contact Roles',
  keyPrefix: '00K',
  sharing: { kind: 'parent', field: 'OpportunityId' },
  fields: [
    ...head(),
    reference('OpportunityId', ['Opportunity'], 'Opportunity', {
      required: true,
      childRelationshipName: 'OpportunityContactRoles',
      onParentDelete: 'cascade',
    }),
    reference('ContactId', ['Contact'], 'Contact', {
      required: true,
      childRelationshipName: 'OpportunityContactRoles',
      onParentDelete: 'cascade',
    }),
    picklist('Role', [
      'Business User',
      'Decision Maker',
      'Economic Buyer',
      'Economic Decision Maker',
      'Evaluator',
      'Executive Sponsor',
      'Influencer',
      'Technical Buyer',
      'Other',
    ]),
    bool('IsPrimary'),
    ...auditFields(),
  ],
};

const campaign: ObjectSpec = {
  name: 'Campaign',
  label: 'Campaign',
  labelPlural: 'Campaigns',
  keyPrefix: '701',
  sharing: { kind: 'public' },
  fields: [
    ...head(),
    text('Name', 80, { required: true }),
    reference('ParentId', ['Campaign'], 'Parent', { childRelationshipName: 'ChildCampaigns' }),
    picklist('Type', [
      'Conference',
      'Webinar',
      'Trade Show',
      'Public Relations',
      'Partners',
      'Referral Program',
      'Advertisement',
      'Banner Ads',
      'Direct Mail',
      'Email',
      'Telemarketing',
      'Other',
    ]),
    picklist('Status', ['Planned', 'In Progress', 'Completed', 'Aborted']),
    date('StartDate'),
    date('EndDate'),
    number('ExpectedRevenue', 'currency', 18, 0),
    number('BudgetedCost', 'currency', 18, 0),
    number('ActualCost', 'currency', 18, 0),
    bool('IsActive'),
    textarea('Description', 32000),
    reference('OwnerId', ['User'], 'Owner', { defaultedOnCreate: true, nillable: false }),
    ...auditFields(),
  ],
};

/** Statuses every new campaign starts with, as Salesforce creates them (one default, one responded). */
export const DEFAULT_CAMPAIGN_STATUSES: Array<{ label: string; isDefault: boolean; hasResponded: boolean }> = [
  { label: 'Sent', isDefault: true, hasResponded: false },
  { label: 'Responded', isDefault: false, hasResponded: true },
];

const campaignMember: ObjectSpec = {
  name: 'CampaignMember',
  label: 'Campaign Member',
  labelPlural: 'Campaign Members',
  keyPrefix: '00v',
  sharing: { kind: 'parent', field: 'CampaignId' },
  fields: [
    ...head(),
    reference('CampaignId', ['Campaign'], 'Campaign', {
      required: true,
      updateable: false,
      childRelationshipName: 'CampaignMembers',
      onParentDelete: 'cascade',
    }),
    reference('LeadId', ['Lead'], 'Lead', { childRelationshipName: 'CampaignMembers', onParentDelete: 'cascade' }),
    reference('ContactId', ['Contact'], 'Contact', {
      childRelationshipName: 'CampaignMembers',
      onParentDelete: 'cascade',
    }),
    formula(
      'LeadOrContactId',
      'reference',
      'BLANKVALUE(ContactId, LeadId)',
      (row, r) => r.read('CampaignMember', row, 'ContactId') ?? r.read('CampaignMember', row, 'LeadId'),
      { length: 18 },
    ),
    // Values come from the campaign's CampaignMemberStatus rows; these are the seeded labels.
    picklist('Status', ['Planned', 'Received', 'Sent', 'Responded', 'Registered', 'Attended']),
    bool('HasResponded', { createable: false, updateable: false }),
    date('FirstRespondedDate', { createable: false, updateable: false }),
    ...auditFields(),
  ],
};

const campaignMemberStatus: ObjectSpec = {
  name: 'CampaignMemberStatus',
  label: 'Campaign Member Status',
  labelPlural: 'Campaign Member Statuses',
  keyPrefix: '01Y',
  sharing: { kind: 'parent', field: 'CampaignId' },
  undeletable: false,
  fields: [
    ...head(),
    reference('CampaignId', ['Campaign'], 'Campaign', { required: true, updateable: false, onParentDelete: 'cascade' }),
    text('Label', 765, { required: true }),
    number('SortOrder', 'int', 9, 0),
    bool('IsDefault'),
    bool('HasResponded'),
    ...auditFields(),
  ],
};

const activityWhat = ['Account', 'Campaign', 'Opportunity', 'Subscription__c'];

const task: ObjectSpec = {
  name: 'Task',
  label: 'Task',
  labelPlural: 'Tasks',
  keyPrefix: '00T',
  sharing: { kind: 'owner' },
  fields: [
    ...head(),
    reference('WhoId', ['Contact', 'Lead'], 'Who', { childRelationshipName: 'Tasks', onParentDelete: 'cascade' }),
    reference('WhatId', activityWhat, 'What', { childRelationshipName: 'Tasks', onParentDelete: 'cascade' }),
    text('Subject', 255, {}, 'combobox'),
    date('ActivityDate'),
    picklist('Status', ['Not Started', 'In Progress', 'Completed', 'Waiting on someone else', 'Deferred'], {
      restricted: true,
      default: 'Not Started',
      nillable: false,
    }),
    picklist('Priority', ['High', 'Normal', 'Low'], { restricted: true, default: 'Normal', nillable: false }),
    formula(
      'IsClosed',
      'boolean',
      "ISPICKVAL(Status, 'Completed')",
      (row, r) => r.read('Task', row, 'Status') === 'Completed',
    ),
    reference('OwnerId', ['Group', 'User'], 'Owner', { defaultedOnCreate: true, nillable: false }),
    textarea('Description', 32000),
    picklist('Type', ['Call', 'Email', 'Meeting', 'Other']),
    picklist('TaskSubtype', ['Task', 'Email', 'Call'], { restricted: true, default: 'Task' }),
    number('CallDurationInSeconds', 'int', 8, 0),
    bool('IsArchived', { createable: false, updateable: false }),
    ...auditFields(),
  ],
};

const event: ObjectSpec = {
  name: 'Event',
  label: 'Event',
  labelPlural: 'Events',
  keyPrefix: '00U',
  sharing: { kind: 'owner' },
  fields: [
    ...head(),
    reference('WhoId', ['Contact', 'Lead'], 'Who', { childRelationshipName: 'Events', onParentDelete: 'cascade' }),
    reference('WhatId', activityWhat, 'What', { childRelationshipName: 'Events', onParentDelete: 'cascade' }),
    text('Subject', 255, {}, 'combobox'),
    text('Location', 255),
    bool('IsAllDayEvent'),
    datetime('ActivityDateTime'),
    date('ActivityDate'),
    number('DurationInMinutes', 'int', 8, 0),
    datetime('StartDateTime', { required: true }),
    datetime('EndDateTime', { required: true }),
    textarea('Description', 32000),
    reference('OwnerId', ['Group', 'User'], 'Owner', { defaultedOnCreate: true, nillable: false }),
    picklist('Type', ['Call', 'Email', 'Meeting', 'Other']),
    picklist('ShowAs', ['Busy', 'OutOfOffice', 'Free'], { restricted: true, default: 'Busy' }),
    bool('IsArchived', { createable: false, updateable: false }),
    ...auditFields(),
  ],
};

const subscription: ObjectSpec = {
  name: 'Subscription__c',
  label: 'Subscription',
  labelPlural: 'Subscriptions',
  keyPrefix: 'a0X',
  sharing: { kind: 'owner' },
  fields: [
    ...head(),
    text('Name', 80, { required: true, label: 'Subscription Name' }),
    reference('OwnerId', ['Group', 'User'], 'Owner', { defaultedOnCreate: true, nillable: false }),
    reference('Account__c', ['Account'], 'Account__r', { childRelationshipName: 'Subscriptions__r', label: 'Account' }),
    reference('Contact__c', ['Contact'], 'Contact__r', { childRelationshipName: 'Subscriptions__r', label: 'Contact' }),
    picklist('Plan__c', ['Free', 'Starter', 'Pro', 'Enterprise'], { restricted: true, required: true, label: 'Plan' }),
    picklist('Status__c', ['Trial', 'Active', 'Paused', 'Cancelled'], {
      restricted: true,
      default: 'Trial',
      label: 'Status',
    }),
    number('Seats__c', 'double', 6, 0, { label: 'Seats' }),
    number('Monthly_Amount__c', 'currency', 16, 2, { label: 'Monthly Amount' }),
    formula(
      'Annual_Amount__c',
      'currency',
      'Monthly_Amount__c * 12',
      (row, r) => {
        const monthly = r.read('Subscription__c', row, 'Monthly_Amount__c');
        return typeof monthly === 'number' ? Math.round(monthly * 1200) / 100 : null;
      },
      { precision: 18, scale: 2, label: 'Annual Amount' },
    ),
    date('Start_Date__c', { label: 'Start Date' }),
    date('Renewal_Date__c', { label: 'Renewal Date' }),
    bool('Auto_Renew__c', { label: 'Auto Renew' }),
    text('Tandem_Id__c', 36, { externalId: true, unique: true, label: 'Tandem ID' }),
    ...auditFields(),
  ],
};

/** Every object of the emulated org, in describeGlobal order. */
export const OBJECT_SPECS: ObjectSpec[] = [
  account,
  campaign,
  campaignMember,
  campaignMemberStatus,
  contact,
  event,
  group,
  lead,
  opportunity,
  opportunityContactRole,
  organization,
  task,
  user,
  subscription,
];
