// A later, different refusal of a record keeps the first in its story (resolved as superseded, a new
// error opened), and a text PostgreSQL accepts (varchar counts code points) but Salesforce would refuse
// (it counts UTF-16 units: an emoji is two) is held back with STRING_TOO_LONG naming the field and both lengths.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/database';
import { startPushOrg, type PushOrg } from './support';

const db = useTestDatabase();
let org: PushOrg;

beforeAll(async () => {
  org = await startPushOrg(db.current.pool);
});
afterAll(async () => {
  await org?.emulator.stop();
});

describe('sync error history and UTF-16 lengths', () => {
  it('supersedes an open error with a different one, and refuses an emoji title over 128 UTF-16 units before sending', async () => {
    const [row] = await org.sql<{ id: string }>(
      `INSERT INTO salesforce.lead (lastname, company, status) VALUES ('Hist', 'H', 'Very Interested') RETURNING id`,
    );
    expect((await org.cycle()).Lead).toMatchObject({ rowsFailed: 1 });

    // 100 emoji: 100 characters for PostgreSQL's varchar(128), 200 UTF-16 units for Salesforce.
    const title = '😀'.repeat(100);
    await org.sql(`UPDATE salesforce.lead SET status = 'Open - Not Contacted', title = $2 WHERE id = $1`, [
      row!.id,
      title,
    ]);
    expect((await org.cycle()).Lead).toMatchObject({ rowsPushed: 0, rowsFailed: 1 });

    const history = await org.sql<{
      code: string;
      message: string;
      fields: string[];
      resolution: string | null;
      open: boolean;
    }>(
      `SELECT code, message, fields, resolution, resolved_at IS NULL AS open FROM tandem.sync_error WHERE object = 'Lead' AND row_id = $1 ORDER BY id`,
      [row!.id],
    );
    expect(history).toHaveLength(2);
    expect(history[0]).toMatchObject({
      code: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
      resolution: 'superseded',
      open: false,
    });
    expect(history[1]).toMatchObject({ code: 'STRING_TOO_LONG', fields: ['Title'], open: true });
    expect(history[1]!.message).toMatch(/Title: 200 UTF-16 units \(100 characters\) exceed Salesforce's limit of 128/);
    const [local] = await org.sql<{ sfid: string | null }>(`SELECT sfid FROM salesforce.lead WHERE id = $1`, [row!.id]);
    expect(local!.sfid).toBeNull(); // never sent
  });
});
