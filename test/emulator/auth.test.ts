// Conformance: logging in with jsforce 3 the ways Tandem and other clients do, and session refresh.
import jsforce from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../src/emulator/server';
import { API_VERSION, oauthLogin, rejection, soapLogin, start } from './support';

let em: RunningEmulator;

beforeAll(async () => {
  em = await start({ sessionTtlSeconds: 60 });
});
afterAll(() => em.stop());

describe('authentication', () => {
  it('logs in through SOAP with password + security token and queries', async () => {
    const conn = await soapLogin(em);
    expect(conn.instanceUrl).toBe(em.url);
    expect(conn.userInfo?.id).toBe(em.credentials.sync.userId);
    expect(conn.userInfo?.organizationId).toBe(em.store.orgId);
    const r = await conn.query("SELECT Id, Username FROM User WHERE Id = '" + em.credentials.sync.userId + "'");
    expect(r.records[0]).toMatchObject({ Username: em.credentials.sync.username });
  });

  it('refuses a SOAP login without the security token with INVALID_LOGIN', async () => {
    const conn = new jsforce.Connection({ loginUrl: em.loginUrl, version: API_VERSION });
    const err = await rejection(() => conn.login(em.credentials.sync.username, em.credentials.sync.password));
    expect(err.message).toBe('INVALID_LOGIN: Invalid username, password, security token; or user locked out.');
  });

  it('refuses SOAP login on API 65.0 and later', async () => {
    const conn = new jsforce.Connection({ loginUrl: em.loginUrl, version: '65.0' });
    const u = em.credentials.sync;
    const err = await rejection(() => conn.login(u.username, u.password + u.securityToken));
    expect(err.message).toMatch(/^UNSUPPORTED_API_VERSION/);
  });

  it('logs in with the OAuth password grant and gets the identity URL', async () => {
    const conn = await oauthLogin(em, 'rep');
    expect(conn.userInfo?.id).toBe(em.credentials.rep.userId);
    const identity = await conn.identity();
    expect(identity.username).toBe(em.credentials.rep.username);
  });

  it('answers invalid_grant for a wrong OAuth password', async () => {
    const { clientId, clientSecret } = em.credentials.oauth;
    const conn = new jsforce.Connection({
      loginUrl: em.loginUrl,
      version: API_VERSION,
      oauth2: { clientId, clientSecret, loginUrl: em.loginUrl },
    });
    const err = await rejection(() => conn.login(em.credentials.rep.username, 'wrong'));
    expect(err.name).toBe('invalid_grant');
  });

  it('re-logs in through SOAP when a session expires (401 INVALID_SESSION_ID)', async () => {
    const conn = await soapLogin(em);
    const first = conn.accessToken;
    em.context.clock.advance(61_000);
    const r = await conn.query('SELECT COUNT() FROM User');
    expect(r.totalSize).toBeGreaterThan(0);
    expect(conn.accessToken).not.toBe(first);
  });

  it('refreshes a client_credentials session through a refreshFn that asks for a new token', async () => {
    const { clientId, clientSecret } = em.credentials.oauth;
    const oauth2 = new jsforce.OAuth2({ clientId, clientSecret, loginUrl: em.loginUrl });
    let refreshes = 0;
    const conn = new jsforce.Connection({
      oauth2,
      version: API_VERSION,
      refreshFn: (c, callback) => {
        refreshes++;
        oauth2.requestToken({ grant_type: 'client_credentials' }).then(
          (res) => callback(null, res.access_token, res),
          (err: Error) => callback(err),
        );
      },
    });
    await conn.authorize({ grant_type: 'client_credentials' });
    expect(conn.userInfo?.id).toBe(em.credentials.sync.userId);
    em.context.sessions.expireAll();
    const r = await conn.query('SELECT COUNT() FROM User');
    expect(r.totalSize).toBeGreaterThan(0);
    expect(refreshes).toBe(1);
  });

  it('refreshes with the refresh_token grant when the access token is invalid', async () => {
    const { clientId, clientSecret } = em.credentials.oauth;
    const conn = new jsforce.Connection({
      oauth2: { clientId, clientSecret, loginUrl: em.loginUrl },
      instanceUrl: em.url,
      accessToken: 'expired-token',
      refreshToken: em.credentials.sync.refreshToken,
      version: API_VERSION,
    });
    const r = await conn.query('SELECT COUNT() FROM User');
    expect(r.totalSize).toBeGreaterThan(0);
    expect(conn.accessToken).not.toBe('expired-token');
  });

  it('answers 401 INVALID_SESSION_ID with Salesforce wording to an unknown token', async () => {
    const res = await fetch(`${em.url}/services/data/v${API_VERSION}/sobjects`, {
      headers: { Authorization: 'Bearer nope' },
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
  });
});
