// Numbers beyond a double's 15 significant digits stay exact both ways: a numeric(18,0) written on the
// marketing side reaches Salesforce digit for digit, an 18-digit value set in Salesforce is pulled
// digit for digit, and the next cycle neither rewrites nor re-pushes it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/database';
import { startPushOrg, type PushOrg } from '../push/support';
import { API_VERSION } from '../activities/org';

const db = useTestDatabase();
let org: PushOrg;

beforeAll(async () => {
  org = await startPushOrg(db.current.pool);
});
afterAll(async () => {
  await org?.emulator.stop();
});

/** BudgetedCost as Salesforce's REST answer spells it (the raw number literal, not a rounded double). */
async function budgetLiteral(sfid: string): Promise<string> {
  const text = await org.rep.request<string>(
    { method: 'GET', url: `/services/data/v${API_VERSION}/sobjects/Campaign/${sfid}?fields=BudgetedCost` } as never,
    { responseType: 'text/plain' } as never,
  );
  return /"BudgetedCost":(-?[0-9.eE+]+)/.exec(text)![1]!;
}

describe('exact numbers', () => {
  it('pushes 18-digit numerics exactly, including the most negative, and pulls them back unchanged', async () => {
    const rows = await org.sql<{ id: string; name: string }>(
      `INSERT INTO salesforce.campaign (name, budgetedcost, actualcost) VALUES
         ('Big', 123456789012345678, NULL), ('Negative', -999999999999999999, 1) RETURNING id, name`,
    );
    const result = await org.cycle();
    expect(result.Campaign).toMatchObject({ rowsPushed: 2, rowsFailed: 0 });
    const local = await org.sql<{ name: string; sfid: string; budgetedcost: string }>(
      `SELECT name, sfid, budgetedcost::text FROM salesforce.campaign WHERE id = ANY($1::bigint[]) ORDER BY name`,
      [rows.map((r) => r.id)],
    );
    expect(await budgetLiteral(local.find((r) => r.name === 'Big')!.sfid)).toBe('123456789012345678');
    expect(await budgetLiteral(local.find((r) => r.name === 'Negative')!.sfid)).toBe('-999999999999999999');

    // The next cycles pull the records back: the values stay digit for digit, nothing is pushed again.
    expect((await org.cycle()).Campaign).toMatchObject({ rowsPushed: 0, rowsFailed: 0 });
    const after = await org.sql<{ name: string; budgetedcost: string }>(
      `SELECT name, budgetedcost::text FROM salesforce.campaign WHERE id = ANY($1::bigint[]) ORDER BY name`,
      [rows.map((r) => r.id)],
    );
    expect(after).toEqual([
      { name: 'Big', budgetedcost: '123456789012345678' },
      { name: 'Negative', budgetedcost: '-999999999999999999' },
    ]);
  });

  it('pulls an 18-digit value set in Salesforce exactly', async () => {
    const created = (await org.rep.sobject('Campaign').create({ Name: 'Remote' })) as { id: string };
    await org.rep.request({
      method: 'PATCH',
      url: `/services/data/v${API_VERSION}/sobjects/Campaign/${created.id}`,
      body: '{"ActualCost":987654321098765432}',
      headers: { 'Content-Type': 'application/json' },
    } as never);
    await org.activities.pullChanges({ object: 'Campaign' });
    expect(
      await org.sql(`SELECT actualcost::text AS v FROM salesforce.campaign WHERE sfid = $1`, [created.id]),
    ).toEqual([{ v: '987654321098765432' }]);
  });
});
