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
import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { Client, Connection, WorkflowIdConflictPolicy } from '@temporalio/client';
import { temporalConnectionOptions } from './temporal/connection';
import { progressLine } from './cli/format';
import { loadConfig, type TandemConfig } from './config';
import { DatabaseUnreachableError, ensureDatabase } from './db/ensure-database';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './db/embedded';
import { startEmulator, type RunningEmulator } from './emulator/server';
import { logger, redactUrl } from './logger';
import { installRuntime, serveMetrics } from './metrics';
import { loadCredentials, type SalesforceCredentials } from './salesforce/credentials';
import { dataConverter } from './security/data-converter';
import { ensureTemporalBinaries } from './temporal/binaries';
import { freePort, isHealthy, startDevServer, type DevServer } from './temporal/dev-server';
import { runSyncWorker, type RunningSyncWorker } from './worker';
import { TANDEM_ORG } from './shared';
import { continuousSyncWorkflow } from './workflows';
import { statusQuery } from './workflows/messages';
import { configSchema } from './config';
import { createPool } from './db/pool';
import { readOrgBinding } from './db/org-binding';
import { dropTandemSchemas } from './db/reset';
import { formatReset, parseStartFlags, removeDemoOrg, resetRefusal, terminateSync, type ResetReport } from './demo-reset';
import { SalesforceClient } from './salesforce/connection';
import { readOrganizationName } from './salesforce/organization';
import { describeOrg, sameOrgId, type OrgIdentity } from './sync/org-identity';

/** Where `npm start` keeps the dev server's and the embedded database's files. */
const STATE_DIR = process.env.TANDEM_STATE_DIR ?? '.tandem';
/** Where the demo org lives between runs (the emulator's journal and snapshot). */
const DEMO_ORG_DIR = `${STATE_DIR}/emulator`;
const DEFAULT_TEMPORAL_PORT = 7233;
const DEFAULT_UI_PORT = 8233;
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
async function identifyOrg(config: TandemConfig, credentials: SalesforceCredentials): Promise<{ connected: OrgIdentity; bound: OrgIdentity | null } | undefined> {
  try {
    const client = await SalesforceClient.connect({ credentials, apiVersion: config.salesforce.apiVersion, transportRetries: 0 });
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
    log.warn({ err: (error as Error).message }, 'could not log into Salesforce to name the org; the worker keeps trying');
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

async function startTemporal(): Promise<DevServer> {
  const { cli } = ensureTemporalBinaries();
  const defaultAddress = `127.0.0.1:${DEFAULT_TEMPORAL_PORT}`;
  if (await isHealthy(cli, defaultAddress)) {
    log.info({ address: defaultAddress }, 'using the Temporal server already running');
    return { address: defaultAddress, uiUrl: `http://localhost:${DEFAULT_UI_PORT}`, stop: async () => undefined };
  }
  mkdirSync(STATE_DIR, { recursive: true });
  try {
    return await startDevServer({ cli, port: DEFAULT_TEMPORAL_PORT, uiPort: DEFAULT_UI_PORT, dbFilename: `${STATE_DIR}/temporal.db` });
  } catch (error) {
    log.warn({ err: (error as Error).message }, `could not start Temporal on port ${DEFAULT_TEMPORAL_PORT}; trying free ports`);
    return startDevServer({ cli, uiPort: await freePort(), dbFilename: `${STATE_DIR}/temporal.db` });
  }
}

function banner(config: TandemConfig, started: Started, salesforce: string, org: Awaited<ReturnType<typeof identifyOrg>>): string {
  const lines = [
    '',
    'Tandem is running.',
    `  Salesforce    ${salesforce}`,
    ...orgLines(org),
    started.embeddedDatabase
      ? `  PostgreSQL    embedded PGlite at ${redactUrl(config.database.url)}, data in ${STATE_DIR}/pglite (no PostgreSQL answered; set DATABASE_URL to use yours)`
      : `  PostgreSQL    ${redactUrl(config.database.url)} (schema "${config.database.schema}", Tandem's state in "tandem")`,
    `  Temporal      ${config.temporal.address}, namespace ${config.temporal.namespace}, task queue ${config.temporal.taskQueue}`,
  ];
  if (started.metrics) lines.push(`  Metrics       ${started.metrics.url}`);
  if (started.devServer?.uiUrl) {
    lines.push(`  Web UI        ${started.devServer.uiUrl}/namespaces/${config.temporal.namespace}/workflows/${config.temporal.workflowId}`);
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
  lines.push(
    '',
    'Watch it:',
    `  temporal workflow query --workflow-id ${config.temporal.workflowId} --name status --address ${config.temporal.address}`,
    `  temporal workflow signal --workflow-id ${config.temporal.workflowId} --name syncNow --address ${config.temporal.address}`,
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
    if (await ensureDatabase(config.database.url)) log.info({ database: redactUrl(config.database.url) }, 'created the database');
    return undefined;
  } catch (error) {
    if (!(error instanceof DatabaseUnreachableError) || process.env.DATABASE_URL) throw error;
    log.warn({ tried: redactUrl(config.database.url) }, `no PostgreSQL answers; using the embedded database in ${STATE_DIR}/pglite`);
    const embedded = await startEmbeddedPostgres({ dataDir: `${STATE_DIR}/pglite` });
    config.database.url = embedded.url;
    return embedded;
  }
}

async function stopAll(started: Started): Promise<void> {
  if (started.progressTimer) clearInterval(started.progressTimer);
  await started.worker?.stop().catch((error: unknown) => log.warn({ err: String(error) }, 'worker stop failed'));
  await started.clientConnection?.close().catch(() => undefined);
  started.metrics?.server.close();
  await started.devServer?.stop();
  await started.emulator?.stop();
  await started.embeddedDatabase?.stop();
}

/** Carries out `--reset` on what `npm start` is about to use; returns what was removed. */
async function resetDemo(config: TandemConfig, started: Started, force: boolean): Promise<Omit<ResetReport, 'workflows'>> {
  const refusal = resetRefusal({
    demoOrg: !loadCredentials(),
    demoDatabase: started.embeddedDatabase !== undefined || (!process.env.DATABASE_URL && config.database.url === configSchema.parse({}).database.url),
    database: redactUrl(config.database.url),
    force,
  });
  if (refusal) throw new Error(refusal);
  const pool = createPool({ url: config.database.url, max: 1 });
  try {
    const database = { ...(await dropTandemSchemas(pool, config.database.schema)), url: redactUrl(config.database.url) };
    return { database, emulator: removeDemoOrg(DEMO_ORG_DIR) };
  } finally {
    await pool.end();
  }
}

async function main(): Promise<void> {
  let flags: ReturnType<typeof parseStartFlags>;
  try {
    flags = parseStartFlags(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exitCode = 2;
    return;
  }
  const config = loadConfig();
  const started: Started = {};
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('\nStopping Tandem…\n');
    await stopAll(started);
    process.stdout.write('Stopped.\n');
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stop());

  try {
    const temporalMetricsPort = await freePort();
    installRuntime({ temporalMetricsAddress: `127.0.0.1:${temporalMetricsPort}` });
    if (config.metrics.port > 0) {
      started.metrics = await serveMetrics({ port: config.metrics.port, host: config.metrics.host, temporalMetricsUrl: `http://127.0.0.1:${temporalMetricsPort}/metrics` }).catch((error: Error) => {
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
      credentials = { flow: 'client-credentials', loginUrl: started.emulator.loginUrl, clientId: oauth.clientId, clientSecret: oauth.clientSecret };
      salesforce = `the built-in emulator's demo org at ${started.emulator.url} (no SF_* credentials set)`;
    }

    if (!process.env.TEMPORAL_ADDRESS) {
      started.devServer = await startTemporal();
      config.temporal.address = started.devServer.address;
    }
    started.clientConnection = await Connection.connect(temporalConnectionOptions(config));
    started.client = new Client({ connection: started.clientConnection, namespace: config.temporal.namespace, dataConverter: dataConverter() });
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
      args: [{ customObjects: config.sync.customObjects, pauseBetweenCycles: config.sync.pauseBetweenCycles }] as Parameters<typeof continuousSyncWorkflow>,
      // Idempotent: a restart attaches to the sync already running instead of failing or starting a second one.
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      staticSummary: `Tandem continuous sync of ${org}${orgIdentity ? ` (org ${orgIdentity.connected.orgId})` : ''}`,
      staticDetails:
        `Salesforce: ${salesforce}` +
        (orgIdentity ? `\n\nOrg: ${describeOrg(orgIdentity.connected)}` : '') +
        `\n\nPostgreSQL: ${redactUrl(config.database.url)}, schema \`${config.database.schema}\``,
    };
    const handle = await started.client.workflow
      .start(continuousSyncWorkflow, { ...startOptions, typedSearchAttributes: [{ key: TANDEM_ORG, value: org }] })
      .catch((error: Error) => {
        // A cluster without Tandem's search attributes registered refuses them; run without, and say how to add them.
        if (!/search attribute/i.test(error.message)) throw error;
        log.warn('TandemOrg/TandemPhase are not registered on this namespace; run `temporal operator search-attribute create --name TandemOrg --type Keyword` (and TandemPhase) to filter by them');
        return started.client!.workflow.start(continuousSyncWorkflow, startOptions);
      });
    process.stdout.write(banner(config, started, salesforce, orgIdentity));

    let last = { shape: '', line: '', at: 0 };
    started.progressTimer = setInterval(() => {
      handle
        .query(statusQuery)
        .then((status) => {
          const line = progressLine(status, new Date());
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
  } catch (error) {
    log.fatal({ err: error instanceof Error ? error.message : String(error) }, 'Tandem could not start');
    process.exitCode = 1;
    await stop();
  }
}

void main();
