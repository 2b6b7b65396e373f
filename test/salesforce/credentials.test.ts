import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CredentialsError, loadCredentials, secretValues } from '../../src/salesforce/credentials';

const dir = mkdtempSync(join(tmpdir(), 'tandem-creds-'));

describe('Salesforce credentials', () => {
  it('returns null when nothing is configured', () => {
    expect(loadCredentials({})).toBeNull();
  });

  it('chooses client credentials, OAuth password or SOAP from what is set', () => {
    expect(loadCredentials({ SF_LOGIN_URL: 'http://127.0.0.1:1', SF_CLIENT_ID: 'id', SF_CLIENT_SECRET: 's' })).toEqual({
      flow: 'client-credentials',
      loginUrl: 'http://127.0.0.1:1',
      clientId: 'id',
      clientSecret: 's',
    });
    expect(
      loadCredentials({
        SF_CLIENT_ID: 'id',
        SF_CLIENT_SECRET: 's',
        SF_USERNAME: 'u',
        SF_PASSWORD: 'p',
        SF_SECURITY_TOKEN: 'T',
      }),
    ).toMatchObject({
      flow: 'oauth-password',
      password: 'pT',
      loginUrl: 'https://login.salesforce.com',
    });
    expect(loadCredentials({ SF_USERNAME: 'u', SF_PASSWORD: 'p', SF_SECURITY_TOKEN: 'T' })).toMatchObject({
      flow: 'soap',
      username: 'u',
      password: 'pT',
    });
  });

  it('refuses half a credential, naming the keys but not the values', () => {
    expect(() => loadCredentials({ SF_CLIENT_ID: 'id' })).toThrow(
      'SF_CLIENT_ID and SF_CLIENT_SECRET must be set together',
    );
    expect(() => loadCredentials({ SF_USERNAME: 'u' })).toThrow(CredentialsError);
    try {
      loadCredentials({ SF_PASSWORD: 'hunter2secret' });
    } catch (error) {
      expect((error as Error).message).not.toContain('hunter2secret');
    }
  });

  it('reads a JSON or KEY=VALUE secrets file, with the environment taking precedence', () => {
    const json = join(dir, 'secrets.json');
    writeFileSync(
      json,
      JSON.stringify({ SF_USERNAME: 'file-user', SF_PASSWORD: 'pw', SF_LOGIN_URL: 'http://127.0.0.1:9' }),
    );
    expect(loadCredentials({ SF_SECRETS_FILE: json, SF_USERNAME: 'env-user' })).toMatchObject({
      flow: 'soap',
      username: 'env-user',
      password: 'pw',
    });
    const envFile = join(dir, 'secrets.env');
    writeFileSync(envFile, '# Tandem\nSF_CLIENT_ID=abc\nexport SF_CLIENT_SECRET="s e c"\n');
    expect(loadCredentials({ SF_SECRETS_FILE: envFile })).toMatchObject({
      flow: 'client-credentials',
      clientSecret: 's e c',
    });
  });

  it('refuses an unreadable or malformed secrets file, naming the file and line', () => {
    expect(() => loadCredentials({ SF_SECRETS_FILE: join(dir, 'missing') })).toThrow(/cannot be read/);
    const bad = join(dir, 'bad.env');
    writeFileSync(bad, 'SF_USERNAME=u\nnot a pair\n');
    expect(() => loadCredentials({ SF_SECRETS_FILE: bad })).toThrow(/line 2 is not KEY=VALUE/);
    const unknown = join(dir, 'unknown.json');
    writeFileSync(unknown, '{"SF_TOKEN":"x"}');
    expect(() => loadCredentials({ SF_SECRETS_FILE: unknown })).toThrow(/unknown key SF_TOKEN/);
  });

  it('lists the secrets to redact', () => {
    expect(
      secretValues({
        flow: 'oauth-password',
        loginUrl: 'x',
        clientId: 'id',
        clientSecret: 'cs',
        username: 'u',
        password: 'pw',
      }),
    ).toEqual(['cs', 'pw']);
  });
});
