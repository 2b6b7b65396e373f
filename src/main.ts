/**
 * `npm start`: Tandem in one command. Uses what is configured and brings up what is not:
 * - Salesforce: the SF_* credentials, else the built-in emulator seeded with the demo org;
 * - Temporal: TEMPORAL_ADDRESS, else a dev server with its Web UI on http://localhost:8233,
 *   persisted to .tandem/temporal.db so a restart resumes the same workflow;
 * - PostgreSQL: DATABASE_URL, else the local server (database `tandem`, created if missing).
 * Then it runs a worker, starts the continuous sync (or attaches to the running one), prints where
 * to look, and reports progress until Ctrl-C stops everything cleanly.
 * The demo org is kept in .tandem/emulator, so a restart continues where it stopped;
 * `npm start -- --reset` starts the demo over on both sides (src/demo-reset.ts).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { Client, Connection, WorkflowIdConflictPolicy } from '@temporalio/client';
import { temporalConnectionOptions } from './temporal/connection';
import { progressLine } from './cli/format';
import { pendingActivities } from './cli/pending';
import { loadConfig, type TandemConfig } from './config';
import { DatabaseUnreachableError, ensureDatabase } from './db/ensure-database';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './db/embedded';
import { startEmulator, type RunningEmulator } from './emulator/server';
import { logger, redactUrl } from './logger';
import { installRuntime, serveMetrics } from './metrics';
import { loadCredentials, type SalesforceCredentials } from './salesforce/credentials';
import { dataConverter } from './security/data-converter';
import { ensureTemporalBinaries, temporalCliCommand } from './temporal/binaries';
import { processAlive, readRuntimeInfo, removeRuntimeInfo, stateDir, writeRuntimeInfo } from './runtime-file';
import { freePort, isHealthy, startDevServer, type DevServer } from './temporal/dev-server';
import { runSyncWorker, type RunningSyncWorker } from './worker';
import { TANDEM_ORG, TANDEM_ORG_ID } from './shared';
import { continuousSyncWorkflow } from './workflows';
import { statusQuery } from './workflows/messages';
import { configSchema } from './config';
import { createPool } from './db/pool';
import { readOrgBinding } from './db/org-binding';
import { dropTandemSchemas } from './db/reset';
import {
  formatReset,
  parseStartFlags,
  removeDemoOrg,
  resetRefusal,
  terminateSync,
  type ResetReport,
} from './demo-reset';
import { SalesforceClient } from './salesforce/connection';
import { readOrganizationName } from './salesforce/organization';
import { describeOrg, sameOrgId, type OrgIdentity } from './sync/org-identity';

/** Where `npm start` keeps the dev server's and the embedded database's files. */
const STATE_DIR = stateDir();
/** Where the demo org lives between runs (the emulator's journal and snapshot). */
const DEMO_ORG_DIR = `${STATE_DIR}/emulator`;
// The dev server's ports; the variables exist so a second Tandem (or a test) can run beside the first.
const DEFAULT_TEMPORAL_PORT = Number(process.env.TANDEM_TEMPORAL_PORT ?? 7233);
const DEFAULT_UI_PORT = Number(process.env.TANDEM_UI_PORT ?? 8233);
const DEFAULT_EMULATOR_PORT = 8700;
const PROGRESS_INTERVAL_MS = 5_000;
const PROGRESS_REPEAT_MS = 30_000;

const log = logger.child({ component: 'start' });

/** Everything `npm start` brought up, to stop in reverse order. */
interface Started {
  emulator?: RunningEmulator;
  embeddedDatabase?: EmbeddedPostgres;
  devServer?: DevServer;
  worker?: RunningSyncWorker;
  client?: Client;
  clientConnection?: Connection;
  progressTimer?: NodeJS.Timeout;
  metrics?: { url: string; server: Server };
}

async function startDemoEmulator(): Promise<RunningEmulator> {
  mkdirSync(STATE_DIR, { recursive: true });
  try {
    return await startEmulator({ port: DEFAULT_EMULATOR_PORT, seed: 'demo', persistDir: DEMO_ORG_DIR });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    return startEmulator({ port: 0, seed: 'demo', persistDir: DEMO_ORG_DIR });
  }
}

/**
 * Logs in once to name the org in the banner and the workflow summary, and compares it with the
 * org the data schema is bound to. A login that fails here is not fatal: the worker retries it.
 */
async function identifyOrg(
  config: TandemConfig,
  credentials: SalesforceCredentials,
): Promise<{ connected: OrgIdentity; bound: OrgIdentity | null } | undefined> {
  try {
    const client = await SalesforceClient.connect({
      credentials,
      apiVersion: config.salesforce.apiVersion,
      transportRetries: 0,
    });
    const { orgId, instanceUrl } = client.identity;
    const connected = { orgId, instanceUrl, name: await readOrganizationName(client) };
    const pool = createPool({ url: config.database.url, max: 1 });
    try {
      const bound = await readOrgBinding(pool, config.database.schema).catch(() => null); // no schema tandem yet
      return { connected, bound };
    } finally {
      await pool.end();
    }
  } catch (error) {
    log.warn(
      { err: (error as Error).message },
      'could not log into Salesforce to name the org; the worker keeps trying',
    );
    return undefined;
  }
}

/** The banner's org lines: the org the credentials reach, and a warning when the schema belongs to another. */
function orgLines(org: { connected: OrgIdentity; bound: OrgIdentity | null } | undefined): string[] {
  if (!org) return [];
  const lines = [`  Org           ${describeOrg(org.connected)}`];
  if (org.bound && !sameOrgId(org.bound.orgId, org.connected.orgId)) {
    lines.push(
      `  WARNING       the schema belongs to org ${describeOrg(org.bound)}: nothing will sync until the credentials reach it again,`,
      '                or `npx tandem rebind` binds the schema to this org (it shows what that does first).',
    );
  }
  return lines;
}

/** True when `pid` is a `temporal server start-dev` process (Linux /proc; elsewhere: unknown, false). */
function isDevServerProcess(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes('start-dev');
  } catch {
    return false;
  }
}

/**
 * Stops the dev server a previous `npm start` started and could not stop (it was killed or crashed):
 * left running, it would be reused silently and never stopped. Its data is in the SQLite file, so
 * the fresh server resumes the same workflows.
 */
async function stopStrayDevServer(): Promise<void> {
  const previous = readRuntimeInfo(STATE_DIR);
  const pid = previous?.devServerPid;
  if (!previous || processAlive(previous.pid) || !pid || !processAlive(pid) || !isDevServerProcess(pid)) return;
  process.stdout.write(
    `Stopping the Temporal dev server (pid ${pid}) that an earlier npm start (pid ${previous.pid}) left running…\n`,
  );
  process.kill(pid, 'SIGTERM');
  for (let waited = 0; processAlive(pid) && waited < 10_000; waited += 100)
    await new Promise((r) => setTimeout(r, 100));
  if (processAlive(pid)) process.kill(pid, 'SIGKILL');
  removeRuntimeInfo(STATE_DIR);
}

async function startTemporal(): Promise<DevServer> {
  const { cli } = ensureTemporalBinaries();
  await stopStrayDevServer();
  const defaultAddress = `127.0.0.1:${DEFAULT_TEMPORAL_PORT}`;
  if (await isHealthy(cli, defaultAddress)) {
    log.info({ address: defaultAddress }, 'using the Temporal server already running');
    return { address: defaultAddress, uiUrl: `http://localhost:${DEFAULT_UI_PORT}`, stop: async () => undefined };
  }
  mkdirSync(STATE_DIR, { recursive: true });
  try {
    return await startDevServer({
      cli,
      port: DEFAULT_TEMPORAL_PORT,
      uiPort: DEFAULT_UI_PORT,
      dbFilename: `${STATE_DIR}/temporal.db`,
    });
  } catch (error) {
    log.warn(
      { err: (error as Error).message },
      `could not start Temporal on port ${DEFAULT_TEMPORAL_PORT}; trying free ports`,
    );
    return startDevServer({ cli, uiPort: await freePort(), dbFilename: `${STATE_DIR}/temporal.db` });
  }
}

function banner(
  config: TandemConfig,
  started: Started,
  salesforce: string,
  org: Awaited<ReturnType<typeof identifyOrg>>,
): string {
  const lines = [
    '',
    'Tandem is running.',
    `  Salesforce    ${salesforce}`,
    ...orgLines(org),
    started.embeddedDatabase
      ? `  PostgreSQL    embedded PGlite at ${redactUrl(config.database.url)}, data in ${STATE_DIR}/pglite (no PostgreSQL answered; set DATABASE_URL to use yours)`
      : `  PostgreSQL    ${redactUrl(config.database.url)} (schema "${config.database.schema}", Tandem's state in "tandem")`,
    `  Temporal      ${config.temporal.address}, namespace ${config.temporal.namespace}, task queue ${config.temporal.taskQueue}` +
      (started.devServer && !started.devServer.pid
        ? ' (a server already running there, not started by Tandem: left running when Tandem stops)'
        : ''),
  ];
  if (started.metrics) lines.push(`  Metrics       ${started.metrics.url}`);
  if (started.devServer?.uiUrl) {
    lines.push(
      `  Web UI        ${started.devServer.uiUrl}/namespaces/${config.temporal.namespace}/workflows/${config.temporal.workflowId}`,
    );
  }
  const emulator = started.emulator;
  if (emulator) {
    const { sync, rep, oauth } = emulator.credentials;
    lines.push(
      '',
      `Demo org (emulator) at ${emulator.url}, ${emulator.persistence?.restored ? `restored from ${DEMO_ORG_DIR} (seeded ${emulator.persistence.seededAt}; \`npm start -- --reset\` starts over)` : `freshly seeded, kept in ${DEMO_ORG_DIR}`}:`,
      `  sync user     ${sync.username} / ${sync.password}, security token ${sync.securityToken}`,
      `  rep user      ${rep.username} / ${rep.password}, security token ${rep.securityToken}  (edit as a person in Salesforce would)`,
      `  OAuth client  ${oauth.clientId} / ${oauth.clientSecret}`,
    );
  }
  const temporal = temporalCliCommand();
  lines.push(
    '',
    'Watch it:',
    `  npx tandem status`,
    `  ${temporal} workflow query --workflow-id ${config.temporal.workflowId} --name status --address ${config.temporal.address}`,
    `  ${temporal} workflow signal --workflow-id ${config.temporal.workflowId} --name syncNow --address ${config.temporal.address}`,
    'Ctrl-C stops everything.',
    '',
  );
  return lines.join('\n');
}

/**
 * Makes sure the configured database exists (creating it if missing). With no DATABASE_URL and no
 * PostgreSQL answering at the configured URL, serves an embedded PGlite from .tandem/pglite instead and
 * points the config at it; an explicit DATABASE_URL that does not answer is an error, never replaced.
 */
async function prepareDatabase(config: TandemConfig): Promise<EmbeddedPostgres | undefined> {
  try {
    if (await ensureDatabase(config.database.url))
      log.info({ database: redactUrl(config.database.url) }, 'created the database');
    return undefined;
  } catch (error) {
    if (!(error instanceof DatabaseUnreachableError) || process.env.DATABASE_URL) throw error;
    log.warn(
      { tried: redactUrl(config.database.url) },
      `no PostgreSQL answers; using the embedded database in ${STATE_DIR}/pglite`,
    );
    const embedded = await startEmbeddedPostgres({ dataDir: `${STATE_DIR}/pglite` });
    config.database.url = embedded.url;
    return embedded;
  }
}

async function stopAll(started: Started): Promise<void> {
  if (started.progressTimer) clearInterval(started.progressTimer);
  await started.worker?.stop().catch((error: unknown) => log.warn({ err: String(error) }, 'worker stop failed'));
  await started.clientConnection?.close().catch(() => undefined);
  if (started.metrics) {
    started.metrics.server.close();
    started.metrics.server.closeAllConnections(); // a scraper's keep-alive connection would hold the process open
  }
  await started.devServer?.stop();
  await started.emulator?.stop();
  await started.embeddedDatabase?.stop();
}

/** Carries out `--reset` on what `npm start` is about to use; returns what was removed. */
async function resetDemo(
  config: TandemConfig,
  started: Started,
  force: boolean,
): Promise<Omit<ResetReport, 'workflows'>> {
  const refusal = resetRefusal({
    demoOrg: !loadCredentials(),
    demoDatabase:
      started.embeddedDatabase !== undefined ||
      (!process.env.DATABASE_URL && config.database.url === configSchema.parse({}).database.url),
    database: redactUrl(config.database.url),
    force,
  });
  if (refusal) throw new Error(refusal);
  const pool = createPool({ url: config.database.url, max: 1 });
  try {
    const database = {
      ...(await dropTandemSchemas(pool, config.database.schema)),
      url: redactUrl(config.database.url),
    };
    return { database, emulator: removeDemoOrg(DEMO_ORG_DIR) };
  } finally {
    await pool.end();
  }
}

async function main(): Promise<void> {
  let flags: ReturnType<typeof parseStartFlags>;
  let config: TandemConfig;
  try {
    flags = parseStartFlags(process.argv.slice(2));
    config = loadConfig();
  } catch (error) {
    // A bad flag or config is the operator's to fix: the message names it; a stack trace would bury it.
    process.stderr.write(`Tandem could not start: ${(error as Error).message}\n`);
    process.exit(2);
  }
  const started: Started = {};
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      process.stdout.write('\nStopping Tandem…\n');
      await stopAll(started);
      removeRuntimeInfo(STATE_DIR);
      process.stdout.write('Stopped.\n');
    })());
  // Ctrl-C in a terminal reaches this process twice (from the terminal and relayed by npm): the
  // first signal stops cleanly; another one more than a second later stops at once.
  let firstSignalAt = 0;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (firstSignalAt === 0) {
        firstSignalAt = Date.now();
        void stop().then(() => process.exit(process.exitCode ?? 0));
      } else if (Date.now() - firstSignalAt > 1_000) {
        process.stderr.write(`${signal} again: exiting without waiting for a clean stop\n`);
        process.exit(130);
      }
    });
  }

  /** Publishes where everything listens (.tandem/runtime.json), for the CLI and for the next start. */
  const publishRuntime = (): void =>
    writeRuntimeInfo(
      {
        pid: process.pid,
        startedAt: new Date().toISOString(),
        ...(new URL(config.database.url).password ? {} : { databaseUrl: config.database.url }),
        embeddedDatabase: Boolean(started.embeddedDatabase),
        temporalAddress: config.temporal.address,
        namespace: config.temporal.namespace,
        workflowId: config.temporal.workflowId,
        temporalCli: temporalCliCommand(),
        devServerPid: started.devServer?.pid,
        uiUrl: started.devServer?.uiUrl,
        metricsUrl: started.metrics?.url,
        emulatorUrl: started.emulator?.url,
      },
      STATE_DIR,
    );

  try {
    const temporalMetricsPort = await freePort();
    installRuntime({ temporalMetricsAddress: `127.0.0.1:${temporalMetricsPort}` });
    if (config.metrics.port > 0) {
      started.metrics = await serveMetrics({
        port: config.metrics.port,
        host: config.metrics.host,
        temporalMetricsUrl: `http://127.0.0.1:${temporalMetricsPort}/metrics`,
      }).catch((error: Error) => {
        log.warn({ err: error.message }, `metrics endpoint not started on port ${config.metrics.port}`);
        return undefined;
      });
    }
    started.embeddedDatabase = await prepareDatabase(config);
    const reset = flags.reset ? await resetDemo(config, started, flags.force) : undefined;

    let credentials: SalesforceCredentials | null = loadCredentials();
    let salesforce: string;
    let org = config.salesforce.org;
    if (credentials) {
      salesforce = `${credentials.loginUrl} (${credentials.flow})`;
      org ??= new URL(credentials.loginUrl).hostname.split('.')[0];
    } else {
      org ??= 'demo';
      started.emulator = await startDemoEmulator();
      const { oauth } = started.emulator.credentials;
      credentials = {
        flow: 'client-credentials',
        loginUrl: started.emulator.loginUrl,
        clientId: oauth.clientId,
        clientSecret: oauth.clientSecret,
      };
      salesforce = `the built-in emulator's demo org at ${started.emulator.url} (no SF_* credentials set)`;
    }

    if (!process.env.TEMPORAL_ADDRESS) {
      started.devServer = await startTemporal();
      config.temporal.address = started.devServer.address;
      publishRuntime(); // now: a crash before the banner must not leave this dev server unknown
    }
    started.clientConnection = await Connection.connect(temporalConnectionOptions(config));
    started.client = new Client({
      connection: started.clientConnection,
      namespace: config.temporal.namespace,
      dataConverter: dataConverter(),
    });
    if (reset) {
      // Before our worker polls: the old sync must not run one more cycle against the new org.
      const workflows = await terminateSync(started.client, config.temporal.workflowId);
      process.stdout.write(`${formatReset({ ...reset, workflows })}\n`);
    }

    const orgIdentity = await identifyOrg(config, credentials);
    started.worker = await runSyncWorker(config, credentials);
    const startOptions = {
      workflowId: config.temporal.workflowId,
      taskQueue: config.temporal.taskQueue,
      args: [
        { customObjects: config.sync.customObjects, pauseBetweenCycles: config.sync.pauseBetweenCycles },
      ] as Parameters<typeof continuousSyncWorkflow>,
      // Idempotent: a restart attaches to the sync already running instead of failing or starting a second one.
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      staticSummary: `Tandem continuous sync of ${org}${orgIdentity ? ` (org ${orgIdentity.connected.orgId})` : ''}`,
      staticDetails:
        `Salesforce: ${salesforce}` +
        (orgIdentity ? `\n\nOrg: ${describeOrg(orgIdentity.connected)}` : '') +
        `\n\nPostgreSQL: ${redactUrl(config.database.url)}, schema \`${config.database.schema}\``,
    };
    const handle = await started.client.workflow
      .start(continuousSyncWorkflow, {
        ...startOptions,
        typedSearchAttributes: [
          { key: TANDEM_ORG, value: org },
          ...(orgIdentity
            ? [{ key: TANDEM_ORG_ID, value: orgIdentity.bound?.orgId ?? orgIdentity.connected.orgId }]
            : []),
        ],
      })
      .catch((error: Error) => {
        // A cluster without Tandem's search attributes registered refuses them; run without, and say how to add them.
        if (!/search attribute/i.test(error.message)) throw error;
        log.warn(
          'TandemOrg/TandemPhase are not registered on this namespace; run `temporal operator search-attribute create --name TandemOrg --type Keyword` (and TandemOrgId, TandemPhase) to filter by them',
        );
        return started.client!.workflow.start(continuousSyncWorkflow, startOptions);
      });
    process.stdout.write(banner(config, started, salesforce, orgIdentity));
    publishRuntime();
    if ((await handle.describe()).searchAttributes?.TandemOrg === undefined) {
      // USE_EXISTING attached to a run started without them (e.g. by hand); they cannot be added from outside.
      process.stdout.write(
        `Note: the running ${config.temporal.workflowId} has no TandemOrg search attribute, so TandemOrg/TandemPhase filters do not find it.\n\n`,
      );
    }

    let last = { shape: '', line: '', at: 0 };
    started.progressTimer = setInterval(() => {
      Promise.all([handle.query(statusQuery), pendingActivities(started.client!, config.temporal.workflowId)])
        .then(([status, pending]) => {
          const line = progressLine(status, new Date(), pending);
          // A new phase, cycle or failure prints at once; moving numbers alone at most every 30 s.
          const shape = line.replace(/\d+/g, '#');
          const now = Date.now();
          if (line === last.line || (shape === last.shape && now - last.at < PROGRESS_REPEAT_MS)) return;
          process.stdout.write(`${new Date(now).toISOString()} ${line}\n`);
          last = { shape, line, at: now };
        })
        .catch(() => undefined); // a query can fail while the worker restarts; the next tick retries
    }, PROGRESS_INTERVAL_MS);
    await started.worker.finished;
    if (!stopping) throw new Error('the worker stopped');
  } catch (error) {
    if (stopping) return;
    const message = error instanceof Error ? error.message : String(error);
    log.fatal({ err: message }, 'Tandem could not start');
    process.stderr.write(`Tandem stopped: ${message}\n`);
    process.exitCode = 1;
    await stop();
    // Nothing of Tandem's is left to wait for; native handles of the Temporal runtime could keep the process up.
    process.exit(1);
  }
}

void main();
