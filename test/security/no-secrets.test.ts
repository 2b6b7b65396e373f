// A real sync — the emulator, a worker process (`tsx src/worker.ts`, SOAP login with password and
// security token) and Temporal — leaves no credential, session id or record content in Temporal's
// history (every run of the sync and of the initial-copy child, read with `temporal workflow show -o
// json`, payloads decoded), in the `status` query or in the worker's log; and a login failure and
// Salesforce errors are reported clearly without the secrets.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { spawnWorker, type WorkerProcess } from '../../chaos/worker-process';
import { reliabilityOf } from '../../src/emulator/fault-kit';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server';
import { initialCopyWorkflowId } from '../../src/shared';
import type { ContinuousSyncInput } from '../../src/workflows/continuous-sync';
import { statusQuery, type SyncStatus } from '../../src/workflows/messages';
import { useTestDatabase } from '../support/database';
import { eventually } from '../support/eventually';
import { b64, historyText, payloadsIn } from './history';

const db = useTestDatabase();
let emulator: RunningEmulator;
let client: Client;
let connection: Connection;
const issuedSessions: string[] = [];
const workers: WorkerProcess[] = [];
// An empty config file: everything else comes from the environment, as in a container.
const configFile = join(mkdtempSync(join(tmpdir(), 'tandem-secrets-')), 'tandem.config.yaml');
writeFileSync(configFile, '{}\n');

beforeAll(async () => {
  emulator = await startEmulator({ seed: 'demo', scale: 1, enableAdmin: true });
  // Remember every session token the org hands out, to look for them afterwards.
  const sessions = emulator.context.sessions;
  const issue = sessions.issue.bind(sessions);
  sessions.issue = (user, via) => {
    const session = issue(user, via);
    issuedSessions.push(session.token);
    return session;
  };
  connection = await Connection.connect({ address: inject('temporalAddress') });
  client = new Client({ connection }); // no codec: the plain history must already be clean
});
afterAll(async () => {
  for (const worker of workers) await worker.stop();
  await connection?.close();
  await emulator?.stop();
});

function startWorker(taskQueue: string, credentials: Record<string, string>): WorkerProcess {
  const worker = spawnWorker({
    env: {
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      DATABASE_URL: db.current.url,
      TANDEM_TASK_QUEUE: taskQueue,
      TANDEM_METRICS_PORT: '0',
      TANDEM_CONFIG: configFile,
      TANDEM_PAYLOAD_KEY: undefined,
      SF_CLIENT_ID: undefined,
      SF_CLIENT_SECRET: undefined,
      SF_SECRETS_FILE: undefined,
      SF_SECURITY_TOKEN: undefined,
      LOG_LEVEL: 'debug',
      SF_LOGIN_URL: emulator.loginUrl,
      ...credentials,
    },
  });
  workers.push(worker);
  return worker;
}

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

/** The history of every run of the sync and its copy child, with each payload's data and metadata decoded. */
async function fullHistory(workflowId: string): Promise<string> {
  const cli = inject('temporalCli');
  const address = inject('temporalAddress');
  const texts = [
    ...(await historyText(cli, address, workflowId)),
    ...(await historyText(cli, address, initialCopyWorkflowId(workflowId)).catch(() => [])),
  ];
  const decoded = texts.flatMap((t) =>
    payloadsIn(JSON.parse(t)).flatMap((p) => [b64(p.data), ...Object.values(p.metadata ?? {}).map(b64)]),
  );
  return [...texts, ...decoded].join('\n');
}

/** Values of the seeded people that must never leave Salesforce and PostgreSQL. */
function personalData(): string[] {
  const rep = emulator.store.users.get(emulator.credentials.rep.userId)!;
  const values = new Set<string>();
  for (const object of ['Lead', 'Contact']) {
    const result = emulator.store.query(rep, `SELECT FirstName, LastName, Email, Phone, MobilePhone FROM ${object}`);
    for (const row of result.rows) {
      const [first, last, email, phone, mobile] = result.toFlat(row) as (string | null)[];
      if (first && last) values.add(`${first} ${last}`);
      for (const v of [email, phone, mobile]) if (v && v.length >= 7) values.add(v);
    }
  }
  return [...values];
}

function secrets(): string[] {
  const { sync, rep, exec, oauth } = emulator.credentials;
  return [
    sync.password,
    sync.securityToken,
    sync.password + sync.securityToken,
    sync.refreshToken,
    rep.password,
    exec.password,
    oauth.clientSecret,
  ].filter((s) => s.length >= 6);
}

function leaks(haystack: string, needles: string[]): string[] {
  return needles.filter((n) => haystack.includes(n));
}

describe('no credentials, sessions or record content outside Salesforce and PostgreSQL', () => {
  it('a full sync with a marketing insert, session expiries and a refused record leaves none in history, status or logs', async () => {
    const taskQueue = `secrets-${Date.now()}`;
    const workflowId = `secrets-sync-${taskQueue}`;
    const { sync } = emulator.credentials;
    const worker = startWorker(taskQueue, {
      SF_USERNAME: sync.username,
      SF_PASSWORD: sync.password,
      SF_SECURITY_TOKEN: sync.securityToken,
    });
    await worker.ready;
    const input: ContinuousSyncInput = { pauseBetweenCycles: '1 second', maxCyclesPerRun: 2 };
    const handle = await client.workflow.start('continuousSyncWorkflow', { taskQueue, workflowId, args: [input] });
    const status = (): Promise<SyncStatus> => handle.query(statusQuery);
    await eventually(
      async () => {
        const s = await status();
        return s.cycle >= 2 && Object.values(s.objects).every((o) => o.state === 'syncing') && s.phase === 'waiting';
      },
      120_000,
      250,
    );

    // Marketing-side content pushed to Salesforce, and a value Salesforce refuses (its message names the value).
    await db.current.pool.query(
      `INSERT INTO salesforce.lead (lastname, firstname, company, email, phone) VALUES ('Canaryperson', 'Zelda', 'Canary Works', 'zelda.canary@privacy.example', '+1 415 555 0199')`,
    );
    await db.current.pool.query(
      `UPDATE salesforce.lead SET status = 'Secret Status Zeta' WHERE sfid = (SELECT min(sfid) FROM salesforce.lead WHERE NOT isdeleted AND NOT isconverted)`,
    );
    // Sessions expire mid-run (re-login with the password), and some calls fail.
    emulator.context.sessions.expireAll();
    await admin('POST', '/faults', { kind: 'internal-error', path: '/services/data/*', probability: 0.2, count: 10 });
    const before = (await status()).cycle;
    await eventually(
      async () => {
        const s = await status();
        return s.cycle >= before + 3 && s.phase === 'waiting';
      },
      120_000,
      250,
    );
    const pushed = await db.current.pool.query(
      `SELECT sfid FROM salesforce.lead WHERE email = 'zelda.canary@privacy.example'`,
    );
    expect(pushed.rows[0]?.sfid).toMatch(/^00Q/);
    const refused = await db.current.pool.query(
      `SELECT code, message FROM tandem.sync_error WHERE resolved_at IS NULL`,
    );
    expect(refused.rows.map((r) => r.code)).toContain('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');

    const finalStatus = JSON.stringify(await status());
    await handle.terminate();
    await worker.stop();

    const history = await fullHistory(workflowId);
    expect(history.length).toBeGreaterThan(10_000);
    expect(history).toContain('pullChanges'); // the scan reads real history
    expect(history).toContain('never-copied'); // … with every payload decoded
    expect(issuedSessions.length).toBeGreaterThanOrEqual(2);
    const people = [
      ...personalData(),
      'Zelda Canaryperson',
      'zelda.canary@privacy.example',
      '+1 415 555 0199',
      'Secret Status Zeta',
    ];
    expect(people.length).toBeGreaterThan(1_000);

    expect(leaks(history, secrets()), 'credentials in history').toEqual([]);
    expect(leaks(history, issuedSessions), 'session ids in history').toEqual([]);
    expect(leaks(history, people), 'record content in history').toEqual([]);
    expect(leaks(finalStatus, [...secrets(), ...issuedSessions, ...people]), 'status').toEqual([]);
    const log = worker.output();
    expect(log).toContain('worker running');
    expect(leaks(log, [...secrets(), ...issuedSessions]), 'credentials in the worker log').toEqual([]);
    expect(leaks(log, people), 'record content in the worker log').toEqual([]);
  }, 240_000);

  it('a login failure and Salesforce errors are reported clearly, with no password, token or session in status, history or log', async () => {
    const taskQueue = `badlogin-${Date.now()}`;
    const workflowId = `badlogin-sync-${taskQueue}`;
    const wrongPassword = 'Wr0ng-But-Close-Secret!';
    const { sync } = emulator.credentials;
    const worker = startWorker(taskQueue, {
      SF_USERNAME: sync.username,
      SF_PASSWORD: wrongPassword,
      SF_SECURITY_TOKEN: sync.securityToken,
    });
    await worker.ready;
    const input: ContinuousSyncInput = {
      pauseBetweenCycles: '1 hour',
      objects: [{ name: 'Lead', direction: 'two-way' }],
    };
    const handle = await client.workflow.start('continuousSyncWorkflow', { taskQueue, workflowId, args: [input] });
    // Lead was copied by the test above, so the failure shows on its pull (on a fresh database, on its copy).
    const failureOf = (s: SyncStatus): string | undefined =>
      s.initialCopy.Lead?.error ?? s.objects.Lead?.lastPull?.error;
    const failed = await eventually(
      async () => {
        const s = await handle.query(statusQuery);
        return failureOf(s) ? s : undefined;
      },
      90_000,
      250,
    );
    const message = failureOf(failed)!;
    expect(message).toMatch(/INVALID_LOGIN/);
    expect(message).toMatch(/Lead/);
    await handle.terminate();
    await worker.stop();

    // The right password, then a session that keeps expiring: refreshed once, then a clear permanent failure.
    const taskQueue2 = `expiring-${Date.now()}`;
    const workflowId2 = `expiring-sync-${taskQueue2}`;
    const worker2 = startWorker(taskQueue2, {
      SF_USERNAME: sync.username,
      SF_PASSWORD: sync.password,
      SF_SECURITY_TOKEN: sync.securityToken,
    });
    await worker2.ready;
    await admin('POST', '/faults', { kind: 'invalid-session', path: '/services/data/*', probability: 1 });
    let expiredStatus: SyncStatus | undefined;
    try {
      const handle2 = await client.workflow.start('continuousSyncWorkflow', {
        taskQueue: taskQueue2,
        workflowId: workflowId2,
        args: [input],
      });
      const expired = await eventually(
        async () => {
          const s = await handle2.query(statusQuery);
          return failureOf(s) ? s : undefined;
        },
        90_000,
        250,
      );
      expect(failureOf(expired)).toMatch(/session/i);
      expiredStatus = expired;
      await handle2.terminate();
    } finally {
      await admin('DELETE', '/faults');
    }
    await worker2.stop();

    const everything = [
      JSON.stringify(failed),
      JSON.stringify(expiredStatus),
      await fullHistory(workflowId),
      await fullHistory(workflowId2),
      worker.output(),
      worker2.output(),
    ].join('\n');
    expect(worker.output()).toMatch(/INVALID_LOGIN/); // the log says what went wrong
    expect(
      leaks(everything, [wrongPassword, wrongPassword + sync.securityToken, ...secrets(), ...issuedSessions]),
    ).toEqual([]);
  }, 240_000);
});
