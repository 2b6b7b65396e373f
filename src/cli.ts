/**
 * The `tandem` command: operate a running Tandem from a terminal (`npx tandem status`).
 * Every command takes `--json`; exit codes: 0 done, 1 the operation failed (e.g. no such workflow),
 * 2 bad input (unknown object or command), 3 Temporal unreachable.
 */
import { Client, Connection, WorkflowIdConflictPolicy, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { Command, CommanderError } from 'commander';
import { temporalConnectionOptions } from './temporal/connection';
import { loadConfig, type TandemConfig } from './config';
import { TANDEM_ORG } from './shared';
import { dataConverter } from './security/data-converter';
import { continuousSyncWorkflow } from './workflows';
import { pauseSignal, resumeSignal, resyncUpdate, statusQuery, syncNowSignal } from './workflows/messages';
import { formatStatus } from './cli/format';
import { formatConflicts, formatStory, formatSyncErrors } from './cli/format-records';
import { applyRebind, formatRebindPlan, formatRebindResult, planRebind, RebindRefusedError } from './cli/rebind';
import { createPool } from './db/pool';
import { findRecords } from './db/record-lookup';
import { listConflicts, listSyncErrors, recordStory } from './db/story';
import { redactUrl } from './logger';
import { syncObjectsFor } from './shared';
import type pg from 'pg';

/** Exit codes of the `tandem` command. */
export const EXIT = { ok: 0, failed: 1, badInput: 2, unreachable: 3 } as const;

/** An error the CLI reports as one line (or `{ "error": … }` with --json) with its exit code. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

interface GlobalOptions {
  address?: string;
  namespace?: string;
  workflowId?: string;
  json?: boolean;
}

/** Where output goes; tests pass their own. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

const processIo: CliIo = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

function resolveConfig(options: GlobalOptions): TandemConfig {
  const config = loadConfig();
  if (options.address) config.temporal.address = options.address;
  if (options.namespace) config.temporal.namespace = options.namespace;
  if (options.workflowId) config.temporal.workflowId = options.workflowId;
  return config;
}

async function connect(config: TandemConfig): Promise<{ client: Client; close: () => Promise<void> }> {
  let connection: Connection;
  const options = temporalConnectionOptions(config);
  try {
    connection = await Connection.connect({ ...options, connectTimeout: '5s' });
  } catch (error) {
    throw new CliError(
      `No Temporal server reachable at ${config.temporal.address} (${(error as Error).message.split('\n')[0]}). ` +
        'Start one with `npm start` (embedded dev server) or `temporal server start-dev`, or point --address / TEMPORAL_ADDRESS at yours.',
      EXIT.unreachable,
    );
  }
  return { client: new Client({ connection, namespace: config.temporal.namespace, dataConverter: dataConverter() }), close: () => connection.close() };
}

function describeFailure(error: unknown, config: TandemConfig): CliError {
  if (error instanceof CliError) return error;
  if (error instanceof WorkflowNotFoundError || (error as { name?: string })?.name === 'WorkflowNotFoundError') {
    return new CliError(
      `No workflow ${config.temporal.workflowId} in namespace ${config.temporal.namespace} at ${config.temporal.address}. Start it with \`tandem start\` or \`npm start\`.`,
      EXIT.failed,
    );
  }
  if (error instanceof WorkflowUpdateFailedError) {
    const cause = error.cause as { message?: string; type?: string } | undefined;
    return new CliError(cause?.message ?? error.message, cause?.type === 'InvalidRequest' ? EXIT.badInput : EXIT.failed);
  }
  return new CliError((error as Error)?.message ?? String(error), EXIT.failed);
}

/** Builds the command-line program; `run` parses argv and executes. */
export function buildProgram(io: CliIo = processIo): Command {
  const program = new Command('tandem')
    .description('Operate Tandem, the PostgreSQL ⇄ Salesforce sync, through its Temporal workflow.')
    .option('--address <host:port>', 'Temporal frontend (default: TEMPORAL_ADDRESS or the config file, else localhost:7233)')
    .option('--namespace <name>', 'Temporal namespace')
    .option('--workflow-id <id>', 'the continuous sync workflow (default tandem-sync)')
    .option('--json', 'print machine-readable JSON')
    .showHelpAfterError()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });

  /** Runs `fn` with a connected client, printing `text` or `json` of its result. */
  const withClient =
    <A extends unknown[]>(fn: (client: Client, config: TandemConfig, ...args: A) => Promise<{ text: string; json: unknown }>) =>
    async (...args: A): Promise<void> => {
      const options = program.opts<GlobalOptions>();
      const config = resolveConfig(options);
      const { client, close } = await connect(config);
      try {
        const result = await fn(client, config, ...args).catch((error: unknown) => {
          throw describeFailure(error, config);
        });
        io.out(options.json ? JSON.stringify(result.json, null, 2) : result.text);
      } finally {
        await close();
      }
    };

  /** Runs `fn` with a pool on Tandem's database (errors, conflicts, record stories live there, not in Temporal). */
  const withDatabase =
    <A extends unknown[]>(fn: (db: pg.Pool, config: TandemConfig, ...args: A) => Promise<{ text: string; json: unknown }>) =>
    async (...args: A): Promise<void> => {
      const options = program.opts<GlobalOptions>();
      const config = resolveConfig(options);
      const db = createPool({ url: config.database.url, max: 2 });
      try {
        await db.query('SELECT 1').catch((error: Error) => {
          throw new CliError(`No PostgreSQL reachable at ${redactUrl(config.database.url)} (${error.message}). Set DATABASE_URL or database.url.`, EXIT.unreachable);
        });
        const result = await fn(db, config, ...args);
        io.out(options.json ? JSON.stringify(result.json, null, 2) : result.text);
      } finally {
        await db.end();
      }
    };
  const checkObject = (config: TandemConfig, object: string | undefined): void => {
    const known = syncObjectsFor(config.sync.customObjects).map((o) => o.name);
    if (object !== undefined && !known.includes(object)) {
      throw new CliError(`unknown object ${object}; synced objects are ${known.join(', ')}`, EXIT.badInput);
    }
  };
  const positiveInteger = (text: string): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1) throw new CliError(`--limit must be a positive integer, got ${JSON.stringify(text)}`, EXIT.badInput);
    return n;
  };

  program
    .command('start')
    .description('start the continuous sync, or report the one already running (idempotent); workers run separately')
    .option('--org <name>', 'org name for the TandemOrg search attribute')
    .action(
      withClient(async (client, config, options: { org?: string }) => {
        const { workflowId, taskQueue } = config.temporal;
        let alreadyRunning = false;
        try {
          alreadyRunning = (await client.workflow.getHandle(workflowId).describe()).status.name === 'RUNNING';
        } catch (error) {
          if (!(error instanceof WorkflowNotFoundError)) throw error;
        }
        const org = options.org ?? config.salesforce.org;
        const handle = await client.workflow.start(continuousSyncWorkflow, {
          workflowId,
          taskQueue,
          args: [{ customObjects: config.sync.customObjects, pauseBetweenCycles: config.sync.pauseBetweenCycles }],
          workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
          staticSummary: `Tandem continuous sync${org ? ` of ${org}` : ''}`,
          ...(org ? { typedSearchAttributes: [{ key: TANDEM_ORG, value: org }] } : {}),
        });
        const runId = (await handle.describe()).runId;
        return {
          text: alreadyRunning ? `${workflowId} is already running (run ${runId})` : `started ${workflowId} on task queue ${taskQueue} (run ${runId})`,
          json: { workflowId, runId, started: !alreadyRunning },
        };
      }),
    );

  program
    .command('status')
    .description('show the live status: per-object results, watermarks, backlog, API usage, initial-copy progress')
    .action(
      withClient(async (client, config) => {
        const status = await client.workflow.getHandle(config.temporal.workflowId).query(statusQuery);
        return { text: formatStatus(config.temporal.workflowId, status), json: status };
      }),
    );

  program
    .command('sync-now')
    .description('start the next cycle now instead of waiting out the pause')
    .action(
      withClient(async (client, config) => {
        await client.workflow.getHandle(config.temporal.workflowId).signal(syncNowSignal);
        return { text: 'next cycle requested', json: { signalled: 'syncNow' } };
      }),
    );

  program
    .command('resync')
    .description('copy objects again in full (all synced objects when none are named)')
    .argument('[objects...]', 'Salesforce object API names, e.g. Lead Contact')
    .action(
      withClient(async (client, config, objects: string[]) => {
        const accepted = await client.workflow
          .getHandle(config.temporal.workflowId)
          .executeUpdate(resyncUpdate, { args: [objects.length > 0 ? { objects } : {}] });
        return { text: `resync queued: ${accepted.join(', ')}`, json: { accepted } };
      }),
    );

  for (const [name, signal, text] of [
    ['pause', pauseSignal, 'paused: no new cycles or copy pages until `tandem resume`'],
    ['resume', resumeSignal, 'resumed'],
  ] as const) {
    program
      .command(name)
      .description(name === 'pause' ? 'stop starting cycles and copy pages' : 'undo pause')
      .action(
        withClient(async (client, config) => {
          await client.workflow.getHandle(config.temporal.workflowId).signal(signal);
          return { text, json: { signalled: name } };
        }),
      );
  }
  program
    .command('errors')
    .description('list sync errors: records Salesforce refused, with code, message, first/last seen and attempts')
    .option('--object <Object>', 'only this object')
    .option('--all', 'include resolved errors')
    .option('--limit <n>', 'at most this many', '100')
    .action(
      withDatabase(async (db, config, options: { object?: string; all?: boolean; limit: string }) => {
        checkObject(config, options.object);
        const errors = await listSyncErrors(db, { object: options.object, all: options.all, limit: positiveInteger(options.limit) });
        return { text: formatSyncErrors(errors, options.all ?? false), json: errors };
      }),
    );

  program
    .command('why')
    .description("one record's story: its outbox history, sync errors, conflicts, last pull and push")
    .argument('<key...>', 'a Salesforce id (Lead, Contact, Campaign, CampaignMember), a person\'s email, or <Object> <row id|Salesforce id>')
    .action(
      withDatabase(async (db, config, key: string[]) => {
        let refs;
        if (key.length === 2) {
          checkObject(config, key[0]);
          refs = [{ object: key[0], key: key[1] }];
        } else if (key.length === 1) {
          refs = await findRecords(db, config.database.schema, key[0]);
        } else {
          throw new CliError('why takes one key (Salesforce id or email) or an object and a key', EXIT.badInput);
        }
        if (refs.length === 0) {
          throw new CliError(`no synced record matches ${JSON.stringify(key[0])} (expected a Salesforce id of a Lead, Contact, Campaign or CampaignMember, or an email of a lead or contact)`, EXIT.failed);
        }
        const stories = [];
        for (const ref of refs) stories.push(await recordStory(db, config.database.schema, ref.object, ref.key));
        return { text: stories.map(formatStory).join('\n\n'), json: stories };
      }),
    );

  program
    .command('conflicts')
    .description('list same-field conflicts: both values, the winner and the rule that chose it')
    .option('--object <Object>', 'only this object')
    .option('--limit <n>', 'at most this many', '100')
    .action(
      withDatabase(async (db, config, options: { object?: string; limit: string }) => {
        checkObject(config, options.object);
        const conflicts = await listConflicts(db, { object: options.object, limit: positiveInteger(options.limit) });
        return { text: formatConflicts(conflicts), json: conflicts };
      }),
    );
  program
    .command('rebind')
    .description('bind the data schema to the org the credentials now reach (after a sandbox refresh); shows what it will do first')
    .option('--confirm <orgId>', 'carry it out: the new org id, as the plan printed it')
    .action(
      withClient(async (client, config, options: { confirm?: string }) => {
        const handle = client.workflow.getHandle(config.temporal.workflowId);
        const status = await handle.query(statusQuery);
        // The workflow's last plan saw which org the workers' credentials reach (they may differ from this shell's).
        const connected = status.orgMismatch?.connected;
        const db = createPool({ url: config.database.url, max: 2 });
        try {
          if (!connected) {
            const bound = status.org ? ` (org ${status.org.orgId})` : '';
            throw new CliError(`the sync reports no org mismatch: the credentials reach the org the schema is bound to${bound}; nothing to re-bind`, EXIT.failed);
          }
          const plan = await planRebind(db, config.database.schema, connected, config.sync.deletePolicy).catch((error: unknown) => {
            throw error instanceof RebindRefusedError ? new CliError(error.message, EXIT.failed) : error;
          });
          if (!options.confirm) return { text: formatRebindPlan(plan), json: { plan, applied: false } };
          const result = await applyRebind(db, plan, options.confirm).catch((error: unknown) => {
            throw error instanceof RebindRefusedError ? new CliError(error.message, EXIT.badInput) : error;
          });
          await handle.signal(syncNowSignal);
          return { text: formatRebindResult(result), json: { plan, applied: true, result } };
        } finally {
          await db.end();
        }
      }),
    );
  return program;
}

/** Parses argv, runs the command and returns the exit code (errors already printed). */
export async function run(argv: string[], io: CliIo = processIo): Promise<number> {
  const program = buildProgram(io);
  program.exitOverride();
  const json = argv.includes('--json');
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; anything else commander rejects is bad input (already printed by commander).
      return error.exitCode === 0 ? EXIT.ok : EXIT.badInput;
    }
    const badConfig = (error as { name?: string })?.name === 'ConfigError';
    const failure = error instanceof CliError ? error : new CliError((error as Error)?.message ?? String(error), badConfig ? EXIT.badInput : EXIT.failed);
    if (json) io.out(JSON.stringify({ error: failure.message, exitCode: failure.exitCode }));
    else io.err(`tandem: ${failure.message}`);
    return failure.exitCode;
  }
}

if (process.argv[1] && /(?:cli\.ts|tandem(?:\.js)?)$/.test(process.argv[1])) {
  void run(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
