/**
 * The changes a chaos run makes on both sides while the sync runs, and what each should end as.
 * Salesforce side: a rep (full access) edits through the org itself, as a person in the UI would —
 * field edits, creates, deletes, undeletes, merges, lead conversions, campaign and member status
 * changes — unaffected by the API faults injected for Tandem. Marketing side: SQL on the synced
 * tables (updates, inserts, and a few values Salesforce must refuse). The two sides edit different
 * fields, so each change's final value is known without a conflict rule; conflicts are the
 * convergence test's subject (test/reliability/convergence.test.ts).
 */
import type pg from 'pg';
import type { RunningEmulator } from '../src/emulator/server';
import { mergeRecords } from '../src/emulator/semantics/merge';
import { convertLeads } from '../src/emulator/semantics/convert-lead';
import type { OrgUser } from '../src/emulator/users';
import type { Rng } from './rng';

/** A change whose value must be in PostgreSQL (and, with no mismatch, in Salesforce) at the end. */
interface Expectation {
  side: 'salesforce' | 'marketing';
  table: string;
  sfid: string;
  column: string;
  value: string;
}

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
  /** Emails of leads inserted on the marketing side: each must exist exactly once in Salesforce. */
  readonly insertedEmails: string[] = [];
  /** Rows given values Salesforce refuses: each must end with an open sync_error. */
  readonly invalidRows: { object: string; rowId: string; why: string }[] = [];
  private serial = 0;
  private readonly rep: OrgUser;

  constructor(
    private readonly rng: Rng,
    private readonly emulator: RunningEmulator,
    private readonly db: pg.Pool,
    private readonly tag: string,
  ) {
    const rep = emulator.store.users.get(emulator.credentials.rep.userId);
    if (!rep) throw new Error('the emulator has no rep user');
    this.rep = rep;
  }

  private count(side: 'salesforce' | 'marketing', kind: string): void {
    this.counts[side][kind] = (this.counts[side][kind] ?? 0) + 1;
  }

  total(side: 'salesforce' | 'marketing'): number {
    return Object.values(this.counts[side]).reduce((a, b) => a + b, 0);
  }

  private expect(e: Expectation): void {
    this.expectations.set(`${e.table}|${e.sfid}|${e.column}`, e);
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
  async salesforceRound(n: number): Promise<void> {
    const leads = await this.sample('lead', n * 3, 'NOT isconverted');
    const contacts = await this.sample('contact', n);
    const campaigns = await this.sample('campaign', 3);
    const members = await this.sample('campaignmember', n);
    for (let i = 0; i < n; i++) {
      const roll = this.rng.next();
      const text = `${this.tag}-sf-${this.serial++}`;
      if (roll < 0.3 && leads.length > 0) {
        const id = leads.pop()!;
        const rating = this.rng.pick(LEAD_RATINGS);
        this.write([{ op: 'update', type: 'Lead', id, values: { Title: text, Rating: rating } }]);
        this.expect({ side: 'salesforce', table: 'lead', sfid: id, column: 'title', value: text });
        this.expect({ side: 'salesforce', table: 'lead', sfid: id, column: 'rating', value: rating });
        this.count('salesforce', 'lead update');
      } else if (roll < 0.45 && contacts.length > 0) {
        const id = contacts.pop()!;
        this.write([{ op: 'update', type: 'Contact', id, values: { Title: text, Department: `Dept ${this.serial}` } }]);
        this.expect({ side: 'salesforce', table: 'contact', sfid: id, column: 'title', value: text });
        this.count('salesforce', 'contact update');
      } else if (roll < 0.55) {
        const [id] = this.write([{ op: 'create', type: 'Lead', values: { LastName: `Rep ${text}`, Company: 'Chaos Inc', Email: `${text}@rep.example.test` } }]);
        this.expect({ side: 'salesforce', table: 'lead', sfid: id!, column: 'lastname', value: `Rep ${text}` });
        this.count('salesforce', 'lead create');
      } else if (roll < 0.62 && leads.length > 0) {
        const id = leads.pop()!;
        this.write([{ op: 'delete', type: 'Lead', id }]);
        this.deleted.push(id);
        this.retire(id);
        this.count('salesforce', 'lead delete');
      } else if (roll < 0.66 && this.deleted.length > 0) {
        const id = this.deleted.shift()!;
        this.write([{ op: 'undelete', id }]);
        this.count('salesforce', 'lead undelete');
      } else if (roll < 0.73 && leads.length >= 2) {
        const master = leads.pop()!;
        const loser = leads.pop()!;
        const [result] = mergeRecords(this.emulator.store, this.rep, [{ masterRecord: { type: 'Lead', Id: master }, recordToMergeIds: [loser] }]);
        if (!result?.success) throw new Error(`rep merge failed: ${JSON.stringify(result?.errors)}`);
        this.retire(master);
        this.retire(loser);
        this.count('salesforce', 'lead merge');
      } else if (roll < 0.8 && leads.length > 0) {
        const id = leads.pop()!;
        const [result] = convertLeads(this.emulator.store, this.rep, [{ leadId: id, convertedStatus: 'Closed - Converted', doNotCreateOpportunity: this.rng.chance(0.5) }]);
        if (!result?.success) throw new Error(`rep conversion failed: ${JSON.stringify(result?.errors)}`);
        this.retire(id);
        this.count('salesforce', 'lead conversion');
      } else if (roll < 0.88 && campaigns.length > 0) {
        const id = this.rng.pick(campaigns);
        const status = this.rng.pick(CAMPAIGN_STATUSES);
        this.write([{ op: 'update', type: 'Campaign', id, values: { Status: status } }]);
        this.expect({ side: 'salesforce', table: 'campaign', sfid: id, column: 'status', value: status });
        this.count('salesforce', 'campaign status');
      } else if (members.length > 0) {
        const id = members.pop()!;
        const { rows } = await this.db.query(
          `SELECT s.label FROM salesforce.campaignmember m JOIN salesforce.campaignmemberstatus s ON s.campaignid = m.campaignid AND NOT s.isdeleted WHERE m.sfid = $1 ORDER BY s.label`,
          [id],
        );
        if (rows.length === 0) continue;
        const label = this.rng.pick(rows.map((r) => r.label as string));
        this.write([{ op: 'update', type: 'CampaignMember', id, values: { Status: label } }]);
        this.expect({ side: 'salesforce', table: 'campaignmember', sfid: id, column: 'status', value: label });
        this.count('salesforce', 'member status');
      }
    }
  }

  /** `n` changes made on the marketing side in PostgreSQL, and now and then a value Salesforce refuses. */
  async marketingRound(n: number, options: { invalid?: boolean } = {}): Promise<void> {
    const leads = await this.sample('lead', n, 'NOT isconverted');
    const contacts = await this.sample('contact', n);
    const campaigns = await this.sample('campaign', 2);
    for (let i = 0; i < n; i++) {
      const roll = this.rng.next();
      const text = `${this.tag}-mk-${this.serial++}`;
      if (roll < 0.45 && leads.length > 0) {
        const id = leads.pop()!;
        const industry = this.rng.pick(INDUSTRIES);
        const phone = `555-${String(this.serial).padStart(4, '0')}`;
        await this.db.query(`UPDATE salesforce.lead SET phone = $2, industry = $3 WHERE sfid = $1`, [id, phone, industry]);
        this.expect({ side: 'marketing', table: 'lead', sfid: id, column: 'phone', value: phone });
        this.expect({ side: 'marketing', table: 'lead', sfid: id, column: 'industry', value: industry });
        this.count('marketing', 'lead update');
      } else if (roll < 0.7 && contacts.length > 0) {
        const id = contacts.pop()!;
        const mobile = `555-7${String(this.serial).padStart(3, '0')}`;
        await this.db.query(`UPDATE salesforce.contact SET mobilephone = $2 WHERE sfid = $1`, [id, mobile]);
        this.expect({ side: 'marketing', table: 'contact', sfid: id, column: 'mobilephone', value: mobile });
        this.count('marketing', 'contact update');
      } else if (roll < 0.9) {
        const email = `${text}@marketing.example.test`;
        await this.db.query(`INSERT INTO salesforce.lead (lastname, company, email) VALUES ($1, 'Chaos Marketing', $2)`, [`Mk ${text}`, email]);
        this.insertedEmails.push(email);
        this.count('marketing', 'lead insert');
      } else if (campaigns.length > 0) {
        const id = campaigns.pop()!;
        await this.db.query(`UPDATE salesforce.campaign SET description = $2 WHERE sfid = $1`, [id, text]);
        this.expect({ side: 'marketing', table: 'campaign', sfid: id, column: 'description', value: text });
        this.count('marketing', 'campaign update');
      }
    }
    if (options.invalid) {
      // A restricted picklist value Salesforce refuses: a sync_error, and the rest of the batch goes through.
      const [id] = await this.sample('lead', 1, 'NOT isconverted');
      if (id) {
        const { rows } = await this.db.query(`UPDATE salesforce.lead SET status = 'Not A Real Status' WHERE sfid = $1 RETURNING id::text AS id`, [id]);
        this.retire(id);
        this.invalidRows.push({ object: 'Lead', rowId: rows[0].id, why: 'unknown restricted picklist value' });
        this.count('marketing', 'invalid value');
      }
    }
  }

  /** Changes whose value is not in PostgreSQL at the end, and marketing inserts not in Salesforce exactly once. */
  async lostChanges(): Promise<{ lost: number; duplicates: number; missingSyncErrors: number; checked: number; examples: string[] }> {
    let lost = 0;
    let duplicates = 0;
    let checked = 0;
    const examples: string[] = [];
    for (const e of this.expectations.values()) {
      if (this.retired.has(e.sfid)) continue;
      checked++;
      const { rows } = await this.db.query(`SELECT ${e.column}::text AS v, isdeleted FROM salesforce.${e.table} WHERE sfid = $1`, [e.sfid]);
      if (rows.length !== 1 || rows[0].v !== e.value) {
        lost++;
        if (examples.length < 10) examples.push(`${e.side} change ${e.table} ${e.sfid}.${e.column} = ${e.value}: PostgreSQL has ${rows.map((r) => r.v).join(',') || 'no row'}`);
      }
    }
    for (const email of this.insertedEmails) {
      checked++;
      const remote = this.emulator.store.query(this.rep, `SELECT Id FROM Lead WHERE Email = '${email}'`, { includeDeleted: false }).totalSize;
      const { rows } = await this.db.query(`SELECT sfid FROM salesforce.lead WHERE email = $1`, [email]);
      if (remote > 1) duplicates += remote - 1;
      if (remote === 0 || rows.length !== 1 || !rows[0].sfid) {
        lost++;
        if (examples.length < 10) examples.push(`marketing insert ${email}: ${remote} in Salesforce, local sfid ${rows[0]?.sfid ?? 'none'}`);
      }
    }
    let missingSyncErrors = 0;
    for (const row of this.invalidRows) {
      const { rows } = await this.db.query(`SELECT count(*)::int AS n FROM tandem.sync_error WHERE object = $1 AND row_id = $2 AND resolved_at IS NULL`, [row.object, row.rowId]);
      if (rows[0].n !== 1) {
        missingSyncErrors++;
        if (examples.length < 10) examples.push(`${row.object} row ${row.rowId} (${row.why}): no open sync_error`);
      }
    }
    return { lost, duplicates, missingSyncErrors, checked, examples };
  }
}
