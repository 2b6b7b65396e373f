// Conformance: getUpdated / getDeleted windows and the daily API limit, through jsforce 3.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../src/emulator/server';
import { rejection, soapLogin, start } from './support';
import type { Connection } from 'jsforce';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

describe('getUpdated and getDeleted', () => {
  let em: RunningEmulator;
  let sync: Connection;
  let rep: Connection;

  beforeAll(async () => {
    em = await start();
    sync = await soapLogin(em, 'sync');
    rep = await soapLogin(em, 'rep');
  });
  afterAll(() => em.stop());

  it('lists records changed in a window of whole minutes and covers up to the end', async () => {
    const windowStart = em.context.clock.now();
    const a = await sync.sobject('Lead').create({ LastName: 'W1', Company: 'C' });
    const hidden = await rep
      .sobject('Lead')
      .create({ LastName: 'W2', Company: 'C', OwnerId: em.credentials.exec.userId });
    em.context.clock.advance(2 * MINUTE);
    const end = em.context.clock.now();
    const res = await sync.sobject('Lead').updated(iso(windowStart - MINUTE), iso(end));
    expect(res.ids).toContain(a.id!);
    expect(res.ids).not.toContain(hidden.id!);
    expect(res.latestDateCovered).toBe(iso(Math.floor(end / MINUTE) * MINUTE).replace('Z', '+0000'));
    const later = await sync.sobject('Lead').updated(res.latestDateCovered, iso(end + 10 * MINUTE));
    expect(later.ids).not.toContain(a.id!);
  });

  it('reports deletes with their dates and the earliest available date', async () => {
    const lead = await sync.sobject('Lead').create({ LastName: 'Del', Company: 'C' });
    const before = em.context.clock.now();
    await sync.sobject('Lead').destroy(lead.id!);
    em.context.clock.advance(2 * MINUTE);
    const res = await sync.sobject('Lead').deleted(iso(before - MINUTE), iso(em.context.clock.now()));
    expect(res.deletedRecords.map((d) => d.id!)).toContain(lead.id!);
    expect(res.deletedRecords[0].deletedDate).toMatch(/\+0000$/);
    expect(Date.parse(res.earliestDateAvailable.replace('+0000', 'Z'))).toBeLessThanOrEqual(before - 14 * DAY);
  });

  it('refuses windows that start after they end or reach back too far', async () => {
    const now = em.context.clock.now();
    const reversed = await rejection(() => sync.sobject('Lead').updated(iso(now), iso(now - 5 * MINUTE)));
    expect(reversed.errorCode).toBe('INVALID_REPLICATION_DATE');
    const tooOld = await rejection(() => sync.sobject('Lead').updated(iso(now - 31 * DAY), iso(now)));
    expect(tooOld.errorCode).toBe('INVALID_REPLICATION_DATE');
    const deletedTooOld = await rejection(() => sync.sobject('Lead').deleted(iso(now - 16 * DAY), iso(now)));
    expect(deletedTooOld.errorCode).toBe('INVALID_REPLICATION_DATE');
  });

  it('does not move SystemModstamp of contacts when a formula input on their account changes', async () => {
    const acct = await rep.sobject('Account').create({ Name: 'Before' });
    const contact = await rep.sobject('Contact').create({ LastName: 'Formula', AccountId: acct.id! });
    const first = (await sync.sobject('Contact').retrieve(contact.id!)) as Record<string, unknown>;
    em.context.clock.advance(2 * MINUTE);
    await rep.sobject('Account').update({ Id: acct.id!, Name: 'After' });
    const second = (await sync.sobject('Contact').retrieve(contact.id!)) as Record<string, unknown>;
    expect(first.Account_Name__c).toBe('Before');
    expect(second.Account_Name__c).toBe('After');
    expect(second.SystemModstamp).toBe(first.SystemModstamp);
  });
});

describe('daily API limit', () => {
  let em: RunningEmulator;

  beforeAll(async () => {
    em = await start({ dailyApiLimit: 5 });
  });
  afterAll(() => em.stop());

  it('counts each call in Sforce-Limit-Info and answers 403 REQUEST_LIMIT_EXCEEDED past the limit', async () => {
    const conn = await soapLogin(em);
    const seen: number[] = [];
    for (let i = 0; i < 5; i++) {
      await conn.query('SELECT COUNT() FROM User');
      seen.push(conn.limitInfo.apiUsage!.used);
      expect(conn.limitInfo.apiUsage!.limit).toBe(5);
    }
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    const err = await rejection(() => conn.query('SELECT COUNT() FROM User'));
    expect(err.errorCode).toBe('REQUEST_LIMIT_EXCEEDED');
    expect(err.message).toBe('TotalRequests Limit exceeded.');
    const res = await fetch(`${em.url}/services/data/v62.0/limits`, {
      headers: { Authorization: `Bearer ${conn.accessToken}` },
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('sforce-limit-info')).toBe('api-usage=5/5');
  });

  it('reports the allowance in /limits', async () => {
    em.context.apiUsage.reset();
    const conn = await soapLogin(em);
    const limits = (await conn.limits()) as unknown as { DailyApiRequests: { Max: number; Remaining: number } };
    expect(limits.DailyApiRequests).toEqual({ Max: 5, Remaining: 4 });
  });
});
