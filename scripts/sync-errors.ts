// `npm run sync-errors -- [options]` — lists the push's sync errors, or tells one record's story.
//
//   npm run sync-errors                               open sync errors, newest first
//   npm run sync-errors -- --all --object Lead        every sync error of Lead, resolved ones too
//   npm run sync-errors -- story Lead 00Q…            one record: row, outbox history, errors, conflicts, last pull and push
//   npm run sync-errors -- story Contact 42 --json    by local row id, as JSON
//
// Reads the database of the configuration (tandem.config.yaml / DATABASE_URL), never Salesforce.
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../src/config';
import { createPool } from '../src/db/pool';
import { UnknownRecordError, listSyncErrors, recordStory, type RecordStory, type SyncErrorRow } from '../src/db/story';

const USAGE = `usage: npm run sync-errors -- [--all] [--object <Object>] [--limit <n>] [--json]
       npm run sync-errors -- story <Object> <row id | Salesforce id> [--json]`;

function when(date: Date | null | undefined): string {
  return date ? new Date(date).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '—';
}

function value(v: unknown): string {
  return v === null || v === undefined ? '∅' : JSON.stringify(v);
}

function printErrors(errors: SyncErrorRow[], all: boolean): void {
  if (errors.length === 0) {
    console.log(all ? 'No sync errors.' : 'No open sync errors.');
    return;
  }
  for (const e of errors) {
    const state = e.resolvedAt ? `resolved ${when(e.resolvedAt)} (${e.resolution ?? ''})` : 'OPEN';
    console.log(`${e.object} row ${e.rowId}${e.sfid ? ` ${e.sfid}` : ''} — ${e.operation} — ${state}`);
    console.log(`  ${e.code}: ${e.message}${e.fields.length > 0 ? ` [${e.fields.join(', ')}]` : ''}`);
    console.log(`  first seen ${when(e.firstSeen)}, last seen ${when(e.lastSeen)}, ${e.attempts} attempt${e.attempts === 1 ? '' : 's'}`);
  }
}

function printStory(s: RecordStory): void {
  console.log(`${s.object} row ${s.rowId}${s.sfid ? `, Salesforce id ${s.sfid}` : ', not in Salesforce yet'}${s.row ? '' : ' (deleted locally)'}`);
  console.log(`  last pulled ${when(s.lastPulledAt)}; last pushed ${when(s.lastPushedAt)}`);
  if (s.row?._tandem_error) console.log(`  marked with error: ${String(s.row._tandem_error)}`);
  if (s.row?._tandem_linked_to) console.log(`  linked to ${String(s.row._tandem_linked_to)}: its edits go there`);
  if (s.row?.isconverted === true) console.log(`  converted into contact ${String(s.row.convertedcontactid)}: its edits go there`);
  if (s.row?.masterrecordid) console.log(`  merged into ${String(s.row.masterrecordid)}`);
  console.log(`Outbox (${s.outbox.length}):`);
  for (const o of s.outbox) {
    const fields = Object.entries(o.changed).map(([k, v]) => `${k}=${value(v)}`).join(', ');
    console.log(`  #${o.id} ${when(o.capturedAt)} ${o.operation.padEnd(6)} ${o.status.padEnd(10)} attempts ${o.attempts}${o.doneAt ? `, done ${when(o.doneAt)}` : ''}`);
    if (fields) console.log(`      ${fields}`);
    if (o.note) console.log(`      note: ${o.note}`);
    if (o.lastError) console.log(`      last error: ${o.lastError}`);
  }
  console.log(`Sync errors (${s.errors.length}):`);
  printErrors(s.errors, true);
  console.log(`Conflicts (${s.conflicts.length}):`);
  for (const c of s.conflicts) {
    console.log(`  ${when(c.loggedAt)} ${c.field}: base ${value(c.base)}, marketing ${value(c.marketing)}, Salesforce ${value(c.salesforce)} → ${c.winner} (${c.rule})`);
  }
  if (s.lastObjectPush) console.log(`Latest push of ${s.object}: ${when(s.lastObjectPush.at)} ${JSON.stringify(s.lastObjectPush.result)}`);
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { all: { type: 'boolean' }, object: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const limit = values.limit === undefined ? 100 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1) {
    console.error(`--limit must be a positive integer, got ${JSON.stringify(values.limit)}\n${USAGE}`);
    return 2;
  }
  if (positionals.length > 0 && (positionals[0] !== 'story' || positionals.length !== 3)) {
    console.error(`unexpected arguments: ${positionals.join(' ')}\n${USAGE}`);
    return 2;
  }
  const config = loadConfig();
  const pool = createPool({ url: config.database.url, max: 2 });
  try {
    if (positionals[0] === 'story') {
      const story = await recordStory(pool, config.database.schema, positionals[1]!, positionals[2]!);
      if (values.json) console.log(JSON.stringify(story, null, 2));
      else printStory(story);
    } else {
      const errors = await listSyncErrors(pool, { object: values.object, all: values.all, limit });
      if (values.json) console.log(JSON.stringify(errors, null, 2));
      else printErrors(errors, values.all ?? false);
    }
    return 0;
  } finally {
    await pool.end();
  }
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    if (error instanceof ConfigError || error instanceof UnknownRecordError) console.error(error.message);
    else console.error(error);
    process.exitCode = 1;
  },
);
