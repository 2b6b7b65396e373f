import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { temporalConnectionOptions, TemporalConnectionConfigError } from '../../src/temporal/connection';

const config = loadConfig({ env: { TEMPORAL_ADDRESS: 'acme.a1b2c.tmprl.cloud:7233', TANDEM_CONFIG: '' } });

describe('temporalConnectionOptions', () => {
  it('connects in plain text to a local server by default', () => {
    expect(temporalConnectionOptions(config, {})).toEqual({ address: 'acme.a1b2c.tmprl.cloud:7233' });
  });

  it('uses TLS with the system CAs for an API key (Temporal Cloud)', () => {
    expect(temporalConnectionOptions(config, { TEMPORAL_API_KEY: 'key-123' })).toEqual({
      address: 'acme.a1b2c.tmprl.cloud:7233',
      apiKey: 'key-123',
      tls: true,
    });
  });

  it('reads an mTLS client certificate, a private CA and an SNI override from the files the environment names', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tandem-tls-'));
    for (const name of ['client.pem', 'client.key', 'ca.pem']) writeFileSync(join(dir, name), `-----${name}-----`);
    const options = temporalConnectionOptions(config, {
      TEMPORAL_TLS_CLIENT_CERT_PATH: join(dir, 'client.pem'),
      TEMPORAL_TLS_CLIENT_KEY_PATH: join(dir, 'client.key'),
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: join(dir, 'ca.pem'),
      TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
    });
    expect(options.tls).toEqual({
      clientCertPair: { crt: Buffer.from('-----client.pem-----'), key: Buffer.from('-----client.key-----') },
      serverRootCACertificate: Buffer.from('-----ca.pem-----'),
      serverNameOverride: 'temporal.internal',
    });
  });

  it('names the variable and path of an unreadable file, and a half-configured certificate pair', () => {
    expect(() =>
      temporalConnectionOptions(config, {
        TEMPORAL_TLS_CLIENT_CERT_PATH: '/nope/c.pem',
        TEMPORAL_TLS_CLIENT_KEY_PATH: '/nope/c.key',
      }),
    ).toThrow(new TemporalConnectionConfigError('TEMPORAL_TLS_CLIENT_CERT_PATH=/nope/c.pem cannot be read (ENOENT)'));
    expect(() => temporalConnectionOptions(config, { TEMPORAL_TLS_CLIENT_CERT_PATH: '/nope/c.pem' })).toThrow(
      /must be set together/,
    );
  });
});
