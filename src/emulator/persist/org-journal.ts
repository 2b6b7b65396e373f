// Keeps an org on disk under one directory, so stopping and starting the emulator continues the
// same org (records, recycle bin, delete log, id counters, sessions, API usage, clock offset):
//   snapshot.jsonl  the whole org: a header line (meta + state), then per object a header line
//                   and one line per row. Written at the first seed and at each compaction, to a
//                   temporary file renamed into place, so it is always complete.
//   journal.jsonl   a header line, then one line per request that changed something: the row
//                   images it left (not the ops, so replay needs no validation), counters, purged
//                   records and changed state. Rolled-back rows are left out (they end as they began).
// Durability: a request's changes are appended (one write) before its response is sent, so an
// acknowledged write survives a crash of the emulator process; the file is fsynced on stop and
// compaction (not per request: a power loss may lose the last requests). API-usage counts of read
// requests are appended at most once a second. The journal is folded into a new snapshot on
// start-up when it is bigger than max(COMPACT_ON_START_BYTES, a quarter of the snapshot) — replaying
// it costs less than rewriting a big snapshot until then — and while running past
// max(COMPACT_RUNNING_BYTES, snapshot size).
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { Row } from '../schema';
import type { Table } from '../store/table';
import { LineAppender, PersistedOrgError, readJsonLines } from './json-lines';
import {
  applyState,
  captureState,
  FORMAT_VERSION,
  JOURNAL_FORMAT,
  rowMapper,
  slotNames,
  SNAPSHOT_FORMAT,
  type JournalBatch,
  type OrgMeta,
  type OrgParts,
  type OrgState,
  type SnapshotTable,
} from './org-image';

const SNAPSHOT = 'snapshot.jsonl';
const JOURNAL = 'journal.jsonl';
const LOCK = 'lock';
const COMPACT_ON_START_BYTES = 16 * 1024 * 1024;
const COMPACT_RUNNING_BYTES = 256 * 1024 * 1024;
const USAGE_FLUSH_MS = 1_000;
const WRITE_BUFFER_CHARS = 4 * 1024 * 1024;

/** What start-up found, for logs and for telling a restored org from a fresh one. */
export interface PersistenceInfo {
  dir: string;
  /** True when the org was loaded from `dir`; false when it was freshly seeded there. */
  restored: boolean;
  /** When the org was freshly seeded (ISO). */
  seededAt: string;
  /** How the org was seeded. */
  seed: OrgMeta['seed'];
  /** Journal batches replayed on start-up. */
  replayedBatches: number;
  /** A torn last journal line was dropped (the emulator had crashed mid-write). */
  droppedTornLine: boolean;
}

interface SnapshotHeader {
  format: string;
  version: number;
  seq: number;
  meta: OrgMeta;
  state: OrgState;
}

/** True when `dir` holds a persisted org. */
export function hasPersistedOrg(dir: string): boolean {
  return existsSync(join(dir, SNAPSHOT));
}

/**
 * Deletes the persisted org in `dir` (its files only), so the next start seeds a fresh org.
 * Refuses while another live emulator process holds the directory.
 */
export function wipePersistedOrg(dir: string): void {
  assertNotLocked(dir);
  for (const name of [SNAPSHOT, `${SNAPSHOT}.tmp`, JOURNAL, LOCK]) rmSync(join(dir, name), { force: true });
}

/** Reads the meta (org id, pod, seed, users) of the org persisted in `dir`, without its rows. */
export function readPersistedMeta(dir: string): OrgMeta {
  const file = join(dir, SNAPSHOT);
  const fd = openSync(file, 'r');
  try {
    // The header line holds the sessions too, so it has no fixed size: read until its newline.
    const parts: Buffer[] = [];
    for (let position = 0; ;) {
      const chunk = Buffer.alloc(1024 * 1024);
      const n = readSync(fd, chunk, 0, chunk.length, position);
      if (n === 0) throw new PersistedOrgError(file, 1, 'header line is incomplete');
      const end = chunk.subarray(0, n).indexOf(10);
      parts.push(chunk.subarray(0, end < 0 ? n : end));
      if (end >= 0) break;
      position += n;
    }
    let header: unknown;
    try {
      header = JSON.parse(Buffer.concat(parts).toString('utf8'));
    } catch (err) {
      throw new PersistedOrgError(file, 1, `not valid JSON (${(err as Error).message})`);
    }
    return checkSnapshotHeader(file, header).meta;
  } finally {
    closeSync(fd);
  }
}

function checkSnapshotHeader(file: string, value: unknown): SnapshotHeader {
  const h = value as Partial<SnapshotHeader> | null;
  if (!h || h.format !== SNAPSHOT_FORMAT)
    throw new PersistedOrgError(file, 1, `not an emulator org snapshot (format ${JSON.stringify(h?.format)})`);
  if (h.version !== FORMAT_VERSION)
    throw new PersistedOrgError(
      file,
      1,
      `snapshot format version ${String(h.version)}; this emulator reads ${FORMAT_VERSION}`,
    );
  if (typeof h.seq !== 'number' || !h.meta || !h.state)
    throw new PersistedOrgError(file, 1, 'header lacks seq, meta or state');
  return h as SnapshotHeader;
}

/** Records an org's changes to its directory; created by `persistNewOrg` or `restoreOrg`. */
export class OrgJournal {
  private readonly dirty = new Map<string, { table: Table; before: Row | undefined }>();
  private readonly writtenCounters = new Map<Table, number>();
  private readonly writtenPurged = new Map<Table, number>();
  private writtenState: OrgState;
  private writtenSessionsVersion: number;
  private flushScheduled = false;
  private journal: LineAppender;
  private snapshotBytes: number;
  private readonly timer: NodeJS.Timeout;
  private closed = false;

  constructor(
    readonly dir: string,
    private readonly parts: OrgParts,
    private readonly meta: OrgMeta,
    private seq: number,
    readonly info: PersistenceInfo,
  ) {
    this.snapshotBytes = statSync(join(dir, SNAPSHOT)).size;
    this.journal = new LineAppender(join(dir, JOURNAL));
    if (this.journal.bytes === 0) this.journal.append(journalHeader(parts, meta));
    this.writtenState = captureState(parts);
    this.writtenSessionsVersion = parts.sessions.version;
    this.markWritten();
    for (const table of parts.store.allTables()) table.onPut = (t, id, before) => this.touched(t, id, before);
    this.timer = setInterval(() => {
      if (this.parts.apiUsage.used !== this.writtenState.apiUsed) this.flush(true);
    }, USAGE_FLUSH_MS);
    this.timer.unref();
  }

  /** Bytes in the snapshot file now. */
  get snapshotSize(): number {
    return this.snapshotBytes;
  }

  /** Bytes in the journal file now. */
  get journalBytes(): number {
    return this.journal.bytes;
  }

  private touched(table: Table, id: string, before: Row | undefined): void {
    if (!this.dirty.has(id)) this.dirty.set(id, { table, before });
    if (!this.flushScheduled) {
      // Work outside a request (Bulk jobs run on timers) is flushed at the end of its turn.
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private markWritten(): void {
    for (const table of this.parts.store.allTables()) {
      this.writtenCounters.set(table, table.counter);
      this.writtenPurged.set(table, table.purged.length);
    }
  }

  /**
   * Appends one batch with everything changed since the last flush, if anything did. Row images
   * are compared by identity with the row before the first touch: writes copy rows and a rollback
   * puts the old row object back, so a rolled-back write leaves nothing to record.
   * `includeUsage` records an API-usage change on its own (the periodic flush).
   */
  flush(includeUsage = false): void {
    this.flushScheduled = false;
    if (this.closed) return;
    const batch: JournalBatch = { seq: this.seq + 1 };
    const rows: NonNullable<JournalBatch['rows']> = [];
    for (const [id, { table, before }] of this.dirty) {
      const now = table.rows.get(id);
      if (now !== before) rows.push([table.def.name, id, now ?? null]);
    }
    this.dirty.clear();
    if (rows.length > 0) batch.rows = rows;
    for (const table of this.parts.store.allTables()) {
      if (table.counter !== this.writtenCounters.get(table)) (batch.counters ??= {})[table.def.name] = table.counter;
      const written = this.writtenPurged.get(table)!;
      if (table.purged.length !== written) (batch.purged ??= {})[table.def.name] = table.purged.slice(written);
    }
    const state = this.changedState(
      includeUsage || rows.length > 0 || batch.counters !== undefined || batch.purged !== undefined,
      includeUsage,
    );
    if (state) batch.state = state;
    if (!batch.rows && !batch.counters && !batch.purged && !batch.state) return;
    this.journal.append(JSON.stringify(batch));
    this.seq = batch.seq;
    this.markWritten();
    if (this.journal.bytes > Math.max(COMPACT_RUNNING_BYTES, this.snapshotBytes)) this.compact();
  }

  /**
   * The state fields that differ from the last written ones, or null. API usage moves on every
   * call, so it is recorded only with other changes or when `withUsage`; the sessions' idle expiry
   * (which moves with it) only when `withExpiry` — the once-a-second flush — so a write pays no
   * session scan unless a session was issued or revoked.
   */
  private changedState(withUsage: boolean, withExpiry: boolean): Partial<OrgState> | null {
    const { clock, apiUsage, store, cursors, sessions } = this.parts;
    const w = this.writtenState;
    const changed: Partial<OrgState> = {};
    if (clock.offset() !== w.clockOffsetMs) changed.clockOffsetMs = clock.offset();
    if (apiUsage.limit !== w.apiLimit) changed.apiLimit = apiUsage.limit;
    if (store.deleteLogStart !== w.deleteLogStart) changed.deleteLogStart = store.deleteLogStart;
    if (cursors.counter !== w.cursorCounter) changed.cursorCounter = cursors.counter;
    const usageMoved = apiUsage.used !== w.apiUsed && (withUsage || Object.keys(changed).length > 0);
    if (usageMoved) changed.apiUsed = apiUsage.used;
    if (sessions.version !== this.writtenSessionsVersion || (withExpiry && usageMoved)) {
      const now = captureState(this.parts);
      changed.sessions = now.sessions;
      changed.refreshTokens = now.refreshTokens;
    }
    if (Object.keys(changed).length === 0) return null;
    this.writtenState = { ...w, ...changed };
    this.writtenSessionsVersion = sessions.version;
    return changed;
  }

  /**
   * Folds the journal into a new snapshot and empties it. Synchronous (the org cannot change
   * meanwhile); a crash part-way leaves the old snapshot or the new one, and journal batches the
   * new snapshot already holds are skipped by sequence number on the next load.
   */
  compact(): void {
    this.flush();
    this.journal.close();
    this.snapshotBytes = writeSnapshot(this.dir, this.parts, this.meta, this.seq);
    truncateSync(join(this.dir, JOURNAL), 0);
    this.journal = new LineAppender(join(this.dir, JOURNAL));
    this.journal.append(journalHeader(this.parts, this.meta));
    this.journal.sync();
  }

  /** Writes the last changes and the sessions' current idle expiry, syncs and closes; the org keeps working in memory. */
  close(): void {
    if (this.closed) return;
    this.flush(true);
    this.journal.append(JSON.stringify({ seq: ++this.seq, state: captureState(this.parts) } satisfies JournalBatch));
    this.closed = true;
    clearInterval(this.timer);
    for (const table of this.parts.store.allTables()) table.onPut = null;
    this.journal.close();
    rmSync(join(this.dir, LOCK), { force: true });
  }
}

function journalHeader(parts: OrgParts, meta: OrgMeta): string {
  const layouts: Record<string, string[]> = {};
  for (const table of parts.store.allTables()) layouts[table.def.name] = slotNames(table.def);
  return JSON.stringify({ format: JOURNAL_FORMAT, version: FORMAT_VERSION, orgId: meta.orgId, layouts });
}

/** Takes `dir` for this process; refuses when another live emulator process holds it. */
function lockDir(dir: string): void {
  assertNotLocked(dir);
  writeFileSync(join(dir, LOCK), String(process.pid));
}

/** Throws when the lock file of `dir` names another live process (a stale lock of a crashed one is ignored). */
function assertNotLocked(dir: string): void {
  const file = join(dir, LOCK);
  if (!existsSync(file)) return;
  const pid = Number(readFileSync(file, 'utf8'));
  if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && processAlive(pid)) {
    throw new Error(`${dir}: the persisted org is in use by emulator process ${pid} (remove ${file} if that is wrong)`);
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Writes the whole org to `dir`'s snapshot (via a renamed temporary file); returns its size. */
function writeSnapshot(dir: string, parts: OrgParts, meta: OrgMeta, seq: number): number {
  const file = join(dir, SNAPSHOT);
  const tmp = `${file}.tmp`;
  const fd = openSync(tmp, 'w');
  let bytes = 0;
  try {
    let pending: string[] = [];
    let chars = 0;
    const out = (line: string) => {
      pending.push(line);
      chars += line.length + 1;
      if (chars >= WRITE_BUFFER_CHARS) drain();
    };
    const drain = () => {
      if (pending.length === 0) return;
      const buffer = Buffer.from(`${pending.join('\n')}\n`);
      // writeSync may write less than asked; loop until the whole buffer is out.
      for (let done = 0; done < buffer.length;) done += writeSync(fd, buffer, done, buffer.length - done);
      bytes += buffer.length;
      pending = [];
      chars = 0;
    };
    const header: SnapshotHeader = {
      format: SNAPSHOT_FORMAT,
      version: FORMAT_VERSION,
      seq,
      meta,
      state: captureState(parts),
    };
    out(JSON.stringify(header));
    for (const table of parts.store.allTables()) {
      const head: SnapshotTable = {
        table: table.def.name,
        fields: slotNames(table.def),
        counter: table.counter,
        purged: table.purged,
        rows: table.rows.size,
      };
      out(JSON.stringify(head));
      for (const row of table.rows.values()) out(JSON.stringify(row));
    }
    drain();
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  return bytes;
}

/** Persists a freshly seeded org in `dir` (a first snapshot) and starts its journal. */
export function persistNewOrg(dir: string, parts: OrgParts, meta: OrgMeta): OrgJournal {
  mkdirSync(dir, { recursive: true });
  lockDir(dir);
  rmSync(join(dir, JOURNAL), { force: true });
  writeSnapshot(dir, parts, meta, 0);
  return new OrgJournal(dir, parts, meta, 0, {
    dir,
    restored: false,
    seededAt: meta.seededAt,
    seed: meta.seed,
    replayedBatches: 0,
    droppedTornLine: false,
  });
}

/**
 * Loads the org persisted in `dir` into `parts` (whose store was built with the persisted org id
 * and whose users are restored) and starts its journal. `warn` hears about a dropped torn line.
 */
export function restoreOrg(dir: string, parts: OrgParts, meta: OrgMeta, warn: (message: string) => void): OrgJournal {
  lockDir(dir);
  const seq = loadSnapshot(join(dir, SNAPSHOT), parts);
  const journalFile = join(dir, JOURNAL);
  let last = seq;
  let replayed = 0;
  let dropped = false;
  let layoutChanged = false;
  if (existsSync(journalFile)) {
    const replay = replayJournal(journalFile, parts, meta, seq);
    last = replay.seq;
    replayed = replay.batches;
    layoutChanged = replay.layoutChanged;
    if (replay.read.droppedLine !== null) {
      dropped = true;
      warn(
        `${journalFile}: dropped a torn last line (${replay.read.droppedLine.length} characters) left by a crash mid-write`,
      );
      truncateSync(journalFile, replay.read.goodBytes);
    } else if (replay.read.missingNewline) {
      const fd = openSync(journalFile, 'a');
      writeSync(fd, '\n');
      closeSync(fd);
    }
  }
  for (const table of parts.store.allTables()) table.indexModstamps();
  const journal = new OrgJournal(dir, parts, meta, last, {
    dir,
    restored: true,
    seededAt: meta.seededAt,
    seed: meta.seed,
    replayedBatches: replayed,
    droppedTornLine: dropped,
  });
  if (layoutChanged || journal.journalBytes > Math.max(COMPACT_ON_START_BYTES, journal.snapshotSize / 4))
    journal.compact();
  return journal;
}

/** Loads a snapshot's rows and state into `parts`; returns the journal sequence it covers. */
function loadSnapshot(file: string, parts: OrgParts): number {
  let header: SnapshotHeader | null = null;
  let table: Table | null = null;
  let map: ((row: Row) => Row) | null = null;
  let left = 0;
  readJsonLines(
    file,
    (values, firstLine) => {
      for (let i = 0; i < values.length; i++) {
        const value = values[i];
        if (left > 0) {
          if (!Array.isArray(value))
            throw new PersistedOrgError(file, firstLine + i, `expected a ${table!.def.name} row (an array)`);
          const row = map ? map(value) : value;
          const id = row[table!.idSlot];
          if (typeof id !== 'string')
            throw new PersistedOrgError(file, firstLine + i, `${table!.def.name} row without an Id`);
          table!.put(id, row);
          left--;
          continue;
        }
        if (!header) {
          header = checkSnapshotHeader(file, value);
          continue;
        }
        const head = value as Partial<SnapshotTable> | null;
        if (!head || typeof head.table !== 'string' || !Array.isArray(head.fields) || typeof head.rows !== 'number') {
          throw new PersistedOrgError(
            file,
            firstLine + i,
            'expected an object header line ({table, fields, counter, purged, rows})',
          );
        }
        table = parts.store.findTable(head.table) ?? null;
        if (!table)
          throw new PersistedOrgError(file, firstLine + i, `object ${head.table} is not in this emulator's schema`);
        map = rowMapper(table.def, head.fields);
        table.counter = Math.max(table.counter, head.counter ?? 1);
        table.purged.push(...(head.purged ?? []));
        left = head.rows;
      }
    },
    false,
  );
  if (!header) throw new PersistedOrgError(file, null, 'empty snapshot');
  if (left > 0)
    throw new PersistedOrgError(file, null, `truncated: ${left} ${table!.def.name} rows missing at the end`);
  const h = header as SnapshotHeader;
  applyState(parts, h.state, file);
  return h.seq;
}

/** Replays journal batches after `fromSeq` into `parts`. */
function replayJournal(file: string, parts: OrgParts, meta: OrgMeta, fromSeq: number) {
  const mappers = new Map<string, ((row: Row) => Row) | null>();
  let seen = false;
  let seq = fromSeq;
  let batches = 0;
  let layoutChanged = false;
  const read = readJsonLines(
    file,
    (values, firstLine) => {
      for (let i = 0; i < values.length; i++) {
        const where = `${file}:${firstLine + i}`;
        const value = values[i] as Record<string, unknown> | null;
        if (!seen) {
          seen = true;
          if (!value || value.format !== JOURNAL_FORMAT)
            throw new PersistedOrgError(file, firstLine + i, 'not an emulator org journal header');
          if (value.orgId !== meta.orgId)
            throw new PersistedOrgError(
              file,
              firstLine + i,
              `journal of org ${String(value.orgId)}, but the snapshot is org ${meta.orgId}`,
            );
          for (const [name, fields] of Object.entries(value.layouts as Record<string, string[]>)) {
            const table = parts.store.findTable(name);
            if (!table)
              throw new PersistedOrgError(file, firstLine + i, `object ${name} is not in this emulator's schema`);
            const mapper = rowMapper(table.def, fields);
            if (mapper) layoutChanged = true;
            mappers.set(table.def.name, mapper);
          }
          continue;
        }
        const batch = value as JournalBatch | null;
        if (!batch || typeof batch.seq !== 'number')
          throw new PersistedOrgError(file, firstLine + i, 'expected a journal batch ({seq, …})');
        if (batch.seq <= seq) continue; // already in the snapshot (a compaction stopped before emptying the journal)
        try {
          applyBatch(parts, batch, mappers, where);
        } catch (err) {
          if (err instanceof PersistedOrgError) throw err;
          throw new PersistedOrgError(file, firstLine + i, (err as Error).message);
        }
        seq = batch.seq;
        batches++;
      }
    },
    true,
  );
  return { seq, batches, read, layoutChanged };
}

function applyBatch(
  parts: OrgParts,
  batch: JournalBatch,
  mappers: Map<string, ((row: Row) => Row) | null>,
  where: string,
): void {
  const tableOf = (name: string) => {
    const table = parts.store.findTable(name);
    if (!table) throw new Error(`object ${name} is not in this emulator's schema`);
    return table;
  };
  for (const [name, id, row] of batch.rows ?? []) {
    const table = tableOf(name);
    const map = mappers.get(table.def.name);
    table.put(id, row === null ? undefined : map ? map(row) : row);
  }
  for (const [name, counter] of Object.entries(batch.counters ?? {})) tableOf(name).counter = counter;
  for (const [name, purged] of Object.entries(batch.purged ?? {})) tableOf(name).purged.push(...purged);
  if (batch.state) applyState(parts, batch.state, where);
}
