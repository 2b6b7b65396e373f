/**
 * `npm start -- --reset`: starts the demo over on both sides together — the emulator's persisted
 * demo org, Tandem's tables and state, and the workflow — and says what it removed. It never wipes a
 * real org, and touches a database other than the demo's (the embedded one, or the default local
 * `tandem` database with no DATABASE_URL) only when told to with `--force`.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { DatabaseReset } from './db/reset';
import { hasPersistedOrg, wipePersistedOrg } from './emulator/server';
import { initialCopyWorkflowId } from './shared';

/** The flags `npm start` understands. */
export interface StartFlags {
  reset: boolean;
  force: boolean;
}

/** Reads `--reset` and `--force` from argv; anything else is an error naming the flag. */
export function parseStartFlags(argv: readonly string[]): StartFlags {
  const flags: StartFlags = { reset: false, force: false };
  for (const arg of argv) {
    if (arg === '--reset') flags.reset = true;
    else if (arg === '--force') flags.force = true;
    else
      throw new Error(
        `npm start: unknown option ${JSON.stringify(arg)}; it takes --reset (start the demo over) and --force (with --reset: also on a database that is not the demo's)`,
      );
  }
  if (flags.force && !flags.reset) throw new Error('npm start: --force only goes with --reset');
  return flags;
}

/** What `npm start` is about to use, as far as a reset cares. */
export interface ResetSituation {
  /** True when no SF_* credentials are set: Salesforce is the built-in demo org. */
  demoOrg: boolean;
  /** True when the database is the embedded PGlite or the default local one, chosen without DATABASE_URL. */
  demoDatabase: boolean;
  /** The database, without its password, for messages. */
  database: string;
  force: boolean;
}

/** Why a reset must not run here, or null when it may. */
export function resetRefusal(situation: ResetSituation): string | null {
  if (!situation.demoOrg) {
    return 'npm start --reset starts the demo over, but SF_* credentials are set: Tandem never wipes a real Salesforce org. Unset them to reset the demo.';
  }
  if (!situation.demoDatabase && !situation.force) {
    return (
      `npm start --reset would drop the synced tables and Tandem's state in ${situation.database}, which is not the demo database ` +
      '(DATABASE_URL or database.url points elsewhere). Add --force to reset it anyway.'
    );
  }
  return null;
}

/** What a reset removed. */
export interface ResetReport {
  database: DatabaseReset & { url: string };
  /** The demo org's files, when it was persisted. */
  emulator: { dir: string; files: number; bytes: number } | null;
  /** Workflows terminated (the sync and its initial copy), by id. */
  workflows: string[];
}

/** Removes the persisted demo org under `dir`; returns what was there, or null when nothing was. */
export function removeDemoOrg(dir: string): ResetReport['emulator'] {
  if (!hasPersistedOrg(dir)) return null;
  let files = 0;
  let bytes = 0;
  const walk = (path: string): void => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) walk(full);
      else {
        files++;
        bytes += statSync(full).size;
      }
    }
  };
  walk(dir);
  wipePersistedOrg(dir); // refuses while another emulator holds the org
  return { dir, files, bytes };
}

/** Terminates the sync workflow and its initial-copy child where they run; returns the ids terminated. */
export async function terminateSync(client: Client, workflowId: string): Promise<string[]> {
  const terminated: string[] = [];
  for (const id of [workflowId, initialCopyWorkflowId(workflowId)]) {
    try {
      const handle = client.workflow.getHandle(id);
      if ((await handle.describe()).status.name !== 'RUNNING') continue;
      await handle.terminate('npm start --reset');
      terminated.push(id);
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
    }
  }
  return terminated;
}

/** The paragraph `npm start --reset` prints. */
export function formatReset(report: ResetReport): string {
  const rows = report.database.tables.reduce((sum, t) => sum + t.rows, 0);
  const lines = ['Reset the demo:'];
  lines.push(
    report.emulator
      ? `  demo org      removed ${report.emulator.dir} (${report.emulator.files} files, ${Math.round(report.emulator.bytes / 1024)} KiB); a new org with a new Organization Id is seeded`
      : '  demo org      nothing persisted yet; a new org is seeded',
  );
  lines.push(
    `  PostgreSQL    ${report.database.url}: dropped schema "${report.database.schema}" (${report.database.tables.length} tables, ${rows} rows)` +
      (report.database.stateDropped ? ' and Tandem\'s state (schema "tandem")' : ''),
  );
  lines.push(
    `  Temporal      ${report.workflows.length ? `terminated ${report.workflows.join(', ')}` : 'no sync workflow was running'}`,
  );
  return lines.join('\n');
}
