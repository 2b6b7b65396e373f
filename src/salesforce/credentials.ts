/**
 * Salesforce credentials, from the environment or a secrets file — never from config, workflow inputs or
 * Temporal history. The variables: SF_LOGIN_URL, SF_USERNAME, SF_PASSWORD, SF_SECURITY_TOKEN,
 * SF_CLIENT_ID, SF_CLIENT_SECRET; SF_SECRETS_FILE names a JSON object or a KEY=VALUE file holding the
 * same keys (file values are overridden by non-empty environment values).
 */
import { readFileSync } from 'node:fs';

/** Thrown when credentials are incomplete or the secrets file is unreadable; the message names the key or file, never a value. */
export class CredentialsError extends Error {
  override readonly name = 'CredentialsError';
}

/** How Tandem logs in: an OAuth flow (https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_flows.htm) or SOAP login (https://developer.salesforce.com/docs/platform/api/guide/sforce-api-calls-login.html). */
export type SalesforceCredentials =
  | { flow: 'client-credentials'; loginUrl: string; clientId: string; clientSecret: string }
  | {
      flow: 'oauth-password';
      loginUrl: string;
      clientId: string;
      clientSecret: string;
      username: string;
      password: string;
    }
  | { flow: 'soap'; loginUrl: string; username: string; password: string };

const KEYS = [
  'SF_LOGIN_URL',
  'SF_USERNAME',
  'SF_PASSWORD',
  'SF_SECURITY_TOKEN',
  'SF_CLIENT_ID',
  'SF_CLIENT_SECRET',
] as const;
type Key = (typeof KEYS)[number];

const DEFAULT_LOGIN_URL = 'https://login.salesforce.com';

/**
 * Reads credentials from `env` (and SF_SECRETS_FILE when set). Returns null when no Salesforce credential
 * is configured at all; throws CredentialsError when some are set but they form no complete login.
 */
export function loadCredentials(env: NodeJS.ProcessEnv = process.env): SalesforceCredentials | null {
  const values: Partial<Record<Key, string>> = {};
  if (env.SF_SECRETS_FILE) Object.assign(values, readSecretsFile(env.SF_SECRETS_FILE));
  for (const key of KEYS) {
    const value = env[key];
    if (value !== undefined && value !== '') values[key] = value;
  }
  const {
    SF_USERNAME: username,
    SF_PASSWORD: password,
    SF_CLIENT_ID: clientId,
    SF_CLIENT_SECRET: clientSecret,
  } = values;
  if (!username && !password && !clientId && !clientSecret) return null;
  const loginUrl = (values.SF_LOGIN_URL ?? DEFAULT_LOGIN_URL).replace(/\/+$/, '');
  if (!/^https?:\/\/[^\s/]+/.test(loginUrl)) throw new CredentialsError('SF_LOGIN_URL is not an http(s) URL');
  if (Boolean(clientId) !== Boolean(clientSecret)) {
    throw new CredentialsError('SF_CLIENT_ID and SF_CLIENT_SECRET must be set together');
  }
  if (Boolean(username) !== Boolean(password))
    throw new CredentialsError('SF_USERNAME and SF_PASSWORD must be set together');
  // SOAP and the OAuth password flow both take the security token appended to the password.
  const fullPassword = password ? password + (values.SF_SECURITY_TOKEN ?? '') : '';
  if (clientId && clientSecret && username) {
    return { flow: 'oauth-password', loginUrl, clientId, clientSecret, username, password: fullPassword };
  }
  if (clientId && clientSecret) return { flow: 'client-credentials', loginUrl, clientId, clientSecret };
  return { flow: 'soap', loginUrl, username: username!, password: fullPassword };
}

/** Parses a secrets file: a JSON object of the SF_* keys, or KEY=VALUE lines (`#` comments, optional quotes). */
export function readSecretsFile(path: string): Partial<Record<Key, string>> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CredentialsError(
      `SF_SECRETS_FILE ${path} cannot be read: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  }
  const result: Partial<Record<Key, string>> = {};
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      throw new CredentialsError(`SF_SECRETS_FILE ${path} is not valid JSON`);
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new CredentialsError(`SF_SECRETS_FILE ${path} must hold a JSON object`);
    for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
      if (!(KEYS as readonly string[]).includes(key))
        throw new CredentialsError(`SF_SECRETS_FILE ${path}: unknown key ${key}`);
      if (typeof value !== 'string') throw new CredentialsError(`SF_SECRETS_FILE ${path}: ${key} must be a string`);
      result[key as Key] = value;
    }
    return result;
  }
  for (const [index, rawLine] of text.split(/\r?\n/).entries()) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = /^(?:export\s+)?([A-Z_][A-Z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!match) throw new CredentialsError(`SF_SECRETS_FILE ${path}: line ${index + 1} is not KEY=VALUE`);
    const key = match[1]!;
    if (!(KEYS as readonly string[]).includes(key))
      throw new CredentialsError(`SF_SECRETS_FILE ${path}: unknown key ${key} on line ${index + 1}`);
    let value = match[2]!;
    if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.endsWith(value[0]))
      value = value.slice(1, -1);
    result[key as Key] = value;
  }
  return result;
}

/** The secret strings of a credential set, for redaction from error messages and logs. */
export function secretValues(credentials: SalesforceCredentials): string[] {
  const secrets: string[] = [];
  if ('clientSecret' in credentials) secrets.push(credentials.clientSecret);
  if ('password' in credentials) secrets.push(credentials.password);
  return secrets.filter((s) => s.length > 0);
}
