// The demo org: a deterministic (seeded PRNG) set of accounts with contacts, leads (some
// queue-owned, some converted), opportunities with contact roles, campaigns with statuses and
// members, tasks and events, Subscription__c rows; a few records private to the executive and
// a few in the recycle bin. Scale 1 is about 2,000 records; the count grows linearly, so
// `scale: 520` gives about 1,000,000. Timestamps are spread over the two years before "now".
import { DEFAULT_CAMPAIGN_STATUSES, OPPORTUNITY_STAGES } from '../schema';
import type { OrgStore } from '../store/org-store';
import {
  COMPANY_SUFFIXES,
  COMPANY_WORDS,
  DOMAINS,
  FIRST_NAMES,
  LAST_NAMES,
  PLACES,
  STREETS,
  SUBJECTS,
  TITLES,
} from './names';
import { Prng } from './prng';
import { RowFactory } from './rows';

/** Options of the demo seed. */
export interface DemoSeedOptions {
  /** Size multiplier (default 1 ≈ 2,000 records). */
  scale?: number;
  /** PRNG seed (default 42). */
  seed?: number;
}

/** Records per unit of scale, by object. */
export const RECORDS_PER_SCALE = {
  Account: 100,
  Contact: 300,
  Lead: 500,
  Opportunity: 80,
  OpportunityContactRole: 120,
  Campaign: 5,
  CampaignMemberStatus: 15,
  CampaignMember: 250,
  Task: 300,
  Event: 100,
  Subscription__c: 150,
} as const;

const DAY = 86_400;
const LEAD_SOURCES = ['Web', 'Phone Inquiry', 'Partner Referral', 'Purchased List', 'Other'];
const INDUSTRIES = ['Technology', 'Finance', 'Healthcare', 'Retail', 'Manufacturing', 'Education', 'Media', 'Energy'];

/** Fills `store` with the demo org; returns the number of records created per object. */
export function seedDemoData(store: OrgStore, options: DemoSeedOptions = {}): Record<string, number> {
  const scale = Math.max(0.01, options.scale ?? 1);
  const rng = new Prng(options.seed ?? 42);
  const now = store.clock.nowSeconds();
  const n = (object: keyof typeof RECORDS_PER_SCALE) => Math.max(1, Math.round(RECORDS_PER_SCALE[object] * scale));
  const f = {
    user: new RowFactory(store, 'User'),
    account: new RowFactory(store, 'Account'),
    contact: new RowFactory(store, 'Contact'),
    lead: new RowFactory(store, 'Lead'),
    opp: new RowFactory(store, 'Opportunity'),
    ocr: new RowFactory(store, 'OpportunityContactRole'),
    campaign: new RowFactory(store, 'Campaign'),
    cms: new RowFactory(store, 'CampaignMemberStatus'),
    member: new RowFactory(store, 'CampaignMember'),
    task: new RowFactory(store, 'Task'),
    event: new RowFactory(store, 'Event'),
    sub: new RowFactory(store, 'Subscription__c'),
  };
  const counts: Record<string, number> = {};
  const count = (o: string) => (counts[o] = (counts[o] ?? 0) + 1);

  const login = store.users.all();
  const rep = login.find((u) => u.username.startsWith('riley'))!;
  const exec = login.find((u) => u.ownsPrivateRecords)!;
  const queue = [...store.table('Group').rows.keys()][0];
  const adminAudit = { created: now - 700 * DAY, modified: now - 700 * DAY, by: rep.id };
  const owners = [rep.id];
  const extraUsers = 6 + Math.floor(scale / 10);
  for (let i = 0; i < extraUsers; i++) {
    const first = rng.pick(FIRST_NAMES);
    const last = rng.pick(LAST_NAMES);
    const username = `${first}.${last}.${i}@example.com`.toLowerCase().replace(/[^a-z0-9.@]/g, '');
    owners.push(
      f.user.insert(
        {
          Username: username,
          LastName: last,
          FirstName: first,
          Alias: `${first.slice(0, 1)}${last.slice(0, 4)}`.toLowerCase(),
          Email: username,
          Title: 'Sales Representative',
          IsActive: true,
          UserType: 'Standard',
          TimeZoneSidKey: 'America/New_York',
          ProfileName__c: 'Standard User',
        },
        adminAudit,
      ),
    );
    count('User');
  }

  // Audit stamps: created within two years, modified after that, a tenth of them this week.
  const audit = () => {
    const created = now - rng.int(8 * DAY, 730 * DAY);
    const modified = rng.chance(0.1)
      ? now - rng.int(60, 7 * DAY)
      : rng.int(created, Math.min(now - 60, created + 200 * DAY));
    return { created, modified: Math.max(created, modified), by: rng.chance(0.7) ? rng.pick(owners) : rep.id };
  };
  const deletedAudit = () => {
    const a = audit();
    return { ...a, modified: now - rng.int(DAY, 10 * DAY) };
  };
  const place = () => rng.pick(PLACES);
  const phone = () => `(${rng.int(200, 989)}) ${rng.int(200, 999)}-${String(rng.int(0, 9999)).padStart(4, '0')}`;
  const company = () => `${rng.pick(COMPANY_WORDS)} ${rng.pick(COMPANY_SUFFIXES)}`;

  // Accounts (3% private to the executive).
  const accounts: Array<{ id: string; owner: string; name: string; domain: string }> = [];
  for (let i = 0; i < n('Account'); i++) {
    const owner = rng.chance(0.03) ? exec.id : rng.pick(owners);
    const name = `${company()} ${i}`;
    const [city, state, country] = place();
    const id = f.account.insert(
      {
        Name: name,
        Type: rng.pick(['Prospect', 'Customer - Direct', 'Customer - Channel', 'Technology Partner']),
        BillingStreet: `${rng.int(1, 9999)} ${rng.pick(STREETS)}`,
        BillingCity: city,
        BillingState: state,
        BillingCountry: country,
        BillingPostalCode: String(rng.int(10000, 99999)),
        Phone: phone(),
        Website: `https://www.acct${i}.example.com`,
        Industry: rng.pick(INDUSTRIES),
        AnnualRevenue: rng.int(1, 500) * 100_000,
        NumberOfEmployees: rng.int(5, 20000),
        Rating: rng.pick(['Hot', 'Warm', 'Cold']),
        AccountSource: rng.pick(LEAD_SOURCES),
        OwnerId: owner,
        Customer_Tier__c: rng.pick(['Bronze', 'Silver', 'Gold', 'Platinum']),
      },
      audit(),
    );
    accounts.push({ id, owner, name, domain: `acct${i}.example.com` });
    count('Account');
  }

  // Contacts: owned with their account; 2% in the recycle bin.
  const contacts: Array<{ id: string; account: string }> = [];
  for (let i = 0; i < n('Contact'); i++) {
    const acct = accounts[i % accounts.length];
    const first = rng.pick(FIRST_NAMES);
    const last = rng.pick(LAST_NAMES);
    const deleted = rng.chance(0.02);
    const [city, state, country] = place();
    const id = f.contact.insert(
      {
        AccountId: acct.id,
        FirstName: first,
        LastName: last,
        Salutation: rng.pick(['Mr.', 'Ms.', 'Dr.', null]),
        Email: `${first}.${last}.${i}@${acct.domain}`.toLowerCase().replace(/[^a-z0-9.@-]/g, ''),
        Phone: phone(),
        Title: rng.pick(TITLES),
        MailingStreet: `${rng.int(1, 9999)} ${rng.pick(STREETS)}`,
        MailingCity: city,
        MailingState: state,
        MailingCountry: country,
        LeadSource: rng.pick(LEAD_SOURCES),
        Birthdate: Math.floor((now - rng.int(22, 65) * 365 * DAY) / DAY),
        OwnerId: acct.owner,
        HasOptedOutOfEmail: rng.chance(0.05),
        Legacy_Id__c: rng.chance(0.3) ? `LEG-${i}` : null,
        IsDeleted: deleted,
      },
      deleted ? deletedAudit() : audit(),
    );
    if (!deleted) contacts.push({ id, account: acct.id });
    count('Contact');
  }

  // Leads: 10% queue-owned, 3% private, 4% converted, 2% deleted; emails unique (duplicate rule).
  const leads: string[] = [];
  for (let i = 0; i < n('Lead'); i++) {
    const first = rng.pick(FIRST_NAMES);
    const last = rng.pick(LAST_NAMES);
    const deleted = rng.chance(0.02);
    const converted = !deleted && contacts.length > 0 && rng.chance(0.04);
    const target = converted ? contacts[rng.int(0, contacts.length - 1)] : null;
    const [city, state, country] = place();
    const a = deleted ? deletedAudit() : audit();
    const status = converted
      ? 'Closed - Converted'
      : rng.pick(['Open - Not Contacted', 'Open - Not Contacted', 'Working - Contacted', 'Closed - Not Converted']);
    const id = f.lead.insert(
      {
        FirstName: first,
        LastName: last,
        Company: company(),
        Title: rng.pick(TITLES),
        Email: `${first}.${last}.${i}@${rng.pick(DOMAINS)}`.toLowerCase().replace(/[^a-z0-9.@-]/g, ''),
        Phone: phone(),
        Street: `${rng.int(1, 9999)} ${rng.pick(STREETS)}`,
        City: city,
        State: state,
        Country: country,
        PostalCode: String(rng.int(10000, 99999)),
        LeadSource: rng.pick(LEAD_SOURCES),
        Status: status,
        Industry: rng.pick(INDUSTRIES),
        Rating: rng.pick(['Hot', 'Warm', 'Cold', null]),
        AnnualRevenue: rng.int(1, 100) * 50_000,
        NumberOfEmployees: rng.int(1, 5000),
        OwnerId: rng.chance(0.1) ? queue : rng.chance(0.03) ? exec.id : rng.pick(owners),
        Lead_Score__c: rng.int(0, 100),
        IsDeleted: deleted,
        IsConverted: converted,
        ConvertedDate: converted ? Math.floor(a.modified / DAY) : null,
        ConvertedContactId: target?.id ?? null,
        ConvertedAccountId: target?.account ?? null,
      },
      a,
    );
    if (!deleted && !converted) leads.push(id);
    count('Lead');
  }

  // Opportunities with one or two contact roles from their account.
  const contactsByAccount = new Map<string, string[]>();
  for (const c of contacts) {
    const list = contactsByAccount.get(c.account) ?? [];
    list.push(c.id);
    contactsByAccount.set(c.account, list);
  }
  const opportunities: string[] = [];
  const ocrTarget = n('OpportunityContactRole');
  let ocrMade = 0;
  for (let i = 0; i < n('Opportunity'); i++) {
    const acct = accounts[rng.int(0, accounts.length - 1)];
    const [stage, probability] = rng.pick(OPPORTUNITY_STAGES);
    const a = audit();
    const id = f.opp.insert(
      {
        AccountId: acct.id,
        Name: `${acct.name} - ${rng.pick(['Expansion', 'New Business', 'Renewal', 'Upgrade'])}`,
        StageName: stage,
        Probability: probability,
        Amount: rng.int(10, 500) * 1000,
        CloseDate: Math.floor(a.created / DAY) + rng.int(30, 240),
        Type: rng.pick(['New Customer', 'Existing Customer - Upgrade', null]),
        LeadSource: rng.pick(LEAD_SOURCES),
        OwnerId: acct.owner,
        ForecastCategoryName: stage.startsWith('Closed') ? 'Closed' : 'Pipeline',
      },
      a,
    );
    opportunities.push(id);
    count('Opportunity');
    const people = contactsByAccount.get(acct.id) ?? [];
    const roles = Math.min(people.length, ocrMade < ocrTarget ? rng.int(1, 2) : 0);
    for (let r = 0; r < roles; r++) {
      f.ocr.insert(
        {
          OpportunityId: id,
          ContactId: people[r],
          Role: rng.pick(['Decision Maker', 'Economic Buyer', 'Influencer', 'Evaluator']),
          IsPrimary: r === 0,
        },
        a,
      );
      ocrMade++;
      count('OpportunityContactRole');
    }
  }

  // Campaigns, each with the default statuses plus one or two more, then members.
  const campaigns: Array<{ id: string; statuses: Array<{ label: string; responded: boolean; isDefault: boolean }> }> =
    [];
  for (let i = 0; i < Math.max(3, n('Campaign')); i++) {
    const a = audit();
    const id = f.campaign.insert(
      {
        Name: `${rng.pick(['Spring', 'Summer', 'Autumn', 'Winter'])} ${rng.pick(['Webinar', 'Conference', 'Email Blast', 'Trade Show'])} ${i}`,
        Type: rng.pick(['Webinar', 'Conference', 'Email', 'Trade Show']),
        Status: rng.pick(['Planned', 'In Progress', 'Completed']),
        StartDate: Math.floor(a.created / DAY),
        EndDate: Math.floor(a.created / DAY) + 30,
        IsActive: rng.chance(0.6),
        BudgetedCost: rng.int(1, 50) * 1000,
        OwnerId: rng.pick(owners),
      },
      a,
    );
    count('Campaign');
    const statuses = DEFAULT_CAMPAIGN_STATUSES.map((s) => ({
      label: s.label,
      responded: s.hasResponded,
      isDefault: s.isDefault,
    }));
    if (rng.chance(0.5)) statuses.push({ label: 'Registered', responded: true, isDefault: false });
    statuses.push({ label: 'Attended', responded: true, isDefault: false });
    statuses.forEach((s, k) => {
      f.cms.insert(
        { CampaignId: id, Label: s.label, SortOrder: k + 1, IsDefault: s.isDefault, HasResponded: s.responded },
        a,
      );
      count('CampaignMemberStatus');
    });
    campaigns.push({ id, statuses });
  }
  const memberships = new Set<string>();
  for (let i = 0; i < n('CampaignMember'); i++) {
    const campaign = campaigns[rng.int(0, campaigns.length - 1)];
    const useLead = leads.length > 0 && (contacts.length === 0 || rng.chance(0.6));
    const person = useLead ? leads[rng.int(0, leads.length - 1)] : contacts[rng.int(0, contacts.length - 1)]?.id;
    if (!person || memberships.has(`${campaign.id}:${person}`)) continue;
    memberships.add(`${campaign.id}:${person}`);
    const status = rng.pick(campaign.statuses);
    const a = audit();
    f.member.insert(
      {
        CampaignId: campaign.id,
        LeadId: useLead ? person : null,
        ContactId: useLead ? null : person,
        Status: status.label,
        HasResponded: status.responded,
        FirstRespondedDate: status.responded ? Math.floor(a.modified / DAY) : null,
      },
      a,
    );
    count('CampaignMember');
  }

  // Activities about contacts (with their account) or leads; 2% of tasks deleted.
  const activityWho = () => {
    if (contacts.length > 0 && (leads.length === 0 || rng.chance(0.6))) {
      const c = contacts[rng.int(0, contacts.length - 1)];
      return { who: c.id, what: rng.chance(0.3) && opportunities.length > 0 ? rng.pick(opportunities) : c.account };
    }
    return { who: leads.length > 0 ? leads[rng.int(0, leads.length - 1)] : null, what: null };
  };
  for (let i = 0; i < n('Task'); i++) {
    const { who, what } = activityWho();
    const deleted = rng.chance(0.02);
    const a = deleted ? deletedAudit() : audit();
    const status = rng.pick(['Not Started', 'In Progress', 'Completed', 'Completed']);
    f.task.insert(
      {
        WhoId: who,
        WhatId: what,
        Subject: rng.pick(SUBJECTS),
        ActivityDate: Math.floor(a.created / DAY) + rng.int(0, 14),
        Status: status,
        Priority: rng.pick(['High', 'Normal', 'Normal', 'Low']),
        OwnerId: rng.pick(owners),
        Type: rng.pick(['Call', 'Email', 'Meeting', 'Other']),
        TaskSubtype: 'Task',
        IsDeleted: deleted,
      },
      a,
    );
    count('Task');
  }
  for (let i = 0; i < n('Event'); i++) {
    const { who, what } = activityWho();
    const a = audit();
    const start = Math.floor(a.created / 3600) * 3600 + rng.int(1, 30) * DAY;
    const minutes = rng.pick([30, 60, 90]);
    f.event.insert(
      {
        WhoId: who,
        WhatId: what,
        Subject: rng.pick(SUBJECTS),
        StartDateTime: start,
        EndDateTime: start + minutes * 60,
        ActivityDateTime: start,
        ActivityDate: Math.floor(start / DAY),
        DurationInMinutes: minutes,
        OwnerId: rng.pick(owners),
        Location: rng.chance(0.5) ? 'Zoom' : rng.pick(PLACES)[0],
        ShowAs: 'Busy',
        Type: 'Meeting',
      },
      a,
    );
    count('Event');
  }

  // Subscriptions of accounts (and often a contact there).
  for (let i = 0; i < n('Subscription__c'); i++) {
    const acct = accounts[rng.int(0, accounts.length - 1)];
    const people = contactsByAccount.get(acct.id) ?? [];
    const plan = rng.pick(['Free', 'Starter', 'Pro', 'Enterprise']);
    const a = audit();
    f.sub.insert(
      {
        Name: `SUB-${String(i).padStart(7, '0')}`,
        OwnerId: acct.owner,
        Account__c: acct.id,
        Contact__c: people.length > 0 && rng.chance(0.7) ? rng.pick(people) : null,
        Plan__c: plan,
        Status__c: rng.pick(['Trial', 'Active', 'Active', 'Paused', 'Cancelled']),
        Seats__c: rng.int(1, 500),
        Monthly_Amount__c: plan === 'Free' ? 0 : rng.int(10, 5000),
        Start_Date__c: Math.floor(a.created / DAY),
        Renewal_Date__c: Math.floor(a.created / DAY) + 365,
        Auto_Renew__c: rng.chance(0.7),
      },
      a,
    );
    count('Subscription__c');
  }
  return counts;
}
