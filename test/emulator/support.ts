// Starts emulators for the conformance tests and logs jsforce in as the seeded users.
import jsforce, { type Connection } from 'jsforce';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../src/emulator/server';

/** The API version the conformance tests speak (FIELDS() needs 51+, SOAP login ≤ 64). */
export const API_VERSION = '62.0';

/** Starts an emulator (empty org unless told otherwise). */
export function start(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  return startEmulator({ seed: 'empty', ...options });
}

/** A jsforce connection logged in through SOAP as the sync user (`which` picks another user). */
export async function soapLogin(em: RunningEmulator, which: 'sync' | 'rep' | 'exec' = 'sync'): Promise<Connection> {
  const conn = new jsforce.Connection({ loginUrl: em.loginUrl, version: API_VERSION });
  const u = em.credentials[which];
  await conn.login(u.username, u.password + u.securityToken);
  return conn;
}

/** A jsforce connection logged in with the OAuth password grant. */
export async function oauthLogin(em: RunningEmulator, which: 'sync' | 'rep' | 'exec' = 'sync'): Promise<Connection> {
  const { clientId, clientSecret } = em.credentials.oauth;
  const conn = new jsforce.Connection({
    loginUrl: em.loginUrl,
    version: API_VERSION,
    oauth2: { clientId, clientSecret, loginUrl: em.loginUrl },
  });
  const u = em.credentials[which];
  await conn.login(u.username, u.password + u.securityToken);
  return conn;
}

/** Runs `fn` and returns the error it rejects with (fails the test if it resolves). */
export async function rejection(
  fn: () => PromiseLike<unknown>,
): Promise<Error & { errorCode?: string; data?: unknown }> {
  try {
    await fn();
  } catch (err) {
    return err as Error & { errorCode?: string };
  }
  throw new Error('expected the call to fail, but it succeeded');
}
