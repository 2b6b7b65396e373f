// Convergence at scale: the property of test/push/convergence.property.test.ts (random interleaved edits
// on both sides end converged, conflicts decided by rule) widened to the structural changes that hurt
// the systems Tandem replaces (Marketo sync failures after a delete, https://experienceleague.adobe.com/en/docs/experience-cloud-kcs/kbarticles/ka-28722;
// campaign status mismatches, https://experienceleague.adobe.com/en/docs/marketo/using/product-docs/crm-sync/salesforce-sync/sfdc-sync-details/sfdc-sync-campaign-sync): deletes and undeletes, merges, lead
// conversions, campaign and member status changes (valid and invalid), and marketing-side inserts —
// interleaved with field edits on both sides, same field and different fields, over several cycles.
// Runs on the push test org (chaos/push-org.ts, its cycle = what the workflow runs each cycle).
// Oracle: after the plan and two quiet cycles, every record of the run is equal on both sides for every
// field the sync user sees; no row twice; nothing pending; every refused change is an open sync_error;
// each field touched only by unambiguous edits ends with the value the rules predict (last writer per
// cycle; same-field conflicts: Lead marketing-wins, Contact and Campaign salesforce-wins); deletes,
// merges and conversions are mirrored. Used by convergence.test.ts (a few dozen runs inside `npm test`)
// and by `npm run convergence` (chaos/convergence.ts, ≥ 500 runs).
import fc from 'fast-check';
import type pg from 'pg';
import { sameValue } from './org-kit';
import { readObjectState } from '../src/db/state';
import { convertLeads } from '../src/emulator/semantics/convert-lead';
import { mergeRecords } from '../src/emulator/semantics/merge';
import type { OrgUser } from '../src/emulator/users';
import { startPushOrg, type PushOrg } from './push-org';

/** One change between two cycles. `rec` indexes the run's leads (0–2) or is ignored. */
export type ConvergenceEvent =
  | { kind: 'sfEdit' | 'mkEdit'; object: 'Lead' | 'Contact' | 'Campaign'; rec: number; field: number }
  | { kind: 'sfDelete' | 'sfUndelete' | 'sfConvert'; rec: number }
  | { kind: 'sfMerge'; rec: number; other: number }
  | { kind: 'sfCampaignStatus' | 'mkCampaignStatus'; value: number }
  | { kind: 'sfMemberStatus' | 'mkMemberStatus'; valid: boolean }
  | { kind: 'mkInsertLead' };

/** The fields edited per object (all text; values are unique per edit, so no edit restores an older value). */
const FIELDS = {
  Lead: [
    { field: 'Title', column: 'title' },
    { field: 'Phone', column: 'phone' },
    { field: 'Website', column: 'website' },
  ],
  Contact: [
    { field: 'Title', column: 'title' },
    { field: 'Department', column: 'department' },
  ],
  Campaign: [{ field: 'Description', column: 'description' }],
} as const;
/** Same-field conflict defaults (Marketo's; src/objects/<object>.ts). */
const WINNER: Record<keyof typeof FIELDS, 'marketing' | 'salesforce'> = {
  Lead: 'marketing',
  Contact: 'salesforce',
  Campaign: 'salesforce',
};
const CAMPAIGN_STATUSES = ['Planned', 'In Progress', 'Completed', 'Aborted'];

/** `values[index]`, or the next one when that is `current`. */
function differentFrom(current: string, values: readonly string[], index: number): string {
  const pick = values[index % values.length]!;
  return pick === current ? values[(index + 1) % values.length]! : pick;
}

/** The fast-check arbitrary of one run's plan: 1–4 cycles of 1–6 events. */
export function planArbitrary(): fc.Arbitrary<ConvergenceEvent[][]> {
  const object = fc.constantFrom<'Lead' | 'Contact' | 'Campaign'>('Lead', 'Lead', 'Contact', 'Campaign');
  const event: fc.Arbitrary<ConvergenceEvent> = fc.oneof(
    {
      weight: 6,
      arbitrary: fc.record({
        kind: fc.constantFrom<'sfEdit' | 'mkEdit'>('sfEdit', 'mkEdit'),
        object,
        rec: fc.nat(2),
        field: fc.nat(2),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constantFrom<'sfDelete' | 'sfUndelete' | 'sfConvert'>('sfDelete', 'sfUndelete', 'sfConvert'),
        rec: fc.nat(2),
      }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant<'sfMerge'>('sfMerge'), rec: fc.nat(2), other: fc.nat(2) }) },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constantFrom<'sfCampaignStatus' | 'mkCampaignStatus'>('sfCampaignStatus', 'mkCampaignStatus'),
        value: fc.nat(3),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constantFrom<'sfMemberStatus' | 'mkMemberStatus'>('sfMemberStatus', 'mkMemberStatus'),
        valid: fc.boolean(),
      }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant<'mkInsertLead'>('mkInsertLead') }) },
  );
  return fc.array(fc.array(event, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 4 });
}

/** What a property run found wrong (empty when it converged). */
export type Findings = string[];

/** The run's records: three leads, a contact, a campaign with one member (lead 0). */
interface RunRecords {
  leads: string[];
  contact: string;
  campaign: string;
  member: string;
}

/** The org and database the property runs on, created once. */
export interface ConvergenceWorld {
  org: PushOrg;
  stop(): Promise<void>;
}

/** Starts the push test org on `pool` (an empty org, copied). */
export async function startConvergenceWorld(pool: pg.Pool): Promise<ConvergenceWorld> {
  const org = await startPushOrg(pool, { describeIntervalSeconds: 3600, deletedCheckIntervalSeconds: 0 });
  return { org, stop: () => org.emulator.stop() };
}

/** Runs one plan and returns what did not converge. */
export async function runPlan(world: ConvergenceWorld, run: number, plan: ConvergenceEvent[][]): Promise<Findings> {
  const { org } = world;
  const store = org.emulator.store;
  const rep: OrgUser = store.users.get(org.emulator.credentials.rep.userId)!;
  const findings: Findings = [];
  let serial = 0;
  const unique = (): string => `r${run}v${serial++}`;
  const write = (op: Parameters<typeof store.applyWrites>[1][number]): boolean =>
    store.applyWrites(rep, [op])[0]!.success;

  // Fresh records, created by the rep and pulled, so every run starts agreed.
  const [campaign] = store.applyWrites(rep, [
    { op: 'create', type: 'Campaign', values: { Name: `Run ${run}`, Status: 'Planned' } },
  ]);
  const leads = store.applyWrites(
    rep,
    [0, 1, 2].map((i) => ({
      op: 'create' as const,
      type: 'Lead',
      values: { LastName: `R${run}-${i}`, Company: 'Conv', Email: `r${run}-${i}@conv.example` },
    })),
  );
  const [contact] = store.applyWrites(rep, [{ op: 'create', type: 'Contact', values: { LastName: `C${run}` } }]);
  const [member] = store.applyWrites(rep, [
    {
      op: 'create',
      type: 'CampaignMember',
      values: { CampaignId: campaign!.id, LeadId: leads[0]!.id, Status: 'Sent' },
    },
  ]);
  const records: RunRecords = {
    leads: leads.map((l) => l.id!),
    contact: contact!.id!,
    campaign: campaign!.id!,
    member: member!.id!,
  };
  await org.cycle();

  const rowId = async (table: string, sfid: string): Promise<string | undefined> =>
    (await org.sql<{ id: string }>(`SELECT id FROM salesforce.${table} WHERE sfid = $1`, [sfid]))[0]?.id;
  const sfidOf = (object: keyof typeof FIELDS, rec: number): string =>
    object === 'Lead' ? records.leads[rec]! : object === 'Contact' ? records.contact : records.campaign;
  /** Records whose field values no longer follow from the edits alone (merged, converted, deleted). */
  const structural = new Set<string>();
  const deleted = new Set<string>();
  const merged = new Map<string, string>(); // loser → master
  const converted = new Set<string>();
  const insertedEmails: string[] = [];
  const expectSyncError: { object: string; sfid: string; code: string }[] = [];
  /** Predicted final value per `sfid|column`. */
  const predicted = new Map<string, string>();
  let campaignStatus: string | null = 'Planned';
  let memberStatusExpected: string | null = 'Sent';
  // Each side's current value of the campaign and member status, so every status change is a real change.
  let sfCampaign = 'Planned';
  let mkCampaign = 'Planned';
  let sfMember = 'Sent';
  let mkMember = 'Sent';

  for (const events of plan) {
    const sfThisCycle = new Map<string, string>();
    const mkThisCycle = new Map<string, string>();
    let invalidMemberStatus = false;
    for (const e of events) {
      switch (e.kind) {
        case 'sfEdit':
        case 'mkEdit': {
          const fields = FIELDS[e.object];
          const f = fields[e.field % fields.length]!;
          const sfid = sfidOf(e.object, e.rec);
          const value = unique();
          const key = `${sfid}|${f.column}`;
          if (e.kind === 'sfEdit') {
            if (write({ op: 'update', type: e.object, id: sfid, values: { [f.field]: value } }))
              sfThisCycle.set(key, value);
          } else {
            const id = await rowId(e.object.toLowerCase(), sfid);
            if (!id) break;
            await org.sql(`UPDATE salesforce.${e.object.toLowerCase()} SET ${f.column} = $1 WHERE id = $2`, [
              value,
              id,
            ]);
            mkThisCycle.set(key, value);
          }
          break;
        }
        case 'sfDelete': {
          const id = records.leads[e.rec]!;
          if (write({ op: 'delete', type: 'Lead', id })) {
            deleted.add(id);
            structural.add(id);
            if (id === records.leads[0]) memberStatusExpected = null; // its membership went with it (cascade)
          }
          break;
        }
        case 'sfUndelete': {
          const id = records.leads[e.rec]!;
          if (deleted.has(id) && write({ op: 'undelete', id })) deleted.delete(id);
          break;
        }
        case 'sfConvert': {
          const id = records.leads[e.rec]!;
          const [result] = convertLeads(store, rep, [
            { leadId: id, convertedStatus: 'Closed - Converted', doNotCreateOpportunity: true },
          ]);
          if (result?.success) {
            converted.add(id);
            structural.add(id);
            if (id === records.leads[0]) memberStatusExpected = null; // the membership moved to the new contact
          }
          break;
        }
        case 'sfMerge': {
          const master = records.leads[e.rec]!;
          const loser = records.leads[e.other]!;
          // Salesforce does not merge converted leads (the emulator would): a rep could not do it.
          if (master === loser || converted.has(master) || converted.has(loser)) break;
          const [result] = mergeRecords(store, rep, [
            { masterRecord: { type: 'Lead', Id: master }, recordToMergeIds: [loser] },
          ]);
          if (result?.success) {
            merged.set(loser, master);
            structural.add(master);
            structural.add(loser);
            if (loser === records.leads[0]) memberStatusExpected = null;
          }
          break;
        }
        case 'sfCampaignStatus': {
          // Always a different value: writing the current one is no change, and no conflict.
          const status = differentFrom(sfCampaign, CAMPAIGN_STATUSES, e.value);
          sfCampaign = status;
          if (write({ op: 'update', type: 'Campaign', id: records.campaign, values: { Status: status } }))
            sfThisCycle.set(`${records.campaign}|status`, status);
          break;
        }
        case 'mkCampaignStatus': {
          const status = differentFrom(mkCampaign, CAMPAIGN_STATUSES, e.value);
          mkCampaign = status;
          await org.sql(`UPDATE salesforce.campaign SET status = $1 WHERE sfid = $2`, [status, records.campaign]);
          mkThisCycle.set(`${records.campaign}|status`, status);
          break;
        }
        case 'sfMemberStatus': {
          if (memberStatusExpected === null) break;
          const status = sfMember === 'Sent' ? 'Responded' : 'Sent';
          if (write({ op: 'update', type: 'CampaignMember', id: records.member, values: { Status: status } })) {
            sfThisCycle.set(`${records.member}|status`, status);
            sfMember = status;
          }
          break;
        }
        case 'mkMemberStatus': {
          if (memberStatusExpected === null) break;
          const status = e.valid ? (mkMember === 'Sent' ? 'Responded' : 'Sent') : `Not A Status ${unique()}`;
          if (e.valid) mkMember = status;
          await org.sql(`UPDATE salesforce.campaignmember SET status = $1 WHERE sfid = $2`, [status, records.member]);
          if (e.valid) {
            mkThisCycle.set(`${records.member}|status`, status);
            invalidMemberStatus = false;
          } else invalidMemberStatus = true;
          break;
        }
        case 'mkInsertLead': {
          const email = `${unique()}@conv-insert.example`;
          await org.sql(`INSERT INTO salesforce.lead (lastname, company, email) VALUES ($1, 'Conv', $2)`, [
            `Ins ${run}`,
            email,
          ]);
          insertedEmails.push(email);
          break;
        }
      }
    }
    // An unknown member status is refused with a sync_error — unless Salesforce changed the status in the
    // same cycle: then it is a same-field conflict, and CampaignMember's rule (salesforce-wins) drops it.
    if (invalidMemberStatus && memberStatusExpected !== null) {
      mkThisCycle.delete(`${records.member}|status`);
      if (!sfThisCycle.has(`${records.member}|status`)) {
        expectSyncError.push({
          object: 'CampaignMember',
          sfid: records.member,
          code: 'INVALID_CAMPAIGN_MEMBER_STATUS',
        });
        structural.add(records.member);
      }
    }
    // A side changed a field only if its value now differs from what both agreed on (the three-way merge
    // compares values, not edit events): a status set away and back is no change.
    const agreed = (key: string): string | undefined =>
      predicted.get(key) ??
      (key === `${records.campaign}|status` ? 'Planned' : key === `${records.member}|status` ? 'Sent' : undefined);
    for (const side of [sfThisCycle, mkThisCycle])
      for (const [key, value] of side) if (agreed(key) === value) side.delete(key);
    // This cycle's outcome per field: one side changed it → that side; both → the object's rule.
    for (const key of new Set([...sfThisCycle.keys(), ...mkThisCycle.keys()])) {
      const sf = sfThisCycle.get(key);
      const mk = mkThisCycle.get(key);
      const [sfid] = key.split('|') as [string];
      const object =
        sfid === records.contact
          ? 'Contact'
          : sfid === records.campaign
            ? 'Campaign'
            : sfid === records.member
              ? 'Contact'
              : 'Lead';
      const winner =
        sf !== undefined && mk !== undefined
          ? sfid === records.member
            ? 'salesforce'
            : WINNER[object]
          : sf !== undefined
            ? 'salesforce'
            : 'marketing';
      predicted.set(key, (winner === 'salesforce' ? sf : mk)!);
    }
    if (predicted.has(`${records.campaign}|status`))
      campaignStatus = sfCampaign = mkCampaign = predicted.get(`${records.campaign}|status`)!;
    if (predicted.has(`${records.member}|status`) && memberStatusExpected !== null)
      memberStatusExpected = sfMember = mkMember = predicted.get(`${records.member}|status`)!;
    await org.cycle();
  }
  // Then cycles until one pushes nothing: its pull came after the last push. Redirect chains (an edit to a
  // merge loser that was then converted) take a cycle per hop.
  for (let quiet = 0, n = 0; quiet < 1; n++) {
    if (n >= 8) {
      findings.push('still pushing after 8 quiet cycles');
      break;
    }
    const pushed = await org.cycle();
    const [{ n: pending }] = (await org.sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM tandem.outbox WHERE status = 'pending'`,
    )) as [{ n: number }];
    if (pending === 0 && Object.values(pushed).every((r) => r.rowsPushed === 0 && r.rowsFailed === 0)) quiet++;
  }
  // The membership followed its lead (deleted with it, moved by a merge or conversion): no prediction.
  if (memberStatusExpected === null) structural.add(records.member);

  // 1. Every record of the run (and every lead the marketing side inserted): equal on both sides.
  const held = new Set(
    (await org.sql<{ sfid: string | null }>(`SELECT sfid FROM tandem.sync_error WHERE resolved_at IS NULL`)).map(
      (r) => r.sfid,
    ),
  );
  const compare = async (object: string, sfid: string): Promise<void> => {
    const state = (await readObjectState(org.pool, object))!;
    const columns = state.columns.filter((c) => c.field !== '');
    const local = await org.sql<Record<string, string | null>>(
      `SELECT ${columns.map((c) => `to_json("${c.column}") #>> '{}' AS "${c.column}"`).join(', ')} FROM salesforce.${state.tableName} WHERE sfid = $1`,
      [sfid],
    );
    if (local.length !== 1) return void findings.push(`${object} ${sfid}: ${local.length} local rows`);
    // As the sync user sees it, through the REST API (deleted records: the local row must be marked deleted).
    let remoteRecord: Record<string, unknown>;
    try {
      remoteRecord = await org.sync.request<Record<string, unknown>>({
        method: 'GET',
        url: `/sobjects/${object}/${sfid}`,
      });
    } catch {
      const [row] = await org.sql<{ isdeleted: boolean }>(
        `SELECT isdeleted FROM salesforce.${state.tableName} WHERE sfid = $1`,
        [sfid],
      );
      if (!row?.isdeleted) findings.push(`${object} ${sfid}: gone from Salesforce, live in PostgreSQL`);
      return;
    }
    if (held.has(sfid)) return;
    for (const c of columns) {
      const remote = remoteRecord[c.field];
      if (!sameValue(c, local[0]![c.column] ?? null, remote))
        findings.push(
          `${object} ${sfid} ${c.field}: PostgreSQL ${JSON.stringify(local[0]![c.column])} vs Salesforce ${JSON.stringify(remote)}`,
        );
    }
  };
  for (const id of records.leads) await compare('Lead', id);
  await compare('Contact', records.contact);
  await compare('Campaign', records.campaign);
  if (memberStatusExpected !== null) await compare('CampaignMember', records.member);
  for (const id of converted) {
    const [row] = await org.sql<{ convertedcontactid: string | null }>(
      `SELECT convertedcontactid FROM salesforce.lead WHERE sfid = $1`,
      [id],
    );
    if (!row?.convertedcontactid) findings.push(`converted lead ${id}: no converted contact id locally`);
    else await compare('Contact', row.convertedcontactid);
  }

  // 2. Deletes, merges and conversions mirrored.
  for (const id of deleted) {
    const [row] = await org.sql<{ isdeleted: boolean }>(`SELECT isdeleted FROM salesforce.lead WHERE sfid = $1`, [id]);
    if (!row?.isdeleted && !merged.has(id)) findings.push(`lead ${id} deleted in Salesforce, live locally`);
  }
  for (const [loser, master] of merged) {
    const [row] = await org.sql<{ isdeleted: boolean; masterrecordid: string | null }>(
      `SELECT isdeleted, masterrecordid FROM salesforce.lead WHERE sfid = $1`,
      [loser],
    );
    if (!row?.isdeleted || row.masterrecordid !== master)
      findings.push(`merge loser ${loser}: local ${JSON.stringify(row)}, expected deleted with master ${master}`);
  }

  // 3. Field values the rules predict, on records no structural change touched.
  for (const [key, value] of predicted) {
    const [sfid, column] = key.split('|') as [string, string];
    if (structural.has(sfid)) continue;
    const table =
      sfid === records.contact
        ? 'contact'
        : sfid === records.campaign
          ? 'campaign'
          : sfid === records.member
            ? 'campaignmember'
            : 'lead';
    const [row] = await org.sql<{ v: string | null }>(
      `SELECT ${column}::text AS v FROM salesforce.${table} WHERE sfid = $1`,
      [sfid],
    );
    if (row?.v !== value)
      findings.push(`${table} ${sfid}.${column}: expected ${value} (by the rules), PostgreSQL has ${row?.v}`);
  }
  if (campaignStatus !== null && !structural.has(records.campaign)) {
    const [row] = await org.sql<{ status: string }>(`SELECT status FROM salesforce.campaign WHERE sfid = $1`, [
      records.campaign,
    ]);
    if (row?.status !== campaignStatus)
      findings.push(`campaign status: expected ${campaignStatus}, PostgreSQL has ${row?.status}`);
  }

  // 4. Marketing inserts: each in Salesforce exactly once, its sfid written back.
  for (const email of insertedEmails) {
    const remote = store.query(rep, `SELECT Id FROM Lead WHERE Email = '${email}'`).totalSize;
    const local = await org.sql<{ sfid: string | null }>(`SELECT sfid FROM salesforce.lead WHERE email = $1`, [email]);
    if (remote !== 1 || local.length !== 1 || !local[0]!.sfid)
      findings.push(`inserted ${email}: ${remote} in Salesforce, local ${JSON.stringify(local)}`);
  }

  // 5. Nothing pending; every refused change an open sync_error, with the expected ones among them.
  const open = await org.sql<{ object: string; row_id: string; status: string }>(
    `SELECT o.object, o.row_id::text, o.status FROM tandem.outbox o WHERE o.status = 'pending'
        OR (o.status = 'failed' AND NOT EXISTS (SELECT 1 FROM tandem.sync_error e WHERE e.object = o.object AND e.row_id = o.row_id AND e.resolved_at IS NULL))`,
  );
  for (const o of open)
    findings.push(
      `outbox ${o.object} row ${o.row_id} left ${o.status}${o.status === 'failed' ? ' without an open sync_error' : ''}`,
    );
  for (const x of expectSyncError) {
    if (!merged.has(records.leads[0]!) && !converted.has(records.leads[0]!)) {
      const errors = await org.sql<{ code: string }>(
        `SELECT code FROM tandem.sync_error WHERE object = $1 AND sfid = $2`,
        [x.object, x.sfid],
      );
      if (!errors.some((r) => r.code === x.code))
        findings.push(`${x.object} ${x.sfid}: expected a sync_error ${x.code}, found ${JSON.stringify(errors)}`);
    }
  }
  // A refused member status stays marketing-side until fixed: set it right so later runs start clean.
  if (expectSyncError.length > 0 && memberStatusExpected !== null) {
    await org.sql(`UPDATE salesforce.campaignmember SET status = 'Sent' WHERE sfid = $1`, [records.member]);
    await org.cycle();
  }
  return findings;
}

/** Runs the property: `runs` plans from `seed`; throws with the findings and the replay seed on the first failure. */
export async function checkConvergence(
  world: ConvergenceWorld,
  options: { seed: number; runs: number; path?: string; log?: (line: string) => void },
): Promise<{ runs: number; events: Record<string, number> }> {
  let run = 0;
  const events: Record<string, number> = {};
  await fc.assert(
    fc.asyncProperty(planArbitrary(), async (plan) => {
      run++;
      for (const e of plan.flat()) events[e.kind] = (events[e.kind] ?? 0) + 1;
      const findings = await runPlan(world, run, plan);
      if (findings.length > 0)
        throw new Error(
          `run ${run} did not converge:\n  ${findings.slice(0, 15).join('\n  ')}\nplan ${JSON.stringify(plan)}`,
        );
      if (options.log && run % 50 === 0) options.log(`convergence: ${run} runs`);
    }),
    // `path` (printed by fast-check on failure) replays just the failing interleaving.
    { seed: options.seed, numRuns: options.runs, endOnFailure: true, ...(options.path ? { path: options.path } : {}) },
  );
  return { runs: run, events };
}
