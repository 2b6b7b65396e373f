// One poison record never stops its object: a Salesforce value its column cannot hold (1e21 in a
// currency(18,0)) or a NUL in text is quarantined — skipped, recorded with its field and reason,
// counted by the pull — while the rest of the page goes in, the watermark advances, the push goes on,
// and a resync copies the object; the record is stored once Salesforce changes it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/database';
import { startPushOrg, type PushOrg } from '../push/support';
import { copyObject } from './org';
import { readObjectState } from '../../src/db/state';

const db = useTestDatabase();
let org: PushOrg;

beforeAll(async () => {
  org = await startPushOrg(db.current.pool);
});
afterAll(async () => {
  await org?.emulator.stop();
});

/** Sets a stored value in the emulated org directly, bypassing its save checks, and restamps the record. */
function setRaw(object: string, id: string, field: string, value: unknown): void {
  const table = org.emulator.context.store.table(object);
  const row = [...table.rows.get(id)!];
  row[table.def.fieldMap.get(field.toLowerCase())!.slot] = value;
  row[table.modstampSlot] = Math.floor(org.now().getTime() / 1000) + 1;
  table.put(id, row);
}

describe('per-record quarantine', () => {
  it('quarantines a poison Campaign while the others pull, push and copy, and stores it once fixed', async () => {
    const ids: string[] = [];
    for (const name of ['Good', 'Poison', 'Nul'])
      ids.push(((await org.rep.sobject('Campaign').create({ Name: name })) as { id: string }).id);
    const [good, poison, nul] = ids as [string, string, string];
    await org.activities.pullChanges({ object: 'Campaign' });
    const before = (await readObjectState(org.pool, 'Campaign'))!.watermark!;

    org.emulator.context.clock.advance(2_000);
    setRaw('Campaign', poison, 'ActualCost', 1e21);
    setRaw('Campaign', nul, 'Description', 'before\u0000after');
    await org.rep.sobject('Campaign').update({ Id: good, Name: 'Good renamed' });
    const pulled = await org.activities.pullChanges({ object: 'Campaign' });
    expect(pulled).toMatchObject({ rowsQuarantined: 2 });
    expect(pulled.rowsPulled).toBeGreaterThanOrEqual(1);
    expect((await readObjectState(org.pool, 'Campaign'))!.watermark!.getTime()).toBeGreaterThan(before.getTime());
    expect(await org.sql(`SELECT name FROM salesforce.campaign WHERE sfid = $1`, [good])).toEqual([
      { name: 'Good renamed' },
    ]);

    const open = await org.sql<{ sfid: string; field: string; value: string; reason: string; operation: string }>(
      `SELECT sfid, field, value, reason, operation FROM tandem.pull_quarantine WHERE object = 'Campaign' AND resolved_at IS NULL ORDER BY field`,
    );
    expect(open).toEqual([
      expect.objectContaining({
        sfid: poison,
        field: 'ActualCost',
        operation: 'pull',
        reason: expect.stringMatching(/numeric\(18,0\)/),
      }),
      expect.objectContaining({
        sfid: nul,
        field: 'Description',
        operation: 'pull',
        reason: expect.stringMatching(/NUL/),
      }),
    ]);

    // The push of other records goes on.
    await org.sql(`UPDATE salesforce.campaign SET description = 'from marketing' WHERE sfid = $1`, [good]);
    expect(await org.activities.pushChanges({ object: 'Campaign' })).toMatchObject({ rowsPushed: 1, rowsFailed: 0 });

    // A resync copies the object; the poison record's row is kept (not retired as unseen).
    await copyObject(org.activities, 'Campaign');
    expect(await org.sql(`SELECT isdeleted FROM salesforce.campaign WHERE sfid = $1`, [poison])).toEqual([
      { isdeleted: false },
    ]);
    expect(
      await org.sql(`SELECT operation, attempts FROM tandem.pull_quarantine WHERE sfid = $1 AND resolved_at IS NULL`, [
        poison,
      ]),
    ).toEqual([{ operation: 'copy', attempts: 2 }]);

    // Fixed in Salesforce: the next pull stores it and resolves its entry.
    org.emulator.context.clock.advance(2_000);
    await org.rep.sobject('Campaign').update({ Id: poison, ActualCost: 5 });
    const fixed = await org.activities.pullChanges({ object: 'Campaign' });
    expect(fixed.rowsQuarantined ?? 0).toBe(1); // the NUL record is still refused
    expect(await org.sql(`SELECT actualcost::text AS v FROM salesforce.campaign WHERE sfid = $1`, [poison])).toEqual([
      { v: '5' },
    ]);
    expect(await org.sql(`SELECT resolution FROM tandem.pull_quarantine WHERE sfid = $1`, [poison])).toEqual([
      { resolution: 'stored' },
    ]);
  });
});

describe('reporting quarantined records', () => {
  it('`tandem errors` lists a quarantined record with its field and reason', async () => {
    const { listSyncErrors } = await import('../../src/db/story');
    const { formatSyncErrors } = await import('../../src/cli/format-records');
    const errors = await listSyncErrors(org.pool, { object: 'Campaign' });
    const text = formatSyncErrors(errors, false);
    expect(text).toMatch(/VALUE_NOT_STORABLE: .*NUL/);
    expect(text).toMatch(/\[Description\]/);
  });
});
