// `npm run emulator -- --port 8700 [--seed demo|empty] [--scale N] [--tls-cert F --tls-key F]
// [--enable-admin] [--persist DIR [--reset]]`: starts the emulator and prints the login URL and seeded credentials.
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { ADMIN_TOKEN_HEADER } from './admin-routes';
import { reliabilityOf } from './fault-kit';
import { startEmulator, wipePersistedOrg } from './server';

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a positive number');
  return n;
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number (0-65535)');
  return n;
}

const program = new Command()
  .name('emulator')
  .description('Salesforce API emulator: a local org that jsforce and other Salesforce clients use unchanged')
  .option('--port <n>', 'TCP port (0 picks a free one)', port, 8700)
  .option('--host <host>', 'interface to bind', '127.0.0.1')
  .option('--seed <kind>', 'demo (realistic org) or empty (users only)', 'demo')
  .option('--scale <n>', 'demo size multiplier: 1 ≈ 2,000 records, 520 ≈ 1,000,000', positiveNumber, 1)
  .option('--tls-cert <file>', 'PEM certificate: serve HTTPS')
  .option('--tls-key <file>', 'PEM private key for --tls-cert')
  .option('--enable-admin', 'enable the admin API under /__emulator', false)
  .option('--daily-api-limit <n>', 'daily API request allowance', positiveNumber, 100_000)
  .option('--session-ttl <seconds>', 'idle session lifetime', positiveNumber, 7_200)
  .option('--persist <dir>', 'keep the org on disk in DIR: the first start seeds it, later starts continue it')
  .option('--reset', 'with --persist: delete the persisted org first, so this start seeds a fresh one', false)
  .option('--org-id <id>', 'Organization Id of a freshly seeded org (default: random)');

program.parse();
const opts = program.opts<{
  port: number;
  host: string;
  seed: string;
  scale: number;
  tlsCert?: string;
  tlsKey?: string;
  enableAdmin: boolean;
  dailyApiLimit: number;
  sessionTtl: number;
  persist?: string;
  reset: boolean;
  orgId?: string;
}>();

if (opts.seed !== 'demo' && opts.seed !== 'empty') program.error('--seed must be demo or empty');
if (Boolean(opts.tlsCert) !== Boolean(opts.tlsKey)) program.error('--tls-cert and --tls-key go together');
if (opts.reset && !opts.persist) program.error('--reset needs --persist <dir>');
if (opts.reset && opts.persist) wipePersistedOrg(opts.persist);

const started = Date.now();
const emulator = await startEmulator({
  port: opts.port,
  host: opts.host,
  seed: opts.seed as 'demo' | 'empty',
  scale: opts.scale,
  enableAdmin: opts.enableAdmin,
  // Only an explicit limit overrides the one a persisted org carries.
  dailyApiLimit: program.getOptionValueSource('dailyApiLimit') === 'default' ? undefined : opts.dailyApiLimit,
  sessionTtlSeconds: opts.sessionTtl,
  persistDir: opts.persist,
  orgId: opts.orgId,
  tls: opts.tlsCert && opts.tlsKey ? { cert: readFileSync(opts.tlsCert), key: readFileSync(opts.tlsKey) } : undefined,
});
const records = emulator.store.allTables().reduce((sum, t) => sum + t.rows.size, 0);
const c = emulator.credentials;
const lines = [
  `Salesforce emulator listening on ${emulator.url} (${records.toLocaleString('en-US')} records, ready in ${Date.now() - started} ms)`,
  '',
  `  loginUrl / instanceUrl   ${emulator.loginUrl}`,
  `  org id                   ${emulator.store.orgId}`,
  `  persisted                ${emulator.persistence ? `${emulator.persistence.dir} (${emulator.persistence.restored ? `restored, seeded ${emulator.persistence.seededAt}` : 'freshly seeded'})` : 'no (in memory; --persist <dir>)'}`,
  '',
  `  sync user   ${c.sync.username}   password ${c.sync.password}   security token ${c.sync.securityToken}`,
  `              (field-level security hides some fields; cannot see the executive's private records)`,
  `  sales rep   ${c.rep.username}   password ${c.rep.password}   security token ${c.rep.securityToken}`,
  `  executive   ${c.exec.username}   password ${c.exec.password}   security token ${c.exec.securityToken}`,
  '',
  `  OAuth client id       ${c.oauth.clientId}`,
  `  OAuth client secret   ${c.oauth.clientSecret}`,
  `  sync refresh token    ${c.sync.refreshToken}`,
  `  admin API             ${opts.enableAdmin ? `${emulator.url}/__emulator   header ${ADMIN_TOKEN_HEADER}: ${reliabilityOf(emulator.context).adminToken}` : 'off (--enable-admin)'}`,
  '',
  `  jsforce: new jsforce.Connection({ loginUrl: '${emulator.loginUrl}', version: '62.0' })`,
  `           .login('${c.sync.username}', '${c.sync.password}${c.sync.securityToken}')`,
];
console.log(lines.join('\n'));

const shutdown = () => {
  emulator.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
