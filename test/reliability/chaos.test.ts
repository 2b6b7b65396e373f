// The short chaos run inside `npm test` (the long one is `npm run chaos`): a real worker process
// SIGKILLed during the initial copy and mid-cycle, Temporal and PostgreSQL restarted mid-cycle, 20%
// of Salesforce calls failing, sessions expiring and commits landing late, while both sides are
// edited — and afterwards both sides equal, nothing duplicated, nothing lost, every permanent failure
// in sync_error, every open sync_error explained. Workload parts that need product fixes not merged
// yet are off here (SHORT_WORKLOAD) and on in `npm run chaos`. Also: the audit, on a real copy,
// notices a changed value, a missing row and a resurrected one (the judge alone: test/chaos/judge.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_WORKLOAD, type WorkloadFlags } from '../../chaos/changes';
import { auditSides } from '../../chaos/compare';
import { formatReport, passed, runChaos } from '../../chaos/run';
import { copyObject, startTestOrg, type TestOrg } from '../activities/org';
import { useTestDatabase } from '../support/database';

const SEED = Number(process.env.TANDEM_CHAOS_SEED ?? 424242);

/**
 * Off until the fix each needs is merged (issue 11): key copying, forged origin, local id changes,
 * numbers over 15 digits, poison values, Campaign insert retries, visibility loss.
 */
const SHORT_WORKLOAD: WorkloadFlags = {
  ...ALL_WORKLOAD,
  keyCopy: false,
  forgedOrigin: false,
  idChange: false,
  bigNumbers: false,
  poison: false,
  campaignInserts: false,
  visibility: false,
};

describe('chaos (short run)', () => {
  it('converges with nothing mismatched, duplicated or lost after kills, restarts, faults, session expiries and late commits', async () => {
    const lines: string[] = [];
    const report = await runChaos({
      // On a thrown run (time limit), its log is the only clue: keep the last lines in the error.
      seed: SEED,
      scale: 2,
      killsDuringCopy: 2,
      killsDuringCycles: 2,
      temporalRestarts: 1,
      postgresRestarts: 1,
      restartsDuringCopy: false,
      rounds: 3,
      changesPerRound: 6,
      faultRate: 0.2,
      bulkPageSize: 500,
      copyPagesPerActivity: 2,
      heartbeatTimeout: '10 seconds',
      timeLimitMs: 170_000,
      workload: SHORT_WORKLOAD,
      // Off until the product keeps one local row after a kill between a Salesforce insert and its sfid
      // write-back (found by this audit; on in `npm run chaos`).
      insertKills: 0,
      log: (line) => lines.push(line),
    }).catch((error: unknown) => {
      throw new Error(`${error instanceof Error ? error.message : String(error)}\n${lines.slice(-60).join('\n')}`);
    });
    const table = `${formatReport(report)}\n${report.examples.join('\n')}\n${lines.join('\n')}`;
    console.log(`chaos seed ${SEED} (TANDEM_CHAOS_SEED replays it)\n${formatReport(report)}`);
    expect(report.kills, table).toBe(4);
    expect(report.temporalRestarts).toBe(1);
    expect(report.postgresRestarts).toBe(1);
    expect(Object.values(report.faultsInjected).reduce((a, b) => a + b, 0)).toBeGreaterThan(10);
    expect(report.rowsCopied).toBeGreaterThan(3_000);
    expect(report.audit.totals.rowsCompared).toBeGreaterThan(3_000);
    expect(report.changesSalesforce).toBeGreaterThanOrEqual(15);
    expect(report.changesMarketing).toBeGreaterThanOrEqual(15);
    expect(report.invalidInjected).toBeGreaterThanOrEqual(1);
    expect(report.audit.totals.errorsExplained, table).toBe(report.invalidInjected);
    expect(report.audit.findings, table).toEqual([]);
    expect(passed(report)).toBe(true);
  }, 200_000);
});

describe('the chaos audit', () => {
  const db = useTestDatabase();
  let org: TestOrg;
  beforeAll(async () => {
    org = await startTestOrg(db.current.pool);
    for (const object of ['Lead', 'Contact']) await copyObject(org.activities, object, 5);
  });
  afterAll(async () => {
    await org?.emulator.stop();
  });

  it('finds nothing after a clean copy, then notices a changed value, a row missing locally and one gone from Salesforce', async () => {
    const clean = await auditSides(db.current.pool, org.emulator);
    expect(clean.findings).toEqual([]);
    expect(clean.totals.rowsCompared).toBeGreaterThan(500);

    const pool = db.current.pool;
    // Tandem's own origin, so the edits are not captured for a push: this is drift, not a marketing change.
    const drift = async (sql: string): Promise<void> => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query(`SELECT set_config('tandem.origin', 'tandem', true)`);
        await client.query(sql);
        await client.query('COMMIT');
      } finally {
        client.release();
      }
    };
    await drift(
      `UPDATE salesforce.lead SET title = 'drifted' WHERE sfid = (SELECT min(sfid) FROM salesforce.lead WHERE NOT isdeleted)`,
    );
    await drift(
      `DELETE FROM salesforce.contact WHERE sfid = (SELECT min(sfid) FROM salesforce.contact WHERE NOT isdeleted)`,
    );
    // Deleted in Salesforce and not pulled yet: live locally, gone remotely.
    const gone = (
      await pool.query(`SELECT max(sfid) AS sfid FROM salesforce.lead WHERE NOT isdeleted AND NOT isconverted`)
    ).rows[0].sfid as string;
    await org.rep.sobject('Lead').destroy(gone);
    const dirty = await auditSides(pool, org.emulator);
    const text = dirty.findings.map((f) => f.text).join('\n');
    expect(dirty.totals.mismatches, text).toBeGreaterThanOrEqual(3);
    expect(text).toMatch(/Title: PostgreSQL "drifted"/);
    expect(text).toMatch(/Contact \w+: in Salesforce, missing \(or deleted\) in PostgreSQL/);
    expect(text).toMatch(/Lead \w+: live in PostgreSQL, deleted or invisible in Salesforce/);
    expect(dirty.byObject.Contact!.mismatches).toBe(1);
  });
});
