/**
 * The chaos audit's judge: pure, and independent of the product. It gets two snapshots — every row
 * of every synced table as PostgreSQL holds it (values as PostgreSQL's own text output), and every
 * record the sync user can see in Salesforce (REST JSON values) with the describe type of each field —
 * plus what the workload did, and says what was lost, mismatched, duplicated or left unexplained.
 * It never imports Tandem's coercion or sync logic: a bug there must not be able to excuse itself.
 *
 * Value rules (written from Salesforce's field types, https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/field_types.htm):
 * numbers are compared as exact decimal strings (a value off in its 16th digit is a mismatch, never
 * rounded away by a float); dates are `YYYY-MM-DD`; datetimes are compared as instants to the
 * millisecond; booleans are never null in Salesforce; ids compare in their 18-character form;
 * picklists and text compare exactly.
 */

/** A Salesforce field as the judge compares it: its API name, its local column and its describe type. */
export interface JudgedField {
  name: string;
  column: string;
  /** Salesforce describe type: string, picklist, boolean, int, double, currency, percent, date, datetime, time, id, reference … */
  type: string;
}

/** One local row: `values` by column, as PostgreSQL prints them (`col::text`). */
export interface LocalRow {
  /** The local row id (`id` column), when the table has one (two-way tables do). */
  rowId?: string;
  sfid: string | null;
  isdeleted: boolean;
  values: Record<string, string | null>;
}

/** One synced object on both sides. */
export interface ObjectSnapshot {
  object: string;
  /** Whether the marketing side may write it (its rows without sfid are inserts to account for). */
  twoWay: boolean;
  fields: JudgedField[];
  local: LocalRow[];
  /** Every record the sync user can see (not deleted), REST JSON values keyed by field name, with `Id`. */
  remote: Record<string, unknown>[];
  /** Fields whose values together identify a record; two visible records with the same key are duplicates. */
  naturalKeys?: string[][];
}

/** An open (unresolved) `tandem.sync_error` row. */
export interface OpenError {
  object: string;
  rowId: string;
  code: string;
  message: string;
}

/** A change the workload made on purpose that Salesforce must refuse: it must end as exactly one open error. */
export interface ExpectedRefusal {
  object: string;
  rowId: string;
  why: string;
}

/** A value the workload wrote on one side: at the end both sides must hold it. */
export interface ExpectedValue {
  side: 'salesforce' | 'marketing';
  object: string;
  /** The record, by sfid, or (marketing inserts) by local row id. */
  sfid?: string;
  rowId?: string;
  field: string;
  value: string | null;
}

/** A record the workload created (either side), identified by a value no other record has: it must exist exactly once on each side. */
export interface ExpectedRecord {
  side: 'salesforce' | 'marketing';
  object: string;
  field: string;
  value: string;
}

/** A record the workload deleted: it must be gone from Salesforce and not live locally. */
export interface ExpectedDeletion {
  side: 'salesforce' | 'marketing';
  object: string;
  sfid: string;
}

/** Outbox entries by state at the end, per object and local row. */
export interface OutboxEntry {
  object: string;
  rowId: string;
  status: string;
}

/** Everything the judge looks at. */
export interface AuditInput {
  objects: ObjectSnapshot[];
  openErrors: OpenError[];
  outbox: OutboxEntry[];
  refusals: ExpectedRefusal[];
  values: ExpectedValue[];
  records: ExpectedRecord[];
  deletions: ExpectedDeletion[];
  /** Records holding a value PostgreSQL cannot store as is (a poison value): present on both sides, their fields not compared. */
  exempt?: { object: string; sfid: string; why: string }[];
}

/** The audit of one object. */
export interface ObjectAudit {
  rowsCompared: number;
  mismatches: number;
  duplicates: number;
  errorsExplained: number;
  errorsUnexplained: number;
  lostChanges: number;
}

export type FindingKind = 'mismatch' | 'duplicate' | 'unexplained-error' | 'missing-error' | 'lost';

/** One thing that is wrong, in words. */
export interface Finding {
  kind: FindingKind;
  object: string;
  text: string;
}

/** The verdict: per object, in total, and every finding. */
export interface Audit {
  byObject: Record<string, ObjectAudit>;
  totals: ObjectAudit;
  findings: Finding[];
}

// ---------------------------------------------------------------------------------------------
// Values

/** A decimal in canonical form: no leading zeros, no trailing fractional zeros, no exponent, `0` for zero. */
export function canonicalDecimal(text: string): string | null {
  const m = /^\s*([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return null;
  let digits = (m[2] ?? '') + (m[3] ?? '');
  let point = (m[2] ?? '').length + Number(m[4] ?? 0);
  // Strip leading zeros (moving the point), then trailing zeros after the point.
  while (digits.length > 0 && digits[0] === '0') {
    digits = digits.slice(1);
    point--;
  }
  if (digits === '') return '0';
  while (digits.length > Math.max(point, 0) && digits.endsWith('0')) digits = digits.slice(0, -1);
  let out: string;
  if (point <= 0) out = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) out = digits + '0'.repeat(point - digits.length);
  else out = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return (m[1] === '-' ? '-' : '') + out;
}

/** The exact decimal a JSON number or string stands for (a JS number prints its shortest round-trip form). */
function remoteDecimal(value: unknown): string | null {
  if (typeof value === 'number')
    return Number.isFinite(value)
      ? canonicalDecimal(Number.isInteger(value) ? BigInt(value).toString() : String(value))
      : null;
  if (typeof value === 'string') return canonicalDecimal(value);
  return null;
}

/** Milliseconds since the epoch of an ISO datetime (`Z`, `+0000`, `+00:00`, PostgreSQL's `+00`), or null. */
export function instant(text: string): number | null {
  const m = /^(\d{4,})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/.exec(
    text.trim(),
  );
  if (!m) return null;
  const date = new Date(0);
  date.setUTCFullYear(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  date.setUTCHours(Number(m[4]), Number(m[5]), Number(m[6]), Number(((m[7] ?? '') + '000').slice(0, 3)));
  let ms = date.getTime();
  const zone = m[8];
  if (zone && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const d = zone.slice(1).replace(':', '');
    ms -= sign * (Number(d.slice(0, 2)) * 60 + Number(d.slice(2) || '0')) * 60_000;
  }
  return Number.isNaN(ms) ? null : ms;
}

/** Salesforce's 15-character ids stand for 18-character ones: the suffix encodes the case of each five (https://help.salesforce.com/s/articleView?id=000385585). */
export function eighteen(id: string): string {
  if (id.length !== 15) return id;
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
  let suffix = '';
  for (let block = 0; block < 3; block++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = id[block * 5 + i]!;
      if (c >= 'A' && c <= 'Z') bits |= 1 << i;
    }
    suffix += alphabet[bits];
  }
  return id + suffix;
}

/** Why a local value differs from the Salesforce value of a field of `type`, or null when they are equal. */
export function differs(type: string, local: string | null, remote: unknown): string | null {
  const blank = remote === null || remote === undefined || remote === '';
  if (type === 'boolean') {
    // Salesforce booleans are never null: an unset checkbox is false.
    const want = remote === true || remote === 'true';
    if (local !== 't' && local !== 'true' && local !== 'f' && local !== 'false')
      return `boolean expected, PostgreSQL has ${JSON.stringify(local)}`;
    return (local === 't' || local === 'true') === want ? null : 'boolean differs';
  }
  if (blank || local === null) return blank && (local === null || local === '') ? null : 'one side is empty';
  switch (type) {
    case 'int':
    case 'long':
    case 'double':
    case 'currency':
    case 'percent': {
      const a = canonicalDecimal(local);
      const b = remoteDecimal(remote);
      return a !== null && a === b ? null : `decimal ${a} vs ${b}`;
    }
    case 'date':
      return typeof remote === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(local) && local === remote
        ? null
        : 'date differs';
    case 'datetime': {
      const a = instant(local);
      const b = typeof remote === 'string' ? instant(remote) : null;
      return a !== null && a === b ? null : 'instant differs';
    }
    case 'time': {
      const strip = (t: string): string => t.replace(/Z$/, '').replace(/\.0+$/, '');
      return typeof remote === 'string' && strip(local) === strip(remote) ? null : 'time differs';
    }
    case 'id':
    case 'reference':
      return typeof remote === 'string' && eighteen(local) === eighteen(remote) ? null : 'id differs';
    default:
      return local === (typeof remote === 'string' ? remote : JSON.stringify(remote)) ? null : 'text differs';
  }
}

// ---------------------------------------------------------------------------------------------
// The judge

const EXPLAINING_OUTBOX = new Set(['linked', 'redirected']);

function emptyAudit(): ObjectAudit {
  return { rowsCompared: 0, mismatches: 0, duplicates: 0, errorsExplained: 0, errorsUnexplained: 0, lostChanges: 0 };
}

const show = (v: unknown): string =>
  typeof v === 'string' && v.length > 60 ? JSON.stringify(v.slice(0, 60) + '…') : JSON.stringify(v);

/** Judges one run's end state (see the module comment). */
export function judge(input: AuditInput): Audit {
  const byObject: Record<string, ObjectAudit> = {};
  const findings: Finding[] = [];
  const of = (object: string): ObjectAudit => (byObject[object] ??= emptyAudit());
  const find = (kind: FindingKind, object: string, text: string): void => {
    findings.push({ kind, object, text });
    const a = of(object);
    if (kind === 'mismatch') a.mismatches++;
    else if (kind === 'duplicate') a.duplicates++;
    else if (kind === 'lost') a.lostChanges++;
    else a.errorsUnexplained++;
  };

  // Open errors: each must be a refusal the workload provoked; each provoked refusal must be open.
  const refused = new Map(input.refusals.map((r) => [`${r.object}|${r.rowId}`, r]));
  const open = new Map<string, OpenError[]>();
  for (const e of input.openErrors)
    (open.get(`${e.object}|${e.rowId}`) ?? open.set(`${e.object}|${e.rowId}`, []).get(`${e.object}|${e.rowId}`)!).push(
      e,
    );
  const held = new Set<string>(); // object|rowId with an explained open error: its values stay local on purpose
  for (const [key, errors] of open) {
    const [object] = key.split('|') as [string];
    if (refused.has(key) && errors.length === 1) {
      of(object).errorsExplained++;
      held.add(key);
    } else {
      for (const e of errors)
        find(
          'unexplained-error',
          object,
          `${object} row ${e.rowId}: open sync_error ${e.code} "${e.message}" that no refused change of the workload explains`,
        );
    }
  }
  for (const [key, r] of refused) {
    if (!open.has(key))
      find(
        'missing-error',
        r.object,
        `${r.object} row ${r.rowId} (${r.why}): Salesforce must refuse it, but there is no open sync_error`,
      );
  }

  const outboxByRow = new Map<string, string[]>();
  for (const o of input.outbox)
    (
      outboxByRow.get(`${o.object}|${o.rowId}`) ??
      outboxByRow.set(`${o.object}|${o.rowId}`, []).get(`${o.object}|${o.rowId}`)!
    ).push(o.status);
  for (const o of input.outbox) {
    if (o.status === 'pending')
      find('lost', o.object, `${o.object} row ${o.rowId}: outbox entry still pending after the run settled`);
    if (o.status === 'failed' && !open.has(`${o.object}|${o.rowId}`))
      find('lost', o.object, `${o.object} row ${o.rowId}: outbox entry failed without an open sync_error`);
  }

  const localBySfid = new Map<string, Map<string, LocalRow>>();
  const remoteById = new Map<string, Map<string, Record<string, unknown>>>();
  const snapshots = new Map(input.objects.map((s) => [s.object, s]));
  const exempt = new Set((input.exempt ?? []).map((e) => `${e.object}|${eighteen(e.sfid)}`));
  for (const s of input.objects) {
    const a = of(s.object);
    const isHeld = (row: LocalRow | undefined): boolean => !!row?.rowId && held.has(`${s.object}|${row.rowId}`);

    // Local duplicates: two live rows for one Salesforce record.
    const local = new Map<string, LocalRow>();
    for (const row of s.local) {
      if (row.sfid === null || row.isdeleted) continue;
      const id = eighteen(row.sfid);
      if (local.has(id)) find('duplicate', s.object, `${s.object} ${id}: more than one live local row`);
      else local.set(id, row);
    }
    localBySfid.set(s.object, local);

    // Remote duplicates: the same natural key or the same Tandem external id twice.
    const keys = [
      ...(s.naturalKeys ?? []),
      ...(s.fields.some((f) => f.name === 'Tandem_Id__c') ? [['Tandem_Id__c']] : []),
    ];
    for (const key of keys) {
      const seen = new Map<string, string>();
      for (const record of s.remote) {
        const parts = key.map((f) => record[f]);
        if (parts.some((p) => p === null || p === undefined || p === '')) continue;
        const k = parts.map((p) => String(p).toLowerCase()).join('|');
        const first = seen.get(k);
        if (first)
          find(
            'duplicate',
            s.object,
            `${s.object} ${first} and ${String(record.Id)}: same ${key.join('+')} ${show(k)}`,
          );
        else seen.set(k, String(record.Id));
      }
    }

    // Every visible Salesforce record against its local row, field by field.
    const remote = new Map<string, Record<string, unknown>>();
    for (const record of s.remote) {
      const id = eighteen(String(record.Id));
      remote.set(id, record);
      a.rowsCompared++;
      const row = local.get(id);
      if (!row) {
        find('mismatch', s.object, `${s.object} ${id}: in Salesforce, missing (or deleted) in PostgreSQL`);
        continue;
      }
      if (isHeld(row) || exempt.has(`${s.object}|${id}`)) continue;
      for (const field of s.fields) {
        const why = differs(field.type, row.values[field.column] ?? null, record[field.name]);
        if (why)
          find(
            'mismatch',
            s.object,
            `${s.object} ${id} ${field.name}: PostgreSQL ${show(row.values[field.column])} vs Salesforce ${show(record[field.name])} (${why})`,
          );
      }
    }
    remoteById.set(s.object, remote);

    // Every live local row against Salesforce, with or without outbox entries.
    for (const row of s.local) {
      if (row.isdeleted || isHeld(row)) continue;
      if (row.sfid === null) {
        const statuses = row.rowId ? (outboxByRow.get(`${s.object}|${row.rowId}`) ?? []) : [];
        if (s.twoWay && statuses.some((st) => EXPLAINING_OUTBOX.has(st))) continue; // applied to another record (email match, merge, conversion)
        find(
          'lost',
          s.object,
          `${s.object} row ${row.rowId ?? '?'}: live local row with no sfid${statuses.length ? ` (outbox: ${statuses.join(', ')})` : ', no outbox entry'} — never reached Salesforce`,
        );
        continue;
      }
      if (!remote.has(eighteen(row.sfid)))
        find('mismatch', s.object, `${s.object} ${row.sfid}: live in PostgreSQL, deleted or invisible in Salesforce`);
    }
  }

  // Each change the workload made must have arrived on both sides.
  for (const e of input.values) {
    const s = snapshots.get(e.object);
    const field = s?.fields.find((f) => f.name === e.field);
    if (!s || !field) {
      find('lost', e.object, `${e.side} change ${e.object}.${e.field}: the object or field is not synced`);
      continue;
    }
    const row = e.sfid
      ? localBySfid.get(e.object)?.get(eighteen(e.sfid))
      : s.local.find((r) => r.rowId === e.rowId && !r.isdeleted);
    const record = row?.sfid ? remoteById.get(e.object)?.get(eighteen(row.sfid)) : undefined;
    const where = `${e.side} change ${e.object} ${e.sfid ?? `row ${e.rowId}`} ${e.field} = ${show(e.value)}`;
    if (!row) find('lost', e.object, `${where}: no live local row`);
    else if (!record) find('lost', e.object, `${where}: no visible Salesforce record`);
    else if (differs(field.type, row.values[field.column] ?? null, e.value) !== null)
      find('lost', e.object, `${where}: PostgreSQL has ${show(row.values[field.column])}`);
    else if (differs(field.type, e.value, record[e.field]) !== null)
      find('lost', e.object, `${where}: Salesforce has ${show(record[e.field])}`);
  }

  // Each created record exactly once on each side ("the same marketing row pushed twice" included).
  for (const r of input.records) {
    const s = snapshots.get(r.object);
    const column = s?.fields.find((f) => f.name === r.field)?.column;
    if (!s || !column) {
      find(
        'lost',
        r.object,
        `${r.side} insert ${r.object} ${r.field} = ${show(r.value)}: the object or field is not synced`,
      );
      continue;
    }
    const remote = s.remote.filter((x) => x[r.field] === r.value).length;
    const local = s.local.filter((x) => !x.isdeleted && x.values[column] === r.value).length;
    const where = `${r.side} insert ${r.object} ${r.field} = ${show(r.value)}`;
    if (remote > 1) find('duplicate', r.object, `${where}: ${remote} records in Salesforce`);
    if (local > 1) find('duplicate', r.object, `${where}: ${local} live local rows`);
    if (remote === 0 || local === 0) find('lost', r.object, `${where}: ${remote} in Salesforce, ${local} local`);
  }

  // Each deleted record gone from both sides.
  for (const d of input.deletions) {
    const where = `${d.side} delete ${d.object} ${d.sfid}`;
    if (remoteById.get(d.object)?.has(eighteen(d.sfid))) find('lost', d.object, `${where}: still in Salesforce`);
    if (localBySfid.get(d.object)?.has(eighteen(d.sfid))) find('lost', d.object, `${where}: still live in PostgreSQL`);
  }

  const totals = emptyAudit();
  for (const a of Object.values(byObject))
    for (const k of Object.keys(totals) as (keyof ObjectAudit)[]) totals[k] += a[k];
  return { byObject, totals, findings };
}

/** The audit table: one line per object, then the totals. */
export function formatAudit(audit: Audit): string {
  const header = [
    'object',
    'rows compared',
    'mismatches',
    'duplicates',
    'errors explained',
    'errors unexplained',
    'lost changes',
  ];
  const line = (name: string, a: ObjectAudit): string[] => [
    name,
    ...[a.rowsCompared, a.mismatches, a.duplicates, a.errorsExplained, a.errorsUnexplained, a.lostChanges].map(String),
  ];
  const rows = [
    header,
    ...Object.keys(audit.byObject)
      .sort()
      .map((o) => line(o, audit.byObject[o]!)),
    line('TOTAL', audit.totals),
  ];
  const widths = header.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) => '  ' + r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '))
    .join('\n');
}

/** True when the audit found nothing. */
export function clean(audit: Audit): boolean {
  return audit.findings.length === 0;
}
