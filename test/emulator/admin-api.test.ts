// The emulator's admin API: off unless enabled, unreachable with a Salesforce session, and the
// controls reliability tests use (API limit, late commits, clock, counters, fault rules).
import type { Connection } from 'jsforce';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN_HEADER } from '../../src/emulator/admin-routes';
import type { CountersSnapshot } from '../../src/emulator/admin-counters';
import { reliabilityOf } from '../../src/emulator/fault-kit';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server';
import { API_VERSION, rejection, soapLogin } from './support';

let emulator: RunningEmulator;
let conn: Connection;

function admin(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${emulator.url}/__emulator${path}`, {
    method,
    headers: {
      [ADMIN_TOKEN_HEADER]: reliabilityOf(emulator.context).adminToken,
      'Content-Type': 'application/json',
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function errorOf(res: Response): Promise<{ errorCode: string; message: string }> {
  return ((await res.json()) as Array<{ errorCode: string; message: string }>)[0];
}

const epochSeconds = (datetime: string) => Math.floor(Date.parse(datetime.replace('+0000', 'Z')) / 1000);

beforeAll(async () => {
  emulator = await startEmulator({ seed: 'demo', scale: 1, enableAdmin: true });
  conn = await soapLogin(emulator, 'sync');
});

afterAll(async () => {
  await emulator?.stop();
});

beforeEach(async () => {
  expect((await admin('POST', '/reset')).status).toBe(204);
});

describe('admin API access', () => {
  it('is a plain unknown path when the emulator was started without enableAdmin', async () => {
    const plain = await startEmulator({ seed: 'empty' });
    try {
      const res = await fetch(`${plain.url}/__emulator/counters`, {
        headers: { [ADMIN_TOKEN_HEADER]: reliabilityOf(plain.context).adminToken },
      });
      expect(res.status).toBe(404);
      expect(await errorOf(res)).toMatchObject({ errorCode: 'NOT_FOUND' });
    } finally {
      await plain.stop();
    }
  });

  it('refuses calls without the admin token, including ones carrying a Salesforce session', async () => {
    const bare = await fetch(`${emulator.url}/__emulator/counters`);
    expect(bare.status).toBe(401);
    expect(await errorOf(bare)).toMatchObject({ errorCode: 'ADMIN_TOKEN_REQUIRED' });
    const withSession = await fetch(`${emulator.url}/__emulator/faults`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${conn.accessToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ kind: 'server-unavailable' }),
    });
    expect(withSession.status).toBe(401);
    const wrong = await admin('GET', '/counters', undefined, { [ADMIN_TOKEN_HEADER]: 'not-the-token' });
    expect(wrong.status).toBe(403);
    expect(await errorOf(wrong)).toMatchObject({ errorCode: 'ADMIN_TOKEN_INVALID' });
    expect(((await (await admin('GET', '/faults')).json()) as { rules: unknown[] }).rules).toEqual([]);
  });

  it('answers bad admin requests with a Salesforce-shaped error naming the problem', async () => {
    expect(await errorOf(await admin('POST', '/faults', { kind: 'meteor-strike' }))).toMatchObject({
      errorCode: 'INVALID_ADMIN_REQUEST',
      message: expect.stringContaining('kind'),
    });
    expect(await errorOf(await admin('POST', '/faults', { kind: 'slow', probability: 3 }))).toMatchObject({
      message: expect.stringContaining('probability'),
    });
    expect(await errorOf(await admin('POST', '/faults', '{"kind":'))).toMatchObject({ errorCode: 'JSON_PARSER_ERROR' });
    expect(await errorOf(await admin('PUT', '/api-limit', { dailyLimit: 0 }))).toMatchObject({
      message: expect.stringContaining('dailyLimit'),
    });
    expect(await errorOf(await admin('GET', '/nothing-here'))).toMatchObject({ errorCode: 'NOT_FOUND' });
    expect(await errorOf(await admin('DELETE', '/faults/fault-999'))).toMatchObject({
      message: 'No fault rule with id fault-999',
    });
  });
});

describe('admin API controls', () => {
  it('lists, removes and clears fault rules', async () => {
    const rule = (await (
      await admin('POST', '/faults', { kind: 'server-unavailable', path: '/services/data/*/limits' })
    ).json()) as { id: string };
    expect(
      ((await (await admin('GET', '/faults')).json()) as { rules: Array<{ id: string }> }).rules.map((r) => r.id),
    ).toEqual([rule.id]);
    expect(
      (await rejection(() => conn.request(`/services/data/v${API_VERSION}/limits`, { retry: { maxRetries: 0 } })))
        .errorCode,
    ).toBe('SERVER_UNAVAILABLE');
    expect((await admin('DELETE', `/faults/${rule.id}`)).status).toBe(204);
    await conn.limits();
  });

  it('sets the daily API limit, after which calls fail with REQUEST_LIMIT_EXCEEDED until reset', async () => {
    const res = await admin('PUT', '/api-limit', { dailyLimit: 50, used: 47 });
    expect(await res.json()).toEqual({ used: 47, limit: 50 });
    await conn.query('SELECT Id FROM Lead LIMIT 1');
    expect(conn.limitInfo.apiUsage).toEqual({ used: 48, limit: 50 });
    await conn.query('SELECT Id FROM Lead LIMIT 1');
    await conn.query('SELECT Id FROM Lead LIMIT 1');
    const err = await rejection(async () => conn.query('SELECT Id FROM Lead LIMIT 1'));
    expect(err.errorCode).toBe('REQUEST_LIMIT_EXCEEDED');
    expect((await admin('POST', '/reset')).status).toBe(204);
    await conn.query('SELECT Id FROM Lead LIMIT 1');
    expect(conn.limitInfo.apiUsage?.used).toBe(1);
  });

  it('makes the next write a late commit: visible now, stamped in the past', async () => {
    const armed = await admin('POST', '/late-commits', { lagSeconds: 3600, object: 'Lead', count: 1 });
    expect(armed.status).toBe(201);
    const late = await conn.sobject('Lead').create({ LastName: 'LateCommit', Company: 'Slow Tx' });
    const onTime = await conn.sobject('Lead').create({ LastName: 'OnTime', Company: 'Fast Tx' });
    const rows = await conn.query<{ Id: string; SystemModstamp: string; LastModifiedDate: string }>(
      `SELECT Id, SystemModstamp, LastModifiedDate FROM Lead WHERE Id IN ('${late.id}', '${onTime.id}')`,
    );
    const stamp = Object.fromEntries(rows.records.map((r) => [r.Id, epochSeconds(r.SystemModstamp)]));
    const now = emulator.context.clock.nowSeconds();
    expect(now - stamp[late.id!]).toBeGreaterThanOrEqual(3599);
    expect(now - stamp[late.id!]).toBeLessThan(3610);
    expect(now - stamp[onTime.id!]).toBeLessThan(5);
    // A poller whose watermark passed an hour ago misses the late row without an overlap.
    const watermark = new Date((now - 1800) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const fresh = await conn.query<{ Id: string }>(`SELECT Id FROM Lead WHERE SystemModstamp >= ${watermark}`);
    expect(fresh.records.map((r) => r.Id)).toContain(onTime.id);
    expect(fresh.records.map((r) => r.Id)).not.toContain(late.id);
    const listed = (await (await admin('GET', '/late-commits')).json()) as {
      rules: Array<{ applied: number; remaining: number }>;
    };
    expect(listed.rules[0]).toMatchObject({ applied: 1, remaining: 0 });
  });

  it('targets a late commit at one record', async () => {
    const [a, b] = await conn.sobject('Lead').create([
      { LastName: 'Target-A', Company: 'T' },
      { LastName: 'Target-B', Company: 'T' },
    ]);
    await admin('POST', '/late-commits', { lagSeconds: 600, recordId: b.id!.slice(0, 15) });
    await conn.sobject('Lead').update([
      { Id: a.id!, Company: 'T2' },
      { Id: b.id!, Company: 'T2' },
    ]);
    const rows = await conn.query<{ Id: string; SystemModstamp: string }>(
      `SELECT Id, SystemModstamp FROM Lead WHERE Company = 'T2'`,
    );
    const now = emulator.context.clock.nowSeconds();
    const age = Object.fromEntries(rows.records.map((r) => [r.Id, now - epochSeconds(r.SystemModstamp)]));
    expect(age[a.id!]).toBeLessThan(5);
    expect(age[b.id!]).toBeGreaterThanOrEqual(599);
  });

  it('moves the emulator clock forward and back', async () => {
    const res = await admin('POST', '/clock', { advanceMs: 2 * 86_400_000 });
    const clock = (await res.json()) as { now: number; offsetMs: number };
    expect(clock.offsetMs).toBeGreaterThan(2 * 86_400_000 - 5_000);
    const lead = await conn.sobject('Lead').create({ LastName: 'Future', Company: 'F' });
    const [row] = (await conn.query<{ CreatedDate: string }>(`SELECT CreatedDate FROM Lead WHERE Id = '${lead.id}'`))
      .records;
    expect(epochSeconds(row.CreatedDate) * 1000 - Date.now()).toBeGreaterThan(86_400_000);
    expect(await errorOf(await admin('POST', '/clock', {}))).toMatchObject({
      message: expect.stringContaining('exactly one'),
    });
    await admin('POST', '/clock', { reset: true });
    expect(Math.abs(emulator.context.clock.now() - Date.now())).toBeLessThan(5_000);
  });

  it('counts calls by endpoint and resets the counters', async () => {
    await conn.query('SELECT Id FROM Lead LIMIT 1');
    await conn.query('SELECT Id FROM Lead LIMIT 1');
    await conn
      .sobject('Lead')
      .retrieve((await conn.query<{ Id: string }>('SELECT Id FROM Lead LIMIT 1')).records[0].Id);
    const snapshot = (await (await admin('GET', '/counters')).json()) as CountersSnapshot;
    expect(snapshot.callsByEndpoint['GET /services/data/vXX.X/query']).toBe(3);
    expect(snapshot.callsByEndpoint['GET /services/data/vXX.X/sobjects/Lead/{id}']).toBe(1);
    expect(snapshot.totalCalls).toBe(4);
    expect((await admin('POST', '/counters/reset')).status).toBe(204);
    expect(((await (await admin('GET', '/counters')).json()) as CountersSnapshot).totalCalls).toBe(0);
  });
});
