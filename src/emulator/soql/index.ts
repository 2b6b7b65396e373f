// The SOQL engine's entry point: parse with @jetstreamapp/soql-parser-js (never by hand),
// compile under the user's field-level security, run over the table, and hand back a result
// whose rows can be projected to REST records, flat JSON values or CSV cells.
import { parseQuery, type Condition, type Query } from '@jetstreamapp/soql-parser-js';
import type { ObjectDef, Row } from '../schema';
import type { OrgStore } from '../store/org-store';
import type { Table } from '../store/table';
import type { OrgUser } from '../users';
import { parseDateTime, toCsvValue, toJsonValue } from '../values';
import { compileSelect, selectRows, type Column, type CompiledSelect, type OutEntry } from './compile';
import { findToken, soqlError, unsupportedType } from './errors';
import { visibilityOf, type QueryScope } from './scope';

export type { Column } from './compile';

/** Options of a query. */
export interface QueryOptions {
  /** queryAll: include rows in the recycle bin (IsDeleted = true) and merged-away rows. */
  includeDeleted?: boolean;
  /** API version of the request, e.g. 62 (FIELDS() needs 51+; default 62). */
  apiVersion?: number;
}

/** The result of a query: matching rows (stored references) and ways to project them. */
export interface QueryResult {
  /** The queried object. */
  readonly object: ObjectDef;
  /** Column names in SELECT order, parents dotted (`Owner.Name`): the Bulk CSV header. */
  readonly columns: string[];
  /** Compiled columns (leaf field metadata and raw getters), for custom projections. */
  readonly columnDefs: Column[];
  /** Number of records the query returns (the COUNT() value for `SELECT COUNT()`). */
  readonly totalSize: number;
  /** `SELECT COUNT()`: no records, only totalSize. */
  readonly countOnly: boolean;
  /** True when the SELECT has child subqueries or aggregates (Bulk API 2.0 rejects those). */
  readonly hasSubqueriesOrAggregates: boolean;
  /** Matching rows in result order. Holds stored rows; never mutate them. */
  readonly rows: Row[];
  /** Aggregate records for aggregate queries without GROUP BY; empty otherwise. */
  readonly aggregateRecords: Array<Record<string, unknown>>;
  /** The REST JSON record for a row: `attributes`, fields and nested parents/children in SELECT order. */
  toRecord(row: Row, apiVersion?: string): Record<string, unknown>;
  /** The row's values in column order as REST JSON scalars (datetimes `…+0000`). */
  toFlat(row: Row): unknown[];
  /** The row's values in column order as Bulk CSV cells (null → empty, datetimes `…Z`). */
  toCsv(row: Row): string[];
}

function parse(text: string): Query {
  try {
    return parseQuery(text);
  } catch (err) {
    const e = err as { token?: { image?: string; startOffset?: number }; message?: string };
    const token = e.token;
    const image = token?.image;
    const offset = token?.startOffset;
    const shown = image ? `'${image}'` : '<EOF>';
    throw soqlError(
      'MALFORMED_QUERY',
      text,
      Number.isFinite(offset) ? offset! : text.length,
      `unexpected token: ${shown}`,
    );
  }
}

/** Parses, compiles and runs `soql` as `user`; throws SalesforceError (MALFORMED_QUERY, INVALID_FIELD, INVALID_TYPE …). */
export function runQuery(store: OrgStore, user: OrgUser, soql: string, options: QueryOptions = {}): QueryResult {
  const text = soql.trim();
  const query = parse(text);
  const def = store.schema.object(query.sObject ?? '');
  if (!def)
    throw unsupportedType(
      text,
      findToken(text, query.sObject ?? '', Math.max(0, findToken(text, 'FROM'))),
      query.sObject ?? '',
    );
  const scope: QueryScope = {
    store,
    user,
    text,
    now: store.clock.nowSeconds(),
    includeDeleted: options.includeDeleted ?? false,
    apiVersion: options.apiVersion ?? 62,
    visibility: new Map(),
  };
  const sel = compileSelect(scope, def, query, false);
  const table = store.table(def.name);
  const rows = selectRows(scope, sel, modstampCandidates(table, query) ?? table.rows.values(), (r) =>
    table.isDeleted(r),
  );
  return new Result(scope, sel, rows);
}

/**
 * The rows an incremental pull's query — `WHERE SystemModstamp >= datetime` (or `>`) alone, `ORDER BY …, Id`
 * — can match, from the table's SystemModstamp index instead of every row, as Salesforce's index on the
 * field makes such queries cost what they return. Null for any other query (a full scan). The WHERE
 * still runs on every candidate, and the unique Id at the end of ORDER BY makes their order irrelevant.
 */
function modstampCandidates(table: Table, query: Query): Row[] | null {
  const where = query.where;
  const condition = where?.left as (Condition & { value?: unknown; openParen?: number }) | null | undefined;
  if (!where || 'operator' in where || 'right' in where || !condition || condition.openParen) return null;
  if (!('field' in condition) || condition.field?.toLowerCase() !== 'systemmodstamp') return null;
  if (
    (condition.operator !== '>=' && condition.operator !== '>') ||
    condition.literalType !== 'DATETIME' ||
    typeof condition.value !== 'string'
  )
    return null;
  const order = Array.isArray(query.orderBy) ? query.orderBy : query.orderBy ? [query.orderBy] : [];
  const last = order.at(-1) as { field?: string } | undefined;
  if (last?.field?.toLowerCase() !== 'id') return null;
  const since = parseDateTime(condition.value);
  if (since === null) return null;
  return table.modifiedSince(since).map((id) => table.rows.get(id)!);
}

class Result implements QueryResult {
  readonly object: ObjectDef;
  readonly columns: string[];
  readonly columnDefs: Column[];
  readonly totalSize: number;
  readonly countOnly: boolean;
  readonly hasSubqueriesOrAggregates: boolean;
  readonly rows: Row[];
  readonly aggregateRecords: Array<Record<string, unknown>>;

  constructor(
    private readonly scope: QueryScope,
    private readonly sel: CompiledSelect,
    matched: Row[],
  ) {
    this.object = sel.def;
    this.columns = sel.columns.map((c) => c.name);
    this.columnDefs = sel.columns;
    this.countOnly = sel.countOnly;
    this.hasSubqueriesOrAggregates = sel.hasSubqueries || sel.aggregates.length > 0 || sel.countOnly;
    if (sel.aggregates.length > 0) {
      const record: Record<string, unknown> = { attributes: { type: 'AggregateResult' } };
      for (const a of sel.aggregates) record[a.name] = aggregate(a.fn, a.get, matched);
      this.aggregateRecords = [record];
      this.rows = [];
      this.totalSize = 1;
    } else {
      this.aggregateRecords = [];
      this.rows = sel.countOnly ? [] : matched;
      this.totalSize = matched.length;
    }
  }

  toRecord(row: Row, apiVersion = '62.0'): Record<string, unknown> {
    return render(this.scope, this.sel.def, this.sel.out, row, apiVersion, false);
  }

  toFlat(row: Row): unknown[] {
    return this.sel.columns.map((c) => toJsonValue(c.field, c.get(row)));
  }

  toCsv(row: Row): string[] {
    const cols = this.sel.columns;
    const out = new Array<string>(cols.length);
    for (let i = 0; i < cols.length; i++) out[i] = toCsvValue(cols[i].field, cols[i].get(row));
    return out;
  }
}

function aggregate(fn: string, get: ((row: Row) => unknown) | null, rows: Row[]): unknown {
  if (fn === 'COUNT') return get ? rows.filter((r) => get(r) !== null).length : rows.length;
  const values = get ? rows.map(get).filter((v) => v !== null) : [];
  if (fn === 'COUNT_DISTINCT') return new Set(values).size;
  if (values.length === 0) return null;
  const nums = values as number[];
  switch (fn) {
    case 'MIN':
      return values.reduce((a, b) => ((a as never) < (b as never) ? a : b));
    case 'MAX':
      return values.reduce((a, b) => ((a as never) > (b as never) ? a : b));
    case 'SUM':
      return nums.reduce((a, b) => a + b, 0);
    default:
      return nums.reduce((a, b) => a + b, 0) / nums.length;
  }
}

function render(
  scope: QueryScope,
  def: ObjectDef,
  entries: OutEntry[],
  row: Row,
  version: string,
  polymorphic: boolean,
): Record<string, unknown> {
  const store = scope.store;
  const id = row[0] as string;
  const record: Record<string, unknown> = {
    attributes: { type: polymorphic ? 'Name' : def.name, url: `/services/data/v${version}/sobjects/${def.name}/${id}` },
  };
  for (const e of entries) {
    if (e.kind === 'field') {
      if (e.name === 'Type' && polymorphic) {
        record.Type = def.name;
        continue;
      }
      const f = def.fieldMap.get(e.name.toLowerCase());
      record[f?.name ?? e.name] = f ? toJsonValue(f, f.compute ? f.compute(row, store) : (row[f.slot] ?? null)) : null;
    } else if (e.kind === 'parent') {
      const ref = def.relationshipMap.get(e.name.toLowerCase());
      const parentId = ref ? row[ref.slot] : null;
      const parentTable = typeof parentId === 'string' ? store.tableForId(parentId) : undefined;
      const parent = parentTable?.rows.get(parentId as string);
      const visible = parentTable && parent ? visibilityOf(scope, parentTable.def) : null;
      record[e.name] =
        parentTable && parent && (!visible || visible(parent))
          ? render(scope, parentTable.def, e.node, parent, version, (ref?.referenceTo.length ?? 1) > 1)
          : null;
    } else {
      const childTable = store.table(e.select.def.name);
      const children = childTable.children(e.childField.slot, id).map((cid) => childTable.rows.get(cid)!);
      const rows = selectRows(scope, e.select, children, (r) => childTable.isDeleted(r));
      record[e.name] =
        rows.length === 0
          ? null
          : {
              totalSize: rows.length,
              done: true,
              records: rows.map((r) => render(scope, e.select.def, e.select.out, r, version, false)),
            };
    }
  }
  return record;
}
