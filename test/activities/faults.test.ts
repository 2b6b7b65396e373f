// Convergence under injected transient faults: a chaos proxy in front of the emulator answers 20%
// of API requests with 503 SERVER_UNAVAILABLE or a dropped connection, and the real activities run
// on a real Temporal worker whose retry policy — not a loop in the test — brings the initial copy
// and the incremental pulls to the same state as a fault-free run.
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Client, Connection as ClientConnection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { Connection } from 'jsforce';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities } from '../../src/activities';
import { migrate } from '../../src/db/migrations';
import { createEmulator } from '../../src/emulator/server';
import { syncedObjects } from '../../src/objects';
import { SalesforceClient } from '../../src/salesforce/connection';
import { queryPages } from '../../src/salesforce/rest-query';
import { buildSelect } from '../../src/salesforce/soql';
import { useTestDatabase } from '../support/database';
import { API_VERSION, testConfig } from './org';
import { copyObjectsWorkflow, pullObjectsWorkflow } from './fixtures/sync-workflows';

const db = useTestDatabase();
const OBJECTS = syncedObjects(['Subscription__c']).map((o) => o.name);
const FAULT_RATE = 0.2;

let emulatorServer: Server;
let proxy: Server;
const chaos = { enabled: false, seen: 0, faulted: 0, seed: 12345 };

/** A seeded PRNG so the faults repeat from run to run (mulberry32). */
function random(): number {
  let t = (chaos.seed += 0x6d2b79f5);
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

function startProxy(target: AddressInfo): Promise<Server> {
  const server = createServer((req, res) => {
    const isApi = (req.url ?? '').startsWith('/services/data/');
    if (chaos.enabled && isApi) {
      chaos.seen++;
      const roll = random();
      if (roll < FAULT_RATE / 2) {
        chaos.faulted++;
        res.writeHead(503, { 'Content-Type': 'application/json;charset=UTF-8' });
        res.end(JSON.stringify([{ message: 'Service temporarily unavailable', errorCode: 'SERVER_UNAVAILABLE' }]));
        return;
      }
      if (roll < FAULT_RATE) {
        chaos.faulted++;
        req.socket.destroy();
        return;
      }
    }
    const upstream = httpRequest(
      { host: target.address, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

let rep: Connection;
let client: Client;
let clientConnection: ClientConnection;
let nativeConnection: NativeConnection;
let worker: Worker;
let workerRun: Promise<void>;
let pool: () => pg.Pool;
let sync: SalesforceClient;

beforeAll(async () => {
  const instance = createEmulator({ seed: 'demo', scale: 1 });
  emulatorServer = createServer(instance.app);
  await new Promise<void>((resolve) => emulatorServer.listen(0, '127.0.0.1', () => resolve()));
  proxy = await startProxy(emulatorServer.address() as AddressInfo);
  const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  // The org tells clients to use the proxy as their instance URL, so every call passes through it.
  instance.setBaseUrl(url);
  await migrate(db.current.pool);
  pool = () => db.current.pool;
  const { oauth, rep: repUser } = instance.credentials;
  sync = await SalesforceClient.connect({
    credentials: {
      flow: 'client-credentials',
      loginUrl: url,
      clientId: oauth.clientId,
      clientSecret: oauth.clientSecret,
    },
    apiVersion: API_VERSION,
  });
  rep = new Connection({ loginUrl: url, version: API_VERSION });
  await rep.loginBySoap(repUser.username, repUser.password + repUser.securityToken);
  const activities = createActivities({
    salesforce: sync,
    db: pool(),
    config: testConfig({ bulkQueryThreshold: 100, bulkResultPageSize: 50 }),
    now: () => new Date(instance.context.clock.now()),
  });
  const address = inject('temporalAddress');
  nativeConnection = await NativeConnection.connect({ address });
  clientConnection = await ClientConnection.connect({ address });
  client = new Client({ connection: clientConnection });
  worker = await Worker.create({
    connection: nativeConnection,
    taskQueue: 'tandem-faults-test',
    workflowsPath: fileURLToPath(new URL('./fixtures/sync-workflows.ts', import.meta.url)),
    activities,
    shutdownGraceTime: '1s',
  });
  workerRun = worker.run();
}, 180_000);

afterAll(async () => {
  worker?.shutdown();
  await workerRun;
  await nativeConnection?.close();
  await clientConnection?.close();
  await new Promise((resolve) => proxy?.close(resolve));
  emulatorServer?.closeAllConnections();
  await new Promise((resolve) => emulatorServer?.close(resolve));
});

/** Live local rows as `sfid stamp` lines, for comparison. */
async function localSnapshot(table: string): Promise<string[]> {
  const { rows } = await pool().query(
    `SELECT sfid, systemmodstamp FROM salesforce.${table} WHERE NOT isdeleted ORDER BY sfid`,
  );
  return rows.map((r) => `${r.sfid} ${r.systemmodstamp.toISOString()}`);
}

/** The same lines for every record the sync user sees through the API (faults off). */
async function orgSnapshot(object: string): Promise<string[]> {
  const lines: string[] = [];
  for await (const page of queryPages(sync, buildSelect({ object, fields: ['Id', 'SystemModstamp'] }))) {
    for (const r of page.records)
      lines.push(`${String(r.Id)} ${new Date(String(r.SystemModstamp).replace('+0000', 'Z')).toISOString()}`);
  }
  return lines.sort();
}

describe('with 20% injected transient faults', () => {
  it('copies every object and pulls changes to the same state as without faults', async () => {
    chaos.enabled = true;
    const copies = await client.workflow.execute(copyObjectsWorkflow, {
      taskQueue: 'tandem-faults-test',
      workflowId: `copy-under-faults-${Date.now()}`,
      args: [{ objects: OBJECTS, maxPages: 3 }],
    });
    expect(copies.every((p) => p.done)).toBe(true);
    expect(chaos.faulted).toBeGreaterThanOrEqual(5);

    // Changes made by the rep while the faults continue.
    chaos.enabled = false;
    const created = await rep.sobject('Lead').create({ LastName: 'Chaos', Company: 'Faulty Inc' });
    const contacts = await rep.query<{ Id: string }>('SELECT Id FROM Contact LIMIT 20');
    await rep.sobject('Contact').update(contacts.records.map((c) => ({ Id: c.Id, Title: 'Changed under faults' })));
    await rep.sobject('Lead').destroy(created.id!);
    chaos.enabled = true;
    const faultedBefore = chaos.faulted;
    const pulls = await client.workflow.execute(pullObjectsWorkflow, {
      taskQueue: 'tandem-faults-test',
      workflowId: `pull-under-faults-${Date.now()}`,
      args: [{ objects: OBJECTS }],
    });
    expect(pulls.map((p) => p.object)).toEqual(OBJECTS);
    expect(chaos.faulted).toBeGreaterThan(faultedBefore);
    chaos.enabled = false;

    // Every object converged to exactly what the sync user sees.
    for (const object of OBJECTS) {
      expect(await localSnapshot(object.toLowerCase()), object).toEqual(await orgSnapshot(object));
    }
    const { rows } = await pool().query(`SELECT title FROM salesforce.contact WHERE sfid = ANY($1)`, [
      contacts.records.map((c) => c.Id),
    ]);
    expect(rows.filter((r) => r.title === 'Changed under faults').length).toBeGreaterThan(0);
    expect(
      (await pool().query('SELECT isdeleted FROM salesforce.lead WHERE sfid = $1', [created.id])).rows[0].isdeleted,
    ).toBe(true);
  });
});
