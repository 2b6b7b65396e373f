// Compiles a parsed SELECT into columns, a WHERE predicate, a sort and a row limit, then runs
// it over a table. Rows are not copied: a result holds references to the stored (immutable)
// rows, and projection to JSON or CSV happens per page, so a million-row export costs one
// predicate call per row plus the formatting of what is actually sent.
import type { FieldType as ParsedField, OrderByClause, Query, Subquery } from '@jetstreamapp/soql-parser-js';
import type { FieldDef, ObjectDef, Row } from '../schema';
import { findToken, soqlError } from './errors';
import { resolvePath } from './paths';
import { visibilityOf, type Getter, type QueryScope } from './scope';
import { compileWhere, type Predicate } from './where';

/** One output column: its header name (`Owner.Name`), leaf field and raw-value getter. */
export interface Column {
  name: string;
  field: FieldDef;
  get: Getter;
}

/** How a REST record is shaped: its fields, parent objects and child subqueries, in SELECT order. */
export type OutEntry =
  | { kind: 'field'; name: string }
  | { kind: 'parent'; name: string; node: OutEntry[] }
  | { kind: 'children'; name: string; select: CompiledSelect; childField: FieldDef };

/** A compiled SELECT (top level or child subquery). */
export interface CompiledSelect {
  def: ObjectDef;
  columns: Column[];
  out: OutEntry[];
  predicate: Predicate | null;
  orderGetters: Array<{ get: Getter; desc: boolean; nullsFirst: boolean; caseless: boolean }>;
  limit: number | undefined;
  offset: number;
  /** `SELECT COUNT()`: only the number of rows is returned. */
  countOnly: boolean;
  /** Aggregate functions without GROUP BY (e.g. `COUNT(Id)`), with their output names. */
  aggregates: Array<{ name: string; fn: string; get: Getter | null }>;
  hasSubqueries: boolean;
}

const MAX_OFFSET = 2000;

/** Compiles `query` (or a child subquery) against `def`. */
export function compileSelect(
  scope: QueryScope,
  def: ObjectDef,
  query: Query | Subquery,
  isSubquery: boolean,
): CompiledSelect {
  const text = scope.text;
  if (query.groupBy || query.having)
    throw soqlError('MALFORMED_QUERY', text, findToken(text, 'GROUP'), 'GROUP BY is not supported by the emulator');
  const alias = query.sObjectAlias;
  const selectAt = Math.max(0, findToken(text, 'SELECT'));
  let cursor = selectAt;
  const columns: Column[] = [];
  const out: OutEntry[] = [];
  const seen = new Set<string>();
  const aggregates: CompiledSelect['aggregates'] = [];
  let countOnly = false;
  let fieldsFunction: string | null = null;
  let hasSubqueries = false;

  const addPath = (raw: string) => {
    let parts = raw.split('.');
    if (
      parts.length > 1 &&
      (parts[0].toLowerCase() === def.name.toLowerCase() || parts[0].toLowerCase() === alias?.toLowerCase())
    )
      parts = parts.slice(1);
    const at = findToken(text, raw, cursor);
    if (at >= 0) cursor = at + raw.length;
    const path = resolvePath(scope, def, parts, at >= 0 ? at : cursor);
    const key = path.name.toLowerCase();
    if (seen.has(key)) throw soqlError('MALFORMED_QUERY', text, at, `duplicate field selected: ${path.name}`);
    seen.add(key);
    columns.push({ name: path.name, field: path.field, get: path.get });
    placeInTree(out, path.name.split('.'));
  };

  for (const f of (query.fields ?? []) as ParsedField[]) {
    switch (f.type) {
      case 'Field':
        addPath(f.field);
        break;
      case 'FieldRelationship':
        addPath([...f.relationships, f.field].join('.'));
        break;
      case 'FieldFunctionExpression': {
        const name = f.functionName.toUpperCase();
        if (name === 'FIELDS') {
          if (scope.apiVersion < 51)
            throw soqlError('MALFORMED_QUERY', text, findToken(text, 'FIELDS'), "unexpected token: '('");
          const which = String(f.parameters[0] ?? '').toUpperCase();
          fieldsFunction = which;
          for (const field of def.fields) {
            if (scope.store.fieldVisible(scope.user, def, field) === false) continue;
            if (which === 'CUSTOM' && !field.custom) continue;
            if (which === 'STANDARD' && field.custom) continue;
            if (seen.has(field.name.toLowerCase()))
              throw soqlError(
                'MALFORMED_QUERY',
                text,
                findToken(text, 'FIELDS'),
                `duplicate field selected: ${field.name}`,
              );
            seen.add(field.name.toLowerCase());
            const path = resolvePath(scope, def, [field.name], selectAt);
            columns.push({ name: path.name, field: path.field, get: path.get });
            out.push({ kind: 'field', name: field.name });
          }
        } else if (name === 'COUNT' && f.parameters.length === 0) {
          countOnly = true;
        } else if (['COUNT', 'COUNT_DISTINCT', 'MIN', 'MAX', 'SUM', 'AVG'].includes(name)) {
          const arg = typeof f.parameters[0] === 'string' ? f.parameters[0] : null;
          const get = arg ? resolvePath(scope, def, arg.split('.'), findToken(text, arg, selectAt)).get : null;
          aggregates.push({ name: f.alias ?? `expr${aggregates.length}`, fn: name, get });
        } else {
          throw soqlError(
            'MALFORMED_QUERY',
            text,
            findToken(text, f.functionName),
            `${f.functionName}() is not supported by the emulator`,
          );
        }
        break;
      }
      case 'FieldSubquery': {
        if (isSubquery) throw soqlError('MALFORMED_QUERY', text, selectAt, 'nested subqueries are not supported');
        hasSubqueries = true;
        const relName = f.subquery.relationshipName;
        const rel = def.childRelationships.find((r) => r.relationshipName?.toLowerCase() === relName.toLowerCase());
        if (!rel) {
          throw soqlError(
            'INVALID_TYPE',
            text,
            findToken(text, relName),
            `Didn't understand relationship '${relName}' in FROM part of query call. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`,
          );
        }
        const childDef = scope.store.schema.object(rel.childSObject)!;
        const select = compileSelect(scope, childDef, f.subquery, true);
        out.push({
          kind: 'children',
          name: rel.relationshipName!,
          select,
          childField: childDef.fieldMap.get(rel.field.toLowerCase())!,
        });
        break;
      }
      default:
        throw soqlError('MALFORMED_QUERY', text, selectAt, 'TYPEOF is not supported by the emulator');
    }
  }

  // FIELDS(ALL) and FIELDS(CUSTOM) are unbounded, so Salesforce demands LIMIT ≤ 200.
  if ((fieldsFunction === 'ALL' || fieldsFunction === 'CUSTOM') && (query.limit === undefined || query.limit > 200)) {
    throw soqlError('MALFORMED_QUERY', text, null, 'The SOQL FIELDS function must have a LIMIT of at most 200');
  }
  if (query.offset !== undefined && query.offset > MAX_OFFSET) {
    throw soqlError(
      'NUMBER_OUTSIDE_VALID_RANGE',
      text,
      findToken(text, 'OFFSET'),
      `Maximum SOQL offset allowed is ${MAX_OFFSET}`,
    );
  }
  if (columns.length === 0 && !countOnly && aggregates.length === 0 && !hasSubqueries) {
    throw soqlError('MALFORMED_QUERY', text, selectAt, 'unexpected token: FROM');
  }

  const predicate = compileWhere(scope, def, alias, query.where, (s, q) => runSemiJoin(s, q));
  const orderGetters = compileOrder(scope, def, alias, query.orderBy);
  return {
    def,
    columns,
    out,
    predicate,
    orderGetters,
    limit: query.limit,
    offset: query.offset ?? 0,
    countOnly,
    aggregates,
    hasSubqueries,
  };
}

function placeInTree(out: OutEntry[], parts: string[]): void {
  if (parts.length === 1) {
    out.push({ kind: 'field', name: parts[0] });
    return;
  }
  let parent = out.find((e): e is Extract<OutEntry, { kind: 'parent' }> => e.kind === 'parent' && e.name === parts[0]);
  if (!parent) {
    parent = { kind: 'parent', name: parts[0], node: [] };
    out.push(parent);
  }
  placeInTree(parent.node, parts.slice(1));
}

function compileOrder(
  scope: QueryScope,
  def: ObjectDef,
  alias: string | undefined,
  orderBy: OrderByClause | OrderByClause[] | undefined,
): CompiledSelect['orderGetters'] {
  if (!orderBy) return [];
  const clauses = Array.isArray(orderBy) ? orderBy : [orderBy];
  const at = Math.max(0, findToken(scope.text, 'ORDER BY'));
  return clauses.map((c) => {
    if (!('field' in c) || !c.field)
      throw soqlError('MALFORMED_QUERY', scope.text, at, 'ORDER BY functions are not supported by the emulator');
    let parts = c.field.split('.');
    if (
      parts.length > 1 &&
      (parts[0].toLowerCase() === def.name.toLowerCase() || parts[0].toLowerCase() === alias?.toLowerCase())
    )
      parts = parts.slice(1);
    const path = resolvePath(scope, def, parts, findToken(scope.text, c.field, at));
    if (!path.field.sortable) {
      throw soqlError(
        'INVALID_FIELD',
        scope.text,
        findToken(scope.text, c.field, at),
        `field '${path.name}' can not be sorted in a query call`,
      );
    }
    const desc = c.order === 'DESC';
    // Salesforce sorts nulls first unless told otherwise (SOQL ORDER BY reference).
    const nullsFirst = c.nulls ? c.nulls === 'FIRST' : true;
    // Ids sort case-sensitively (their base-62 order); text sorts case-insensitively.
    const caseless = !['id', 'reference'].includes(path.field.type);
    return { get: path.get, desc, nullsFirst, caseless };
  });
}

/** Matching rows of a compiled select over `rows`, sorted and sliced by OFFSET/LIMIT. */
export function selectRows(
  scope: QueryScope,
  sel: CompiledSelect,
  rows: Iterable<Row>,
  isDeleted: (row: Row) => boolean,
): Row[] {
  const visible = visibilityOf(scope, sel.def);
  const pred = sel.predicate;
  const includeDeleted = scope.includeDeleted;
  const out: Row[] = [];
  // Without ORDER BY the scan can stop once OFFSET + LIMIT rows matched.
  const stopAt = sel.orderGetters.length === 0 && sel.limit !== undefined ? sel.offset + sel.limit : Infinity;
  for (const row of rows) {
    if (!includeDeleted && isDeleted(row)) continue;
    if (visible && !visible(row)) continue;
    if (pred && !pred(row)) continue;
    out.push(row);
    if (out.length >= stopAt) break;
  }
  let sorted = out;
  if (sel.orderGetters.length > 0) sorted = sortRows(out, sel.orderGetters);
  if (sel.offset > 0 || sel.limit !== undefined) {
    sorted = sorted.slice(sel.offset, sel.limit === undefined ? undefined : sel.offset + sel.limit);
  }
  return sorted;
}

function sortKey(v: unknown, caseless: boolean): unknown {
  return caseless && typeof v === 'string' ? v.toLowerCase() : v;
}

function sortRows(rows: Row[], order: CompiledSelect['orderGetters']): Row[] {
  // Decorate once so each comparison reads precomputed keys (1M-row sorts stay cheap).
  const decorated = rows.map((row, i) => ({ row, i, keys: order.map((o) => sortKey(o.get(row), o.caseless)) }));
  decorated.sort((a, b) => {
    for (let k = 0; k < order.length; k++) {
      const x = a.keys[k];
      const y = b.keys[k];
      if (x === y) continue;
      const { desc, nullsFirst } = order[k];
      if (x === null || x === undefined) return nullsFirst ? -1 : 1;
      if (y === null || y === undefined) return nullsFirst ? 1 : -1;
      const c = (x as never) < (y as never) ? -1 : 1;
      return desc ? -c : c;
    }
    return a.i - b.i;
  });
  return decorated.map((d) => d.row);
}

/** Runs a semi-join subquery (`Id IN (SELECT LeadId FROM CampaignMember)`) and collects its first column. */
function runSemiJoin(scope: QueryScope, query: Query): Set<unknown> {
  const def = scope.store.schema.object(query.sObject ?? '');
  if (!def)
    throw soqlError(
      'INVALID_TYPE',
      scope.text,
      findToken(scope.text, query.sObject ?? ''),
      `sObject type '${query.sObject}' is not supported.`,
    );
  const sel = compileSelect({ ...scope, includeDeleted: false }, def, query, true);
  if (sel.columns.length !== 1)
    throw soqlError('MALFORMED_QUERY', scope.text, null, 'semi join sub-selects must select exactly one field');
  const table = scope.store.table(def.name);
  const rows = selectRows({ ...scope, includeDeleted: false }, sel, table.rows.values(), (r) => table.isDeleted(r));
  const get = sel.columns[0].get;
  const values = new Set<unknown>();
  for (const r of rows) values.add(get(r));
  return values;
}
