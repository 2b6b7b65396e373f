// Conformance: the emulator serves HTTPS (real Salesforce is HTTPS-only) and jsforce logs in over it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../src/emulator/server';
import { soapLogin, start } from './support';

let em: RunningEmulator;
let previousTlsSetting: string | undefined;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'emulator-tls-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  em = await start({ tls: { cert: readFileSync(join(dir, 'cert.pem')), key: readFileSync(join(dir, 'key.pem')) } });
  // The certificate is self-signed; this test file runs in its own process (vitest forks).
  previousTlsSetting = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
});
afterAll(async () => {
  if (previousTlsSetting === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
  else process.env.NODE_TLS_REJECT_UNAUTHORIZED = previousTlsSetting;
  await em.stop();
});

describe('HTTPS', () => {
  it('starts on https and serves SOAP login and REST queries to jsforce', async () => {
    expect(em.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const conn = await soapLogin(em);
    expect(conn.instanceUrl).toBe(em.url);
    const r = await conn.query('SELECT COUNT() FROM User');
    expect(r.totalSize).toBeGreaterThan(0);
  });
});
