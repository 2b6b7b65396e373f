// JSON-lines files for the persisted org: a batched reader fast enough for a million-row
// snapshot (one JSON.parse per 16 MB of lines instead of one per line) that still names the
// exact file and line of a bad entry, and an appender. A crash mid-append leaves at most the last
// line torn; the reader can drop that line (with a warning) instead of refusing the file.
import { closeSync, fstatSync, fsyncSync, openSync, readSync, writeSync } from 'node:fs';

/** A persisted-org file that cannot be read: names the file and, when known, the 1-based line. */
export class PersistedOrgError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | null,
    detail: string,
  ) {
    super(`${file}${line === null ? '' : `:${line}`}: ${detail}`);
    this.name = 'PersistedOrgError';
  }
}

/** What a read found besides the values. */
export interface JsonLinesRead {
  /** Complete lines delivered. */
  lines: number;
  /** Bytes of the file that hold good lines; a dropped torn line starts here. */
  goodBytes: number;
  /** The file's good part does not end with a newline (a complete last line whose newline was cut off). */
  missingNewline: boolean;
  /** The text of a torn last line that was dropped, or null. */
  droppedLine: string | null;
}

const CHUNK_BYTES = 16 * 1024 * 1024;

/**
 * Reads `file` as JSON lines, handing values to `onValues` in file order, a batch at a time
 * (`firstLine` is the 1-based line of the batch's first value). With `tolerateTornLastLine`, a last
 * line that does not parse is dropped and reported instead of thrown. Every other bad line throws a
 * PersistedOrgError naming the file and line.
 */
export function readJsonLines(
  file: string,
  onValues: (values: unknown[], firstLine: number) => void,
  tolerateTornLastLine: boolean,
): JsonLinesRead {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    let carry = Buffer.alloc(0);
    let carryOffset = 0;
    let position = 0;
    let line = 1;
    while (position < size) {
      const n = readSync(fd, chunk, 0, CHUNK_BYTES, position);
      if (n === 0) break;
      position += n;
      const data = carry.length > 0 ? Buffer.concat([carry, chunk.subarray(0, n)]) : chunk.subarray(0, n);
      const lastNewline = data.lastIndexOf(10);
      if (lastNewline < 0) {
        carry = Buffer.from(data);
        continue;
      }
      const text = data.toString('utf8', 0, lastNewline);
      const isFileEnd = position >= size && lastNewline === data.length - 1;
      const torn = parseLines(file, text, line, onValues, tolerateTornLastLine && isFileEnd);
      if (torn) {
        const goodBytes = carryOffset + Buffer.byteLength(text.slice(0, torn.startIndex));
        return { lines: line - 1 + torn.goodLines, goodBytes, missingNewline: false, droppedLine: torn.text };
      }
      line += countLines(text);
      carry = Buffer.from(data.subarray(lastNewline + 1));
      carryOffset += lastNewline + 1;
    }
    if (carry.length === 0) return { lines: line - 1, goodBytes: size, missingNewline: false, droppedLine: null };
    // A last line without its newline: complete if it parses (only the newline was lost), torn otherwise.
    const text = carry.toString('utf8');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      if (!tolerateTornLastLine) throw new PersistedOrgError(file, line, `not valid JSON (${(err as Error).message})`);
      return { lines: line - 1, goodBytes: carryOffset, missingNewline: false, droppedLine: text };
    }
    onValues([value], line);
    return { lines: line, goodBytes: size, missingNewline: true, droppedLine: null };
  } finally {
    closeSync(fd);
  }
}

function countLines(text: string): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/**
 * Parses newline-separated JSON values in one JSON.parse (raw newlines occur only between values,
 * since JSON escapes them inside strings). On failure, re-parses line by line to name the bad one;
 * returns the torn last line instead of throwing when `lastLineMayBeTorn`.
 */
function parseLines(
  file: string,
  text: string,
  firstLine: number,
  onValues: (values: unknown[], firstLine: number) => void,
  lastLineMayBeTorn: boolean,
): { startIndex: number; goodLines: number; text: string } | null {
  let values: unknown[] | null = null;
  try {
    values = JSON.parse(`[${text.replaceAll('\n', ',')}]`) as unknown[];
  } catch {
    values = null;
  }
  if (values) {
    onValues(values, firstLine);
    return null;
  }
  const lines = text.split('\n');
  const good: unknown[] = [];
  let startIndex = 0;
  for (let i = 0; i < lines.length; i++) {
    try {
      if (lines[i] === '') throw new Error('empty line');
      good.push(JSON.parse(lines[i]));
    } catch (err) {
      if (lastLineMayBeTorn && i === lines.length - 1) {
        if (good.length > 0) onValues(good, firstLine);
        return { startIndex, goodLines: i, text: lines[i] };
      }
      throw new PersistedOrgError(file, firstLine + i, `not valid JSON (${(err as Error).message})`);
    }
    startIndex += lines[i].length + 1;
  }
  // Unreachable unless the batch parse failed for a reason no single line shows; report the batch.
  throw new PersistedOrgError(file, firstLine, 'lines do not parse as a batch');
}

/** Appends lines to a file with one write(2) each, so a crash tears at most the last line. */
export class LineAppender {
  private fd: number | null;
  /** Current size of the file in bytes. */
  bytes: number;

  constructor(readonly file: string) {
    this.fd = openSync(file, 'a');
    this.bytes = fstatSync(this.fd).size;
  }

  /** Appends `line` and a newline. The data is in the OS page cache when this returns (survives a process crash). */
  append(line: string): void {
    if (this.fd === null) throw new Error(`${this.file}: journal is closed`);
    const buffer = Buffer.from(`${line}\n`);
    writeSync(this.fd, buffer);
    this.bytes += buffer.length;
  }

  /** Forces the data to disk (survives a power loss too). */
  sync(): void {
    if (this.fd !== null) fsyncSync(this.fd);
  }

  /** Syncs and closes the file. */
  close(): void {
    if (this.fd === null) return;
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = null;
  }
}
