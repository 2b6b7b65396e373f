// Every fault kind of the admin API, observed by a jsforce 3 client over HTTP. jsforce retries
// GET/PUT/DELETE on 5xx and network errors (up to 5 times, ~15 s), never POST/PATCH, so these
// tests use POSTs, count-limited rules or `{ retry: { maxRetries: 0 } }` to see each fault.
import type { Connection } from 'jsforce';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN_HEADER } from '../../src/emulator/admin-routes';
import type { CountersSnapshot } from '../../src/emulator/admin-counters';
import { reliabilityOf } from '../../src/emulator/fault-kit';
import type { FaultRuleSpec } from '../../src/emulator/fault-rules';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server';
import { API_VERSION, rejection, soapLogin } from './support';

let emulator: RunningEmulator;
let conn: Connection;

async function admin(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${emulator.url}/__emulator${path}`, {
    method,
    headers: { [ADMIN_TOKEN_HEADER]: reliabilityOf(emulator.context).adminToken, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function inject(rule: FaultRuleSpec): Promise<void> {
  const res = await admin('POST', '/faults', rule);
  expect(res.status).toBe(201);
}

async function counters(): Promise<CountersSnapshot> {
  return (await (await admin('GET', '/counters')).json()) as CountersSnapshot;
}

const queryPath = `/services/data/v${API_VERSION}/query`;
const noRetry = { retry: { maxRetries: 0 } };

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

describe('fault injection seen by jsforce', () => {
  it('503 SERVER_UNAVAILABLE: thrown on a GET without retries, absorbed by jsforce retries when short', async () => {
    await inject({ kind: 'server-unavailable', path: `${queryPath}*`, method: 'GET', count: 1 });
    const err = await rejection(() =>
      conn.request(`${queryPath}?q=${encodeURIComponent('SELECT Id FROM Lead LIMIT 1')}`, noRetry),
    );
    expect(err.errorCode).toBe('SERVER_UNAVAILABLE');

    // Two 503s then success: jsforce's own transport retry hides them (~1.5 s of backoff).
    await inject({ kind: 'server-unavailable', path: `${queryPath}*`, method: 'GET', count: 2 });
    const result = await conn.query('SELECT Id FROM Lead LIMIT 1');
    expect(result.records).toHaveLength(1);
    expect((await counters()).faultsByKind['server-unavailable']).toBe(3);
  });

  it('500 UNKNOWN_EXCEPTION on a POST is thrown at once (jsforce never retries POST)', async () => {
    await inject({ kind: 'internal-error', path: '/services/data/*/sobjects/Lead', method: 'POST', count: 1 });
    const err = await rejection(() => conn.sobject('Lead').create({ LastName: 'Faulted', Company: 'F' }));
    expect(err.errorCode).toBe('UNKNOWN_EXCEPTION');
    const ok = await conn.sobject('Lead').create({ LastName: 'NotFaulted', Company: 'F' });
    expect(ok.success).toBe(true);
  });

  it('403 REQUEST_LIMIT_EXCEEDED', async () => {
    await inject({ kind: 'request-limit-exceeded', path: `${queryPath}*`, count: 1 });
    const err = await rejection(async () => conn.query('SELECT Id FROM Lead LIMIT 1'));
    expect(err.errorCode).toBe('REQUEST_LIMIT_EXCEEDED');
    expect(err.message).toBe('TotalRequests Limit exceeded.');
  });

  it('401 INVALID_SESSION_ID makes jsforce log in again and replay the call', async () => {
    const tokenBefore = conn.accessToken;
    await inject({ kind: 'invalid-session', path: `${queryPath}*`, count: 1 });
    const result = await conn.query('SELECT Id FROM Lead LIMIT 1');
    expect(result.records).toHaveLength(1);
    expect(conn.accessToken).not.toBe(tokenBefore);
    const calls = (await counters()).callsByEndpoint;
    expect(calls['POST /services/Soap/u/XX.X']).toBe(1);
    expect(calls['GET /services/data/vXX.X/query']).toBe(2);
  });

  it('401 INVALID_SESSION_ID on a Bulk 2.0 call makes jsforce refresh and carry on', async () => {
    await inject({ kind: 'invalid-session', path: '/services/data/*/jobs/query/*', method: 'GET', count: 1 });
    const stream = await conn.bulk2.query('SELECT Id FROM Campaign', { pollInterval: 50, pollTimeout: 20_000 });
    const records = await stream.toArray();
    expect(records.length).toBeGreaterThan(0);
    expect((await counters()).faultsByKind['invalid-session']).toBe(1);
  });

  it('slow responses arrive after the configured delay', async () => {
    await inject({ kind: 'slow', path: `${queryPath}*`, delayMs: 400, count: 1 });
    const started = Date.now();
    await conn.query('SELECT Id FROM Lead LIMIT 1');
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
  });

  it('dropped connections reach jsforce as a socket error', async () => {
    await inject({ kind: 'drop-connection', path: '/services/data/*/sobjects/Lead', method: 'POST', count: 1 });
    const err = await rejection(() => conn.sobject('Lead').create({ LastName: 'Dropped', Company: 'D' }));
    expect(err.errorCode).toBeUndefined();
    expect(
      `${err.message} ${String((err as { code?: string }).code)} ${String((err.cause as { code?: string } | undefined)?.code)}`,
    ).toMatch(/ECONNRESET|socket hang up|other side closed|UND_ERR_SOCKET|fetch failed/i);
    const dropped = await conn.query(`SELECT Id FROM Lead WHERE LastName = 'Dropped'`);
    expect(dropped.totalSize).toBe(0);
  });

  it('UNABLE_TO_LOCK_ROW per record in sObject Collections, HTTP 200 for the rest', async () => {
    await inject({
      kind: 'unable-to-lock-row',
      path: '/services/data/*/composite/sobjects',
      method: 'POST',
      skip: 1,
      count: 1,
    });
    const results = await conn.sobject('Lead').create([
      { LastName: 'Lock-1', Company: 'L' },
      { LastName: 'Lock-2', Company: 'L' },
      { LastName: 'Lock-3', Company: 'L' },
    ]);
    expect(results.map((r) => r.success)).toEqual([true, false, true]);
    const failed = results[1] as { errors: Array<{ statusCode: string; message: string }> };
    expect(failed.errors[0].statusCode).toBe('UNABLE_TO_LOCK_ROW');
    expect(failed.errors[0].message).toContain('unable to obtain exclusive access to this record');
    const stored = await conn.query<{ LastName: string }>(
      `SELECT LastName FROM Lead WHERE LastName LIKE 'Lock-%' ORDER BY LastName`,
    );
    expect(stored.records.map((r) => r.LastName)).toEqual(['Lock-1', 'Lock-3']);
    expect((await counters()).faultsByKind['unable-to-lock-row']).toBe(1);
  });

  it('UNABLE_TO_LOCK_ROW rolls back everything under allOrNone', async () => {
    await inject({ kind: 'unable-to-lock-row', path: '/services/data/*/composite/sobjects', count: 1 });
    const results = await conn.sobject('Lead').create(
      [
        { LastName: 'AllOrNone-1', Company: 'L' },
        { LastName: 'AllOrNone-2', Company: 'L' },
      ],
      { allOrNone: true },
    );
    expect(results.map((r) => (r as { errors: Array<{ statusCode: string }> }).errors[0]?.statusCode)).toEqual([
      'UNABLE_TO_LOCK_ROW',
      'ALL_OR_NONE_OPERATION_ROLLED_BACK',
    ]);
    expect((await conn.query(`SELECT Id FROM Lead WHERE LastName LIKE 'AllOrNone-%'`)).totalSize).toBe(0);
  });

  it('UNABLE_TO_LOCK_ROW per record in Bulk ingest failedResults', async () => {
    await inject({ kind: 'unable-to-lock-row', path: '/services/data/*/jobs/ingest/*/batches', count: 2 });
    const results = await conn.bulk2.loadAndWaitForResults({
      object: 'Lead',
      operation: 'insert',
      pollInterval: 50,
      pollTimeout: 20_000,
      input: [1, 2, 3, 4].map((i) => ({ LastName: `BulkLock-${i}`, Company: 'B' })),
    });
    expect(results.successfulResults).toHaveLength(2);
    const failed = results.failedResults as unknown as Array<Record<string, string>>;
    expect(failed.map((r) => r.LastName)).toEqual(['BulkLock-1', 'BulkLock-2']);
    expect(failed[0].sf__Error).toMatch(/^UNABLE_TO_LOCK_ROW:unable to obtain exclusive access to this record/);
  });

  it('a request-level lock fault answers 400 on a single-record update', async () => {
    const lead = await conn.sobject('Lead').create({ LastName: 'Single', Company: 'S' });
    await inject({ kind: 'unable-to-lock-row', path: '/services/data/*/sobjects/Lead/*', method: 'PATCH', count: 1 });
    const err = await rejection(() => conn.sobject('Lead').update({ Id: lead.id!, Company: 'S2' }));
    expect(err.errorCode).toBe('UNABLE_TO_LOCK_ROW');
    expect(err.message).toContain(lead.id!);
  });

  it('faults SOAP calls with SOAP faults, so jsforce refreshes an expired SOAP session', async () => {
    await inject({ kind: 'invalid-session', path: '/services/Soap/u/*/*', count: 1 });
    const result = await conn.soap.getUserInfo();
    expect(result.userId).toBe(emulator.credentials.sync.userId);
  });

  it('probabilistic rules hit the same calls for the same seed', async () => {
    const run = async (): Promise<boolean[]> => {
      expect((await admin('POST', '/reset')).status).toBe(204);
      await admin('POST', '/faults/reseed', { seed: 7 });
      await inject({ kind: 'internal-error', path: `${queryPath}*`, probability: 0.5 });
      const outcomes: boolean[] = [];
      for (let i = 0; i < 12; i++) {
        outcomes.push(
          await conn.request(`${queryPath}?q=${encodeURIComponent('SELECT Id FROM Lead LIMIT 1')}`, noRetry).then(
            () => true,
            () => false,
          ),
        );
      }
      return outcomes;
    };
    const first = await run();
    expect(first).toContain(true);
    expect(first).toContain(false);
    expect(await run()).toEqual(first);
  });
});
