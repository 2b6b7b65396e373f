import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT, run, type CliIo } from '../../src/cli';
import type { RecordStory } from '../../src/db/story';
import { useTestDatabase } from '../support/database';
import { startPushOrg, type PushOrg } from '../push/support';

function captureIo(): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t) };
}

describe('tandem errors, why and conflicts', () => {
  const db = useTestDatabase();
  let org: PushOrg;
  let saved: string | undefined;
  beforeAll(async () => {
    org = await startPushOrg(db.current.pool);
    saved = process.env.DATABASE_URL;
    process.env.DATABASE_URL = db.current.url;
  });
  afterAll(async () => {
    if (saved === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = saved;
    await org?.emulator.stop();
  });

  it('lists sync errors, tells a record’s story by email or Salesforce id, and lists conflicts', async () => {
    const [good] = await org.sql<{ id: string }>(
      `INSERT INTO salesforce.lead (lastname, company, status, email) VALUES ('Quinn', 'Why Co', 'Open - Not Contacted', 'quinn@why.test') RETURNING id`,
    );
    await org.sql(
      `INSERT INTO salesforce.lead (lastname, company, status) VALUES ('Broken', 'Why Co', 'Working - Contacted')`,
    );
    await org.cycle();
    const [{ sfid }] = await org.sql<{ sfid: string }>(`SELECT sfid FROM salesforce.lead WHERE id = $1`, [good!.id]);
    await org.rep.sobject('Lead').update({ Id: sfid, Title: 'From Sales' });
    await org.sql(`UPDATE salesforce.lead SET title = 'From Marketing' WHERE id = $1`, [good!.id]);
    await org.cycle();

    let io = captureIo();
    expect(await run(['errors'], io)).toBe(EXIT.ok);
    expect(io.stdout[0]).toMatch(/^Lead row \d+ — insert — OPEN\n {2}FIELD_CUSTOM_VALIDATION_EXCEPTION: /);

    io = captureIo();
    expect(await run(['errors', '--object', 'Leed'], io)).toBe(EXIT.badInput);
    expect(io.stderr[0]).toMatch(/^tandem: unknown object Leed; synced objects are User, Group, Account/);

    io = captureIo();
    expect(await run(['why', 'QUINN@why.test', '--json'], io)).toBe(EXIT.ok);
    const [story] = JSON.parse(io.stdout[0]) as RecordStory[];
    expect(story).toMatchObject({ object: 'Lead', rowId: Number(good!.id), sfid });
    expect(story.conflicts).toEqual([
      expect.objectContaining({ field: 'Title', winner: 'marketing', rule: 'marketing-wins' }),
    ]);

    io = captureIo();
    expect(await run(['why', sfid], io)).toBe(EXIT.ok);
    expect(io.stdout[0]).toContain(`Lead row ${good!.id}, Salesforce id ${sfid}`);
    expect(io.stdout[0]).toMatch(/Outbox \(2\):\n {2}#\d+ .* insert +pushed/);

    io = captureIo();
    expect(await run(['why', 'nobody@why.test'], io)).toBe(EXIT.failed);
    expect(io.stderr[0]).toContain('no synced record matches "nobody@why.test"');

    io = captureIo();
    expect(await run(['conflicts'], io)).toBe(EXIT.ok);
    expect(io.stdout[0]).toMatch(
      new RegExp(
        `^Lead row ${good!.id} ${sfid}: .* Title: base ∅, marketing "From Marketing", Salesforce "From Sales" → marketing \\(marketing-wins\\)`,
      ),
    );
  }, 90_000);

  it('names the database it could not reach, with its own exit code 4 (3 is for Temporal)', async () => {
    const io = captureIo();
    process.env.DATABASE_URL = 'postgres://postgres:secret@127.0.0.1:1/tandem';
    try {
      expect(await run(['errors'], io)).toBe(EXIT.databaseUnreachable);
    } finally {
      process.env.DATABASE_URL = db.current.url;
    }
    expect(io.stderr[0]).toMatch(
      /^tandem: Tandem's database is not reachable at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/tandem/,
    );
    expect(io.stderr[0]).not.toContain('secret');
  });
});
