/**
 * The `tandem` command: operate a running Tandem from a terminal (`npx tandem status`).
 * Every command takes `--json`; exit codes: 0 done, 1 the operation failed (e.g. no such workflow),
 * 2 bad input (unknown object or command), 3 Temporal unreachable, 4 Tandem's database unreachable.
 * What only the database commands need (pg, the story queries) is imported when they run, so the
 * Temporal commands start quickly.
 */
import type { Client, Connection } from '@temporalio/client';
import { Command, CommanderError } from 'commander';
import { redactUrl } from './security/redact-url';
import { temporalConnectionOptions } from './temporal/connection';
import { loadConfig, type TandemConfig } from './config';
import { TANDEM_ORG, syncObjectsFor } from './shared';
import { dataConverter } from './security/data-converter';
import type { continuousSyncWorkflow } from './workflows';
import type { SyncStatus } from './workflows/messages';
import { formatStatus } from './cli/format';
import { pendingActivities } from './cli/pending';
import { liveRuntimeInfo } from './runtime-file';
import type pg from 'pg';

/** Exit codes of the `tandem` command. */
export const EXIT = { ok: 0, failed: 1, badInput: 2, unreachable: 3, databaseUnreachable: 4 } as const;

// Message names as src/workflows/messages.ts defines them; by name, so the CLI does not load workflow code.
const STATUS_QUERY = 'status';
const SYNC_NOW_SIGNAL = 'syncNow';
const PAUSE_SIGNAL = 'pause';
const RESUME_SIGNAL = 'resume';
const RESYNC_UPDATE = 'requestResync';

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

/**
 * The config file and environment, then the command-line options. Where neither the environment
 * nor an option says otherwise, the endpoints a running `npm start` published in
 * .tandem/runtime.json: its database (the embedded one listens on a port chosen at start) and the
 * Temporal server it started.
 */
function resolveConfig(options: GlobalOptions): TandemConfig {
  const config = loadConfig();
  const runtime = liveRuntimeInfo();
  if (runtime) {
    if (!process.env.DATABASE_URL && runtime.databaseUrl) config.database.url = runtime.databaseUrl;
    if (!process.env.TEMPORAL_ADDRESS) config.temporal.address = runtime.temporalAddress;
    if (!process.env.TEMPORAL_NAMESPACE) config.temporal.namespace = runtime.namespace;
    if (!process.env.TANDEM_WORKFLOW_ID) config.temporal.workflowId = runtime.workflowId;
  }
  if (options.address) config.temporal.address = options.address;
  if (options.namespace) config.temporal.namespace = options.namespace;
  if (options.workflowId) config.temporal.workflowId = options.workflowId;
  return config;
}

async function connect(config: TandemConfig): Promise<{ client: Client; close: () => Promise<void> }> {
  // Loaded here, not at the top: the database commands and --help do without it (~0.5 s of CPU).
  const { Client, Connection } = await import('@temporalio/client');
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
  return {
    client: new Client({ connection, namespace: config.temporal.namespace, dataConverter: dataConverter() }),
    close: () => connection.close(),
  };
}

function describeFailure(error: unknown, config: TandemConfig): CliError {
  if (error instanceof CliError) return error;
  const name = (error as { name?: string })?.name;
  if (name === 'WorkflowNotFoundError') {
    return new CliError(
      `No workflow ${config.temporal.workflowId} in namespace ${config.temporal.namespace} at ${config.temporal.address}. Start it with \`tandem start\` or \`npm start\`.`,
      EXIT.failed,
    );
  }
  if (name === 'WorkflowUpdateFailedError') {
    const cause = (error as Error).cause as { message?: string; type?: string } | undefined;
    return new CliError(
      cause?.message ?? (error as Error).message,
      cause?.type === 'InvalidRequest' ? EXIT.badInput : EXIT.failed,
    );
  }
  return new CliError((error as Error)?.message ?? String(error), EXIT.failed);
}

/** Builds the command-line program; `run` parses argv and executes. */
export function buildProgram(io: CliIo = processIo): Command {
  const program = new Command('tandem')
    .description('Operate Tandem, the PostgreSQL ⇄ Salesforce sync, through its Temporal workflow.')
    .option(
      '--address <host:port>',
      'Temporal frontend (default: TEMPORAL_ADDRESS or the config file, else localhost:7233)',
    )
    .option('--namespace <name>', 'Temporal namespace')
    .option('--workflow-id <id>', 'the continuous sync workflow (default tandem-sync)')
    .option('--json', 'print machine-readable JSON')
    .showHelpAfterError()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });

  /** Runs `fn` with a connected client, printing `text` or `json` of its result. */
  const withClient =
    <A extends unknown[]>(
      fn: (client: Client, config: TandemConfig, ...args: A) => Promise<{ text: string; json: unknown }>,
    ) =>
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
    <A extends unknown[]>(
      fn: (db: pg.Pool, config: TandemConfig, ...args: A) => Promise<{ text: string; json: unknown }>,
    ) =>
    async (...args: A): Promise<void> => {
      const options = program.opts<GlobalOptions>();
      const config = resolveConfig(options);
      const { createPool } = await import('./db/pool');
      const db = createPool({ url: config.database.url, max: 2 });
      try {
        await db.query('SELECT 1').catch((error: Error) => {
          throw new CliError(
            `Tandem's database is not reachable at ${redactUrl(config.database.url)} (${error.message}). ` +
              'Start Tandem with `npm start` (its embedded database is found through .tandem/runtime.json), or set DATABASE_URL or database.url.',
            EXIT.databaseUnreachable,
          );
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
    if (!Number.isInteger(n) || n < 1)
      throw new CliError(`--limit must be a positive integer, got ${JSON.stringify(text)}`, EXIT.badInput);
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
          if ((error as Error).name !== 'WorkflowNotFoundError') throw error;
        }
        // The same org name `npm start` uses: the config, else the login host, else the demo org.
        const org =
          options.org ??
          config.salesforce.org ??
          (process.env.SF_LOGIN_URL ? new URL(process.env.SF_LOGIN_URL).hostname.split('.')[0] : 'demo');
        const startOptions = {
          workflowId,
          taskQueue,
          args: [
            { customObjects: config.sync.customObjects, pauseBetweenCycles: config.sync.pauseBetweenCycles },
          ] as Parameters<typeof continuousSyncWorkflow>,
          workflowIdConflictPolicy: 'USE_EXISTING' as const,
          staticSummary: `Tandem continuous sync of ${org}`,
        };
        const notes: string[] = [];
        const handle = await client.workflow
          .start<typeof continuousSyncWorkflow>('continuousSyncWorkflow', {
            ...startOptions,
            typedSearchAttributes: [{ key: TANDEM_ORG, value: org }],
          })
          .catch((error: Error) => {
            // A namespace without Tandem's search attributes refuses them: start without, and say how to add them.
            if (!/search attribute/i.test(error.message)) throw error;
            notes.push(
              'TandemOrg/TandemPhase are not registered on this namespace, so the sync was started without them; register them with `temporal operator search-attribute create --name TandemOrg --type Keyword` (and TandemPhase)',
            );
            return client.workflow.start<typeof continuousSyncWorkflow>('continuousSyncWorkflow', startOptions);
          });
        const description = await handle.describe();
        const runningOrg = description.searchAttributes?.TandemOrg?.[0];
        if (alreadyRunning && runningOrg === undefined) {
          notes.push(
            `the running sync was started without the TandemOrg search attribute, so filters by TandemOrg or TandemPhase do not find it; it keeps running as it is (terminate and start it again to add them: its state is in PostgreSQL)`,
          );
        }
        const runId = description.runId;
        const head = alreadyRunning
          ? `${workflowId} is already running (run ${runId})`
          : `started ${workflowId} on task queue ${taskQueue} (run ${runId}), TandemOrg=${org}`;
        return {
          text: [head, ...notes.map((n) => `note: ${n}`)].join('\n'),
          json: {
            workflowId,
            runId,
            started: !alreadyRunning,
            org: runningOrg ?? (alreadyRunning ? null : org),
            notes,
          },
        };
      }),
    );

  program
    .command('status')
    .description('show the live status: per-object results, watermarks, backlog, API usage, initial-copy progress')
    .action(
      withClient(async (client, config) => {
        const [status, pending] = await Promise.all([
          client.workflow.getHandle(config.temporal.workflowId).query<SyncStatus>(STATUS_QUERY),
          pendingActivities(client, config.temporal.workflowId),
        ]);
        return {
          text: formatStatus(config.temporal.workflowId, status, new Date(), pending),
          json: { ...status, pendingActivities: pending },
        };
      }),
    );

  program
    .command('sync-now')
    .description('start the next cycle now instead of waiting out the pause')
    .action(
      withClient(async (client, config) => {
        const handle = client.workflow.getHandle(config.temporal.workflowId);
        await handle.signal(SYNC_NOW_SIGNAL);
        // A paused sync records the request but starts nothing until resumed: say so rather than promise a cycle.
        const { paused } = await handle.query<SyncStatus>(STATUS_QUERY);
        return paused
          ? {
              text: 'the sync is PAUSED: no cycle runs until `tandem resume` (which starts one at once)',
              json: { signalled: 'syncNow', paused: true },
            }
          : { text: 'next cycle requested', json: { signalled: 'syncNow', paused: false } };
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
          .executeUpdate<string[], [{ objects?: string[] }]>(RESYNC_UPDATE, {
            args: [objects.length > 0 ? { objects } : {}],
          });
        return { text: `resync queued: ${accepted.join(', ')}`, json: { accepted } };
      }),
    );

  for (const [name, signal, text] of [
    ['pause', PAUSE_SIGNAL, 'paused: no new cycles or copy pages until `tandem resume`'],
    ['resume', RESUME_SIGNAL, 'resumed'],
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
        const [{ listSyncErrors }, { formatSyncErrors }] = await Promise.all([
          import('./db/story'),
          import('./cli/format-records'),
        ]);
        const errors = await listSyncErrors(db, {
          object: options.object,
          all: options.all,
          limit: positiveInteger(options.limit),
        });
        return { text: formatSyncErrors(errors, options.all ?? false), json: errors };
      }),
    );

  program
    .command('why')
    .description("one record's story: its outbox history, sync errors, conflicts, last pull and push")
    .argument(
      '<key...>',
      "a Salesforce id (Lead, Contact, Campaign, CampaignMember), a person's email, or <Object> <row id|Salesforce id>",
    )
    .action(
      withDatabase(async (db, config, key: string[]) => {
        const [{ recordStory }, { findRecords }, { formatStory }] = await Promise.all([
          import('./db/story'),
          import('./db/record-lookup'),
          import('./cli/format-records'),
        ]);
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
          throw new CliError(
            `no synced record matches ${JSON.stringify(key[0])} (expected a Salesforce id of a Lead, Contact, Campaign or CampaignMember, or an email of a lead or contact)`,
            EXIT.failed,
          );
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
        const [{ listConflicts }, { formatConflicts }] = await Promise.all([
          import('./db/story'),
          import('./cli/format-records'),
        ]);
        const conflicts = await listConflicts(db, { object: options.object, limit: positiveInteger(options.limit) });
        return { text: formatConflicts(conflicts), json: conflicts };
      }),
    );
  program
    .command('rebind')
    .description(
      'bind the data schema to the org the credentials now reach (after a sandbox refresh); shows what it will do first',
    )
    .option('--confirm <orgId>', 'carry it out: the new org id, as the plan printed it')
    .action(
      withClient(async (client, config, options: { confirm?: string }) => {
        const handle = client.workflow.getHandle(config.temporal.workflowId);
        const status = await handle.query<SyncStatus>(STATUS_QUERY);
        // The workflow's last plan saw which org the workers' credentials reach (they may differ from this shell's).
        const connected = status.orgMismatch?.connected;
        if (!connected) {
          const bound = status.org ? ` (org ${status.org.orgId})` : '';
          throw new CliError(
            `the sync reports no org mismatch: the credentials reach the org the schema is bound to${bound}; nothing to re-bind`,
            EXIT.failed,
          );
        }
        const [{ createPool }, rebind] = await Promise.all([import('./db/pool'), import('./cli/rebind')]);
        const refused = (code: number) => (error: unknown) => {
          throw error instanceof rebind.RebindRefusedError ? new CliError(error.message, code) : error;
        };
        const db = createPool({ url: config.database.url, max: 2 });
        try {
          const plan = await rebind
            .planRebind(db, config.database.schema, connected, config.sync.deletePolicy)
            .catch(refused(EXIT.failed));
          if (!options.confirm) return { text: rebind.formatRebindPlan(plan), json: { plan, applied: false } };
          const result = await rebind.applyRebind(db, plan, options.confirm).catch(refused(EXIT.badInput));
          await handle.signal(SYNC_NOW_SIGNAL);
          return { text: rebind.formatRebindResult(result), json: { plan, applied: true, result } };
        } finally {
          await db.end();
        }
      }),
    );
  return program;
}

/** Parses argv, runs the command and returns the exit code (errors already printed). */
export async function run(argv: string[], io: CliIo = processIo): Promise<number> {
  const json = argv.includes('--json');
  // With --json, what commander would print on stderr (an unknown command or option) becomes the JSON error.
  const commanderErrors: string[] = [];
  const program = buildProgram(json ? { out: io.out, err: (text) => commanderErrors.push(text) } : io);
  program.exitOverride();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; anything else commander rejects is bad input (already printed by commander).
      if (error.exitCode === 0) return EXIT.ok;
      if (json) io.out(JSON.stringify({ error: error.message.replace(/^error: /, ''), exitCode: EXIT.badInput }));
      return EXIT.badInput;
    }
    const badConfig = (error as { name?: string })?.name === 'ConfigError';
    const failure =
      error instanceof CliError
        ? error
        : new CliError((error as Error)?.message ?? String(error), badConfig ? EXIT.badInput : EXIT.failed);
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
