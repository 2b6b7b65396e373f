// Session expiry under faults: the refresh guard fails a call whose session expires again right after
// a refresh (no endless refresh loop), yet the worker's shared client logs in again on the next call.
// Found by the chaos run: after two expiries in a row the guard stayed armed and every later call
// failed with SalesforceSessionError until the worker process restarted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reliabilityOf } from '../../src/emulator/fault-kit';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server';
import { SalesforceClient, SessionRefreshError } from '../../src/salesforce/connection';

let emulator: RunningEmulator;
let client: SalesforceClient;

async function admin(method: string, path: string, body?: unknown): Promise<void> {
  const response = await fetch(`${emulator.url}/__emulator${path}`, {
    method,
    headers: {
      'X-Emulator-Admin-Token': reliabilityOf(emulator.context).adminToken,
      'Content-Type': 'application/json',
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`admin ${method} ${path}: ${response.status}`);
}

const limits = (): Promise<unknown> => client.request({ method: 'GET', url: '/limits' });

beforeAll(async () => {
  emulator = await startEmulator({ seed: 'empty', enableAdmin: true });
  const { oauth } = emulator.credentials;
  client = await SalesforceClient.connect({
    credentials: {
      flow: 'client-credentials',
      loginUrl: emulator.loginUrl,
      clientId: oauth.clientId,
      clientSecret: oauth.clientSecret,
    },
    apiVersion: '62.0',
    transportRetries: 0,
  });
});
afterAll(async () => {
  await admin('DELETE', '/faults').catch(() => undefined);
  await emulator?.stop();
});

describe('Salesforce session refresh', () => {
  it('fails a call whose session expires again right after the refresh, then logs in again on the next call', async () => {
    await admin('POST', '/faults', { kind: 'invalid-session', path: '/services/data/*', count: 2 });
    await expect(limits()).rejects.toThrow(SessionRefreshError);
    await admin('DELETE', '/faults');
    // The session really expires now (an admin expired all sessions): the next call must refresh and succeed.
    emulator.context.sessions.expireAll();
    await expect(limits()).resolves.toBeTruthy();
  });

  it('recovers after a refresh whose retried call failed on a 5xx, and after a login that failed', async () => {
    emulator.context.sessions.expireAll();
    await admin('POST', '/faults', { kind: 'server-unavailable', path: '/services/data/*', count: 1, skip: 1 });
    await expect(limits()).rejects.toThrow(); // 401 → refresh → 503
    await admin('DELETE', '/faults');
    emulator.context.sessions.expireAll();
    await expect(limits()).resolves.toBeTruthy(); // 401 → refresh allowed again → 200

    emulator.context.sessions.expireAll();
    await admin('POST', '/faults', { kind: 'server-unavailable', path: '/services/oauth2/*', count: 1 });
    await expect(limits()).rejects.toThrow(); // 401 → refresh → the token endpoint answers 503
    await admin('DELETE', '/faults');
    await expect(limits()).resolves.toBeTruthy();
  });
});
