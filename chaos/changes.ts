/**
 * The changes a chaos run makes on both sides while the sync runs, and what each should end as
 * (handed to the judge, chaos/judge.ts).
 * Salesforce side: a rep (full access) edits through the org itself, as a person in the UI would —
 * field edits, creates, deletes, undeletes, merges, lead conversions, campaign and member status
 * changes — unaffected by the API faults injected for Tandem. Marketing side: SQL on the synced
 * tables (updates, inserts and deletes of every two-way object, dates at Salesforce's limits, key
 * column edits, and a few values Salesforce must refuse), plus the attacks of {@link WorkloadFlags},
 * each switchable. The two sides edit different
 * fields, so each change's final value is known without a conflict rule; conflicts are the
 * convergence test's subject (test/reliability/convergence.test.ts).
 */
import type pg from 'pg';
import type { RunningEmulator } from '../src/emulator/server';
import { mergeRecords } from '../src/emulator/semantics/merge';
import { convertLeads } from '../src/emulator/semantics/convert-lead';
import type { OrgUser } from '../src/emulator/users';
import type { AuditInput, ExpectedDeletion, ExpectedRecord, ExpectedRefusal, ExpectedValue } from './judge';
import type { Rng } from './rng';

/**
 * Workload parts that attack known weak spots; each is on in `npm run chaos` and may be off in the
 * short run until the product fix it needs is merged.
 */
export interface WorkloadFlags {
  /** A marketing row copied from another one, `tandem_id__c` included (INSERT … SELECT). */
  keyCopy: boolean;
  /** A marketing edit made under a forged `SET LOCAL tandem.origin = 'tandem'`. */
  forgedOrigin: boolean;
  /** `UPDATE … SET id = …` on a synced row, then an edit of the moved row. */
  idChange: boolean;
  /** 18-digit currency values (Salesforce's largest: precision 18). */
  bigNumbers: boolean;
  /** A value set in Salesforce that PostgreSQL cannot store as is (a NUL character in text). */
  poison: boolean;
  /** Campaign inserts on the marketing side. */
  campaignInserts: boolean;
  /** Lead owners moved to the private executive (invisible to the sync user), some of them back. */
  visibility: boolean;
  /** Dates at Salesforce's limits, 1700-01-01 and 4000-12-31 (https://help.salesforce.com/s/articleView?id=sf.custom_field_types.htm). */
  limitDates: boolean;
}

/** Every part on: what `npm run chaos` runs. */
export const ALL_WORKLOAD: WorkloadFlags = {
  keyCopy: true,
  forgedOrigin: true,
  idChange: true,
  bigNumbers: true,
  poison: true,
  campaignInserts: true,
  visibility: true,
  limitDates: true,
};

/** A change whose value must be on both sides at the end. */
type Expectation = ExpectedValue & {
  table: string;
  /** A record whose conversion, merge or delete voids this expectation. */ parent?: string;
};

/** Counts of changes made, by side and kind. */
export interface ChangeCounts {
  salesforce: Record<string, number>;
  marketing: Record<string, number>;
}

const LEAD_RATINGS = ['Hot', 'Warm', 'Cold'];
const CAMPAIGN_STATUSES = ['Planned', 'In Progress', 'Completed', 'Aborted'];
const INDUSTRIES = ['Banking', 'Energy', 'Retail', 'Media', 'Technology'];

/** Makes and remembers the run's changes (see the module comment). */
export class ChangeMaker {
  readonly counts: ChangeCounts = { salesforce: {}, marketing: {} };
  private readonly expectations = new Map<string, Expectation>();
  /** Records merged away, converted or deleted: their field expectations no longer apply. */
  private readonly retired = new Set<string>();
  private readonly deleted: string[] = [];
  /** Records created on either side, each by a value no other record has: each must exist exactly once on both sides. */
  private readonly records: ExpectedRecord[] = [];
  private readonly deletions = new Map<string, ExpectedDeletion>();
  /** Rows given values Salesforce refuses: each must end with an open sync_error. */
  readonly invalidRows: ExpectedRefusal[] = [];
  private readonly exempt: { object: string; sfid: string; why: string }[] = [];
  /** Leads moved to the executive and not (yet) back: invisible to the sync user. */
  private readonly hidden: string[] = [];
  private serial = 0;
  private readonly rep: OrgUser;
  private readonly executive: OrgUser;

  constructor(
    private readonly rng: Rng,
    private readonly emulator: RunningEmulator,
    private readonly db: pg.Pool,
    private readonly tag: string,
    readonly flags: WorkloadFlags = ALL_WORKLOAD,
  ) {
    const rep = emulator.store.users.get(emulator.credentials.rep.userId);
    const executive = [...emulator.store.users.all()].find((u) => u.ownsPrivateRecords);
    if (!rep || !executive) throw new Error('the emulator has no rep or no private executive');
    this.rep = rep;
    this.executive = executive;
  }

  /** Marks `sfid` deleted by `side`: gone from both sides at the end (its campaign members too: Salesforce cascades the delete). */
  private async deleteExpected(side: 'salesforce' | 'marketing', object: string, sfid: string): Promise<void> {
    this.deletions.set(sfid, { side, object, sfid });
    this.retire(sfid);
    if (object === 'Lead' || object === 'Contact') {
      const { rows } = await this.db.query(
        `SELECT sfid FROM salesforce.campaignmember WHERE ${object === 'Lead' ? 'leadid' : 'contactid'} = $1 AND sfid IS NOT NULL`,
        [sfid],
      );
      for (const r of rows) this.retire(r.sfid as string);
    }
  }

  private count(side: 'salesforce' | 'marketing', kind: string): void {
    this.counts[side][kind] = (this.counts[side][kind] ?? 0) + 1;
  }

  total(side: 'salesforce' | 'marketing'): number {
    return Object.values(this.counts[side]).reduce((a, b) => a + b, 0);
  }

  private expect(e: Expectation): void {
    this.expectations.set(`${e.table}|${e.sfid ?? e.rowId}|${e.field}`, e);
  }

  private retire(sfid: string): void {
    this.retired.add(sfid);
  }

  private async sample(table: string, n: number, where = 'true'): Promise<string[]> {
    // Deterministic for a given database state and seed: ordered by a hash of the id and the serial.
    const { rows } = await this.db.query(
      `SELECT sfid FROM salesforce.${table} WHERE sfid IS NOT NULL AND NOT isdeleted AND ${where} ORDER BY md5(sfid || $1) LIMIT $2`,
      [`${this.tag}-${this.serial++}`, n],
    );
    return rows.map((r) => r.sfid as string).filter((id) => !this.retired.has(id));
  }

  private write(ops: Parameters<RunningEmulator['store']['applyWrites']>[1]): string[] {
    const results = this.emulator.store.applyWrites(this.rep, ops);
    const failed = results.filter((r) => !r.success);
    if (failed.length > 0) throw new Error(`rep write failed: ${JSON.stringify(failed[0]!.errors)}`);
    return results.map((r) => r.id!);
  }

  /** `n` changes made by the rep in Salesforce. */
  private field(
    side: 'salesforce' | 'marketing',
    object: string,
    sfid: string,
    field: string,
    value: string | null,
  ): void {
    this.expect({ side, object, table: object.toLowerCase(), sfid, field, value });
  }

  /** `n` changes made by the rep in Salesforce, then the flagged Salesforce-side attacks. */
  async salesforceRound(n: number, round: number): Promise<void> {
    const leads = await this.sample('lead', n * 3, 'NOT isconverted');
    const contacts = await this.sample('contact', n);
    const campaigns = await this.sample('campaign', 3);
    const members = await this.sample('campaignmember', n);
    for (let i = 0; i < n; i++) {
      const roll = this.rng.next();
      const text = `${this.tag}-sf-${this.serial++}`;
      if (roll < 0.25 && leads.length > 0) {
        const id = leads.pop()!;
        const rating = this.rng.pick(LEAD_RATINGS);
        this.write([{ op: 'update', type: 'Lead', id, values: { Title: text, Rating: rating } }]);
        this.field('salesforce', 'Lead', id, 'Title', text);
        this.field('salesforce', 'Lead', id, 'Rating', rating);
        this.count('salesforce', 'lead update');
      } else if (roll < 0.35 && contacts.length > 0) {
        const id = contacts.pop()!;
        this.write([{ op: 'update', type: 'Contact', id, values: { Title: text, Department: `Dept ${this.serial}` } }]);
        this.field('salesforce', 'Contact', id, 'Title', text);
        this.count('salesforce', 'contact update');
      } else if (roll < 0.42) {
        const [id] = this.write([
          {
            op: 'create',
            type: 'Lead',
            values: { LastName: `Rep ${text}`, Company: 'Chaos Inc', Email: `${text}@rep.example.test` },
          },
        ]);
        this.field('salesforce', 'Lead', id!, 'LastName', `Rep ${text}`);
        this.records.push({ side: 'salesforce', object: 'Lead', field: 'LastName', value: `Rep ${text}` });
        this.count('salesforce', 'lead create');
      } else if (roll < 0.46) {
        const [id] = this.write([
          {
            op: 'create',
            type: 'Contact',
            values: { LastName: `Rep ${text}`, Email: `${text}@rep-contact.example.test` },
          },
        ]);
        this.records.push({ side: 'salesforce', object: 'Contact', field: 'LastName', value: `Rep ${text}` });
        this.retire(id!);
        this.count('salesforce', 'contact create');
      } else if (roll < 0.5 && contacts.length > 0) {
        const id = contacts.pop()!;
        this.write([{ op: 'delete', type: 'Contact', id }]);
        await this.deleteExpected('salesforce', 'Contact', id);
        this.count('salesforce', 'contact delete');
      } else if (roll < 0.55 && leads.length > 0) {
        const id = leads.pop()!;
        this.write([{ op: 'delete', type: 'Lead', id }]);
        this.deleted.push(id);
        await this.deleteExpected('salesforce', 'Lead', id);
        this.count('salesforce', 'lead delete');
      } else if (roll < 0.58 && this.deleted.length > 0) {
        const id = this.deleted.shift()!;
        this.write([{ op: 'undelete', id }]);
        this.deletions.delete(id);
        this.count('salesforce', 'lead undelete');
      } else if (roll < 0.63 && leads.length >= 2) {
        const master = leads.pop()!;
        const loser = leads.pop()!;
        const [result] = mergeRecords(this.emulator.store, this.rep, [
          { masterRecord: { type: 'Lead', Id: master }, recordToMergeIds: [loser] },
        ]);
        if (!result?.success) throw new Error(`rep merge failed: ${JSON.stringify(result?.errors)}`);
        this.retire(master);
        this.retire(loser);
        this.count('salesforce', 'lead merge');
      } else if (roll < 0.69 && leads.length > 0) {
        const id = leads.pop()!;
        const [result] = convertLeads(this.emulator.store, this.rep, [
          { leadId: id, convertedStatus: 'Closed - Converted', doNotCreateOpportunity: this.rng.chance(0.5) },
        ]);
        if (!result?.success) throw new Error(`rep conversion failed: ${JSON.stringify(result?.errors)}`);
        this.retire(id);
        this.count('salesforce', 'lead conversion');
      } else if (roll < 0.75 && campaigns.length > 0) {
        const id = this.rng.pick(campaigns);
        const status = this.rng.pick(CAMPAIGN_STATUSES);
        this.write([{ op: 'update', type: 'Campaign', id, values: { Status: status } }]);
        this.field('salesforce', 'Campaign', id, 'Status', status);
        this.count('salesforce', 'campaign status');
      } else if (roll < 0.78) {
        const name = `Rep campaign ${text}`;
        const [id] = this.write([{ op: 'create', type: 'Campaign', values: { Name: name, Status: 'Planned' } }]);
        this.records.push({ side: 'salesforce', object: 'Campaign', field: 'Name', value: name });
        this.retire(id!);
        this.count('salesforce', 'campaign create');
      } else if (roll < 0.82 && members.length > 0) {
        const id = members.pop()!;
        this.write([{ op: 'delete', type: 'CampaignMember', id }]);
        await this.deleteExpected('salesforce', 'CampaignMember', id);
        this.count('salesforce', 'member delete');
      } else if (members.length > 0) {
        const id = members.pop()!;
        const { rows } = await this.db.query(
          `SELECT s.label FROM salesforce.campaignmember m JOIN salesforce.campaignmemberstatus s ON s.campaignid = m.campaignid AND NOT s.isdeleted WHERE m.sfid = $1 ORDER BY s.label`,
          [id],
        );
        if (rows.length === 0) continue;
        const label = this.rng.pick(rows.map((r) => r.label as string));
        this.write([{ op: 'update', type: 'CampaignMember', id, values: { Status: label } }]);
        this.field('salesforce', 'CampaignMember', id, 'Status', label);
        this.count('salesforce', 'member status');
      }
    }
    if (this.flags.limitDates && campaigns.length > 0) {
      // EndDate here, StartDate on the marketing side: the two sides never race for one field.
      const id = this.rng.pick(campaigns);
      const date = round % 2 === 0 ? '4000-12-31' : '1700-01-01';
      this.write([{ op: 'update', type: 'Campaign', id, values: { EndDate: date } }]);
      this.field('salesforce', 'Campaign', id, 'EndDate', date);
      this.count('salesforce', 'limit date');
    }
    if (this.flags.bigNumbers && campaigns.length > 0) {
      // 15 significant digits survive a double; these have 18, and differ from their float in the last ones.
      // ActualCost here, BudgetedCost on the marketing side (Lead.AnnualRevenue is hidden from the sync user).
      const id = this.rng.pick(campaigns);
      const value = `98765432109876${String(4321 + round).padStart(4, '0')}`;
      this.write([{ op: 'update', type: 'Campaign', id, values: { ActualCost: value } }]);
      this.field('salesforce', 'Campaign', id, 'ActualCost', value);
      this.count('salesforce', '18-digit number');
    }
    if (this.flags.poison && leads.length > 0) {
      // PostgreSQL text cannot hold NUL (https://www.postgresql.org/docs/current/datatype-character.html):
      // the record must still arrive, and nothing else in its object be held back by it.
      const id = leads.pop()!;
      this.write([{ op: 'update', type: 'Lead', id, values: { Description: `poison\u0000${this.tag}` } }]);
      this.exempt.push({ object: 'Lead', sfid: id, why: 'NUL in Description' });
      this.retire(id);
      this.count('salesforce', 'poison value');
    }
    if (this.flags.visibility) {
      // Round by round: one lead to the executive (invisible to the sync user), the previous one back.
      const back = this.hidden.shift();
      if (back) {
        this.write([{ op: 'update', type: 'Lead', id: back, values: { OwnerId: this.rep.id } }]);
        this.retired.delete(back);
        this.field('salesforce', 'Lead', back, 'OwnerId', this.rep.id);
        this.count('salesforce', 'visible again');
      }
      const id = leads.pop();
      if (id) {
        this.write([{ op: 'update', type: 'Lead', id, values: { OwnerId: this.executive.id } }]);
        this.hidden.push(id);
        this.retire(id);
        this.count('salesforce', 'made invisible');
      }
    }
  }

  /** A local row id and sfid for a random synced lead or contact, to make a campaign member of. */
  private async memberCandidate(): Promise<{ column: 'leadid' | 'contactid'; sfid: string } | null> {
    const table = this.rng.chance(0.5) ? 'lead' : 'contact';
    const [sfid] = await this.sample(table, 1, table === 'lead' ? 'NOT isconverted' : 'true');
    return sfid ? { column: table === 'lead' ? 'leadid' : 'contactid', sfid } : null;
  }

  private async insert(table: string, values: Record<string, unknown>): Promise<string> {
    const cols = Object.keys(values);
    const { rows } = await this.db.query(
      `INSERT INTO salesforce.${table} (${cols.join(', ')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING id::text AS id`,
      Object.values(values),
    );
    return rows[0].id as string;
  }

  /** `n` changes made on the marketing side in PostgreSQL, then the flagged attacks, and now and then a value Salesforce refuses. */
  async marketingRound(n: number, options: { invalid?: boolean; round?: number } = {}): Promise<void> {
    const round = options.round ?? 0;
    const leads = await this.sample('lead', n + 4, 'NOT isconverted');
    const contacts = await this.sample('contact', n);
    const campaigns = await this.sample('campaign', 3);
    const members = await this.sample('campaignmember', 2);
    for (let i = 0; i < n; i++) {
      const roll = this.rng.next();
      const text = `${this.tag}-mk-${this.serial++}`;
      if (roll < 0.3 && leads.length > 0) {
        const id = leads.pop()!;
        const industry = this.rng.pick(INDUSTRIES);
        const phone = `555-${String(this.serial).padStart(4, '0')}`;
        await this.db.query(`UPDATE salesforce.lead SET phone = $2, industry = $3 WHERE sfid = $1`, [
          id,
          phone,
          industry,
        ]);
        this.field('marketing', 'Lead', id, 'Phone', phone);
        this.field('marketing', 'Lead', id, 'Industry', industry);
        this.count('marketing', 'lead update');
      } else if (roll < 0.45 && contacts.length > 0) {
        const id = contacts.pop()!;
        const mobile = `555-7${String(this.serial).padStart(3, '0')}`;
        await this.db.query(`UPDATE salesforce.contact SET mobilephone = $2 WHERE sfid = $1`, [id, mobile]);
        this.field('marketing', 'Contact', id, 'MobilePhone', mobile);
        this.count('marketing', 'contact update');
      } else if (roll < 0.6) {
        const email = `${text}@marketing.example.test`;
        await this.insert('lead', { lastname: `Mk ${text}`, company: 'Chaos Marketing', email });
        this.records.push({ side: 'marketing', object: 'Lead', field: 'Email', value: email });
        this.count('marketing', 'lead insert');
      } else if (roll < 0.68) {
        const last = `Mk ${text}`;
        await this.insert('contact', { lastname: last, email: `${text}@marketing-contact.example.test` });
        this.records.push({ side: 'marketing', object: 'Contact', field: 'LastName', value: last });
        this.count('marketing', 'contact insert');
      } else if (roll < 0.74 && campaigns.length > 0) {
        const who = await this.memberCandidate();
        const campaign = this.rng.pick(campaigns);
        if (!who) continue;
        const { rows } = await this.db.query(
          `SELECT 1 FROM salesforce.campaignmember WHERE campaignid = $1 AND ${who.column} = $2`,
          [campaign, who.sfid],
        );
        if (rows.length > 0) continue; // already a member: Salesforce would refuse a second membership
        const rowId = await this.insert('campaignmember', { campaignid: campaign, [who.column]: who.sfid });
        this.expect({
          side: 'marketing',
          object: 'CampaignMember',
          table: 'campaignmember',
          rowId,
          field: who.column === 'leadid' ? 'LeadId' : 'ContactId',
          value: who.sfid,
          parent: who.sfid,
        });
        this.count('marketing', 'member insert');
      } else if (roll < 0.78 && members.length > 0) {
        const id = members.pop()!;
        await this.db.query(`DELETE FROM salesforce.campaignmember WHERE sfid = $1`, [id]);
        await this.deleteExpected('marketing', 'CampaignMember', id);
        this.count('marketing', 'member delete');
      } else if (roll < 0.82 && leads.length > 0) {
        const id = leads.pop()!;
        await this.db.query(`DELETE FROM salesforce.lead WHERE sfid = $1`, [id]);
        await this.deleteExpected('marketing', 'Lead', id);
        this.count('marketing', 'lead delete');
      } else if (roll < 0.85 && contacts.length > 0) {
        const id = contacts.pop()!;
        await this.db.query(`DELETE FROM salesforce.contact WHERE sfid = $1`, [id]);
        await this.deleteExpected('marketing', 'Contact', id);
        this.count('marketing', 'contact delete');
      } else if (roll < 0.9 && leads.length > 0) {
        // A key column: the email Tandem matches leads by.
        const id = leads.pop()!;
        const email = `${text}@renamed.example.test`;
        await this.db.query(`UPDATE salesforce.lead SET email = $2 WHERE sfid = $1`, [id, email]);
        this.field('marketing', 'Lead', id, 'Email', email);
        this.count('marketing', 'email change');
      } else if (campaigns.length > 0) {
        const id = campaigns.pop()!;
        await this.db.query(`UPDATE salesforce.campaign SET description = $2 WHERE sfid = $1`, [id, text]);
        this.field('marketing', 'Campaign', id, 'Description', text);
        this.count('marketing', 'campaign update');
      }
    }
    const text = `${this.tag}-mk-${this.serial++}`;
    if (this.flags.limitDates && campaigns.length > 0) {
      const id = campaigns.pop()!;
      const date = round % 2 === 0 ? '1700-01-01' : '4000-12-31';
      await this.db.query(`UPDATE salesforce.campaign SET startdate = $2 WHERE sfid = $1`, [id, date]);
      this.field('marketing', 'Campaign', id, 'StartDate', date);
      this.count('marketing', 'limit dates');
    }
    if (this.flags.bigNumbers && campaigns.length > 0) {
      const id = campaigns.pop()!;
      const value = `12345678901234${String(5678 + round).padStart(4, '0')}`;
      await this.db.query(`UPDATE salesforce.campaign SET budgetedcost = $2 WHERE sfid = $1`, [id, value]);
      this.field('marketing', 'Campaign', id, 'BudgetedCost', value);
      this.count('marketing', '18-digit number');
    }
    if (this.flags.campaignInserts) {
      const name = `Mk campaign ${text}`;
      await this.insert('campaign', { name, status: 'Planned' });
      this.records.push({ side: 'marketing', object: 'Campaign', field: 'Name', value: name });
      this.count('marketing', 'campaign insert');
    }
    if (this.flags.keyCopy && leads.length > 0) {
      // A marketer duplicates a row with SQL, Tandem's external id and all: it must become a second record, the original untouched.
      const source = leads.pop()!;
      const email = `${text}@copied.example.test`;
      // The fields a marketer would copy (writable ones: Tandem refuses writes to read-only columns), the key among them.
      const cols = ['firstname', 'company', 'title', 'phone', 'industry', 'leadsource', 'tandem_id__c'];
      await this.db.query(
        `INSERT INTO salesforce.lead (${cols.join(', ')}, email, lastname) SELECT ${cols.join(', ')}, $2, $3 FROM salesforce.lead WHERE sfid = $1`,
        [source, email, `Copy ${text}`],
      );
      this.records.push({ side: 'marketing', object: 'Lead', field: 'Email', value: email });
      this.retire(source);
      this.count('marketing', 'row copied with its key');
    }
    if (this.flags.forgedOrigin && leads.length > 0) {
      // Tandem's echo suppression reads a setting any SQL user can set: a marketing edit under it must still be pushed.
      const id = leads.pop()!;
      const client = await this.db.connect();
      try {
        await client.query('BEGIN');
        await client.query(`SET LOCAL tandem.origin = 'tandem'`);
        await client.query(`UPDATE salesforce.lead SET title = $2 WHERE sfid = $1`, [id, `Forged ${text}`]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
      this.field('marketing', 'Lead', id, 'Title', `Forged ${text}`);
      this.count('marketing', 'forged origin');
    }
    if (this.flags.idChange && leads.length > 0) {
      const id = leads.pop()!;
      await this.db.query(
        `UPDATE salesforce.lead SET id = nextval(pg_get_serial_sequence('salesforce.lead', 'id')) WHERE sfid = $1`,
        [id],
      );
      await this.db.query(`UPDATE salesforce.lead SET title = $2 WHERE sfid = $1`, [id, `Moved ${text}`]);
      this.field('marketing', 'Lead', id, 'Title', `Moved ${text}`);
      this.count('marketing', 'local id change');
    }
    if (options.invalid) {
      // A restricted picklist value Salesforce refuses: a sync_error, and the rest of the batch goes through.
      const [id] = await this.sample('lead', 1, 'NOT isconverted');
      if (id) {
        const { rows } = await this.db.query(
          `UPDATE salesforce.lead SET status = 'Not A Real Status' WHERE sfid = $1 RETURNING id::text AS id`,
          [id],
        );
        this.retire(id);
        this.invalidRows.push({ object: 'Lead', rowId: rows[0].id, why: 'unknown restricted picklist value' });
        this.count('marketing', 'invalid value');
      }
    }
  }

  /** What the judge checks against the end state: the changes still expected (retired records excepted), creations, deletions, refusals. */
  expected(): Pick<AuditInput, 'values' | 'records' | 'deletions' | 'refusals' | 'exempt'> {
    const values = [...this.expectations.values()]
      .filter((e) => !(e.sfid && this.retired.has(e.sfid)) && !(e.parent && this.retired.has(e.parent)))
      .map(({ side, object, sfid, rowId, field, value }): ExpectedValue => ({
        side,
        object,
        sfid,
        rowId,
        field,
        value,
      }));
    return {
      values,
      records: this.records,
      deletions: [...this.deletions.values()],
      refusals: this.invalidRows,
      exempt: this.exempt,
    };
  }

  /** Changes checked individually. */
  get checks(): number {
    const e = this.expected();
    return e.values.length + e.records.length + e.deletions.length + e.refusals.length;
  }
}
