// Compiles a parsed WHERE clause into one predicate over stored rows. The parser returns a
// right-leaning chain with parentheses as counts on the leaves (https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_conditionexpression.htm), so the chain is
// flattened to tokens and precedence (NOT > AND > OR) rebuilt here. Each leaf is typed by its
// field: strings and picklists compare case-insensitively, ids after 15→18 normalisation,
// dates as epoch days, datetimes as epoch seconds; `!=` and NOT IN match nulls as SOQL does.
import type { Condition, ConditionWithValueQuery, LiteralType, Query, WhereClause } from '@jetstreamapp/soql-parser-js';
import { normalizeId } from '../ids';
import type { FieldDef, ObjectDef, Row } from '../schema';
import { dayOf, parseDate, parseDateTime } from '../values';
import { dateLiteralRange, type SecondsRange } from './date-literals';
import { findToken, soqlError } from './errors';
import { resolvePath } from './paths';
import type { QueryScope } from './scope';

/** A compiled row predicate. */
export type Predicate = (row: Row) => boolean;

/** Runs a semi-join subquery and returns the set of its first column's values. */
export type SemiJoinRunner = (scope: QueryScope, query: Query) => Set<unknown>;

type Token = '(' | ')' | 'AND' | 'OR' | 'NOT' | { cond: ConditionWithValueQuery };

function flatten(where: WhereClause | undefined, out: Token[]): void {
  let w: WhereClause | undefined = where;
  while (w) {
    const left = w.left as (ConditionWithValueQuery & { openParen?: number; closeParen?: number }) | null;
    const op = 'operator' in w ? w.operator : undefined;
    if (op === 'NOT' && (left === null || !('operator' in left))) {
      for (let i = 0; i < (left?.openParen ?? 0); i++) out.push('(');
      out.push('NOT');
    } else if (left) {
      for (let i = 0; i < (left.openParen ?? 0); i++) out.push('(');
      out.push({ cond: left });
      for (let i = 0; i < (left.closeParen ?? 0); i++) out.push(')');
      if (op) out.push(op);
    }
    w = 'right' in w ? w.right : undefined;
  }
}

/** Compiles `where` for rows of `def`; null when there is no WHERE clause. */
export function compileWhere(
  scope: QueryScope,
  def: ObjectDef,
  alias: string | undefined,
  where: WhereClause | undefined,
  semiJoin: SemiJoinRunner,
): Predicate | null {
  if (!where) return null;
  const tokens: Token[] = [];
  flatten(where, tokens);
  let pos = 0;
  let searchFrom = Math.max(0, findToken(scope.text, 'WHERE'));
  const malformed = (): never => {
    throw soqlError('MALFORMED_QUERY', scope.text, searchFrom, 'unexpected token in WHERE clause');
  };
  const parseOr = (): Predicate => {
    const parts = [parseAnd()];
    while (tokens[pos] === 'OR') {
      pos++;
      parts.push(parseAnd());
    }
    return parts.length === 1 ? parts[0] : (row) => parts.some((p) => p(row));
  };
  const parseAnd = (): Predicate => {
    const parts = [parseUnary()];
    while (tokens[pos] === 'AND') {
      pos++;
      parts.push(parseUnary());
    }
    return parts.length === 1 ? parts[0] : (row) => parts.every((p) => p(row));
  };
  const parseUnary = (): Predicate => {
    const t = tokens[pos++];
    if (t === 'NOT') {
      const inner = parseUnary();
      return (row) => !inner(row);
    }
    if (t === '(') {
      const inner = parseOr();
      if (tokens[pos++] !== ')') malformed();
      return inner;
    }
    if (t && typeof t === 'object') {
      const field = 'field' in t.cond ? t.cond.field : undefined;
      if (field) {
        const at = findToken(scope.text, field, searchFrom);
        if (at >= 0) searchFrom = at + field.length;
      }
      return compileCondition(scope, def, alias, t.cond, searchFrom - (field?.length ?? 0), semiJoin);
    }
    return malformed();
  };
  const predicate = parseOr();
  if (pos !== tokens.length) malformed();
  return predicate;
}

function unquote(raw: string): string {
  const inner = raw.startsWith("'") && raw.endsWith("'") ? raw.slice(1, -1) : raw;
  // Escapes per the SOQL reference: \n \r \t \b \f in either case, \uXXXX, and \<c> for any other c.
  return inner.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, c: string) =>
    c.length === 5
      ? String.fromCharCode(parseInt(c.slice(1), 16))
      : (({ n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' } as Record<string, string>)[c.toLowerCase()] ?? c),
  );
}

type Kind = 'text' | 'id' | 'number' | 'boolean' | 'date' | 'datetime';

function kindOf(f: FieldDef): Kind {
  switch (f.type) {
    case 'id':
    case 'reference':
      return 'id';
    case 'int':
    case 'double':
    case 'currency':
    case 'percent':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'date':
      return 'date';
    case 'datetime':
      return 'datetime';
    default:
      return 'text';
  }
}

const KIND_LABEL: Record<Kind, string> = {
  text: 'string',
  id: 'id',
  number: 'double',
  boolean: 'boolean',
  date: 'date',
  datetime: 'dateTime',
};

function compileCondition(
  scope: QueryScope,
  def: ObjectDef,
  alias: string | undefined,
  cond: ConditionWithValueQuery,
  offset: number,
  semiJoin: SemiJoinRunner,
): Predicate {
  if (!('field' in cond) || !cond.field) {
    throw soqlError('MALFORMED_QUERY', scope.text, offset, 'Functions in WHERE are not supported by the emulator');
  }
  let parts = cond.field.split('.');
  if (
    parts.length > 1 &&
    (parts[0].toLowerCase() === def.name.toLowerCase() || parts[0].toLowerCase() === alias?.toLowerCase())
  )
    parts = parts.slice(1);
  const path = resolvePath(scope, def, parts, offset);
  const get = path.get;
  const field = path.field;
  const kind = kindOf(field);
  const op = cond.operator.toUpperCase();
  const typeError = (): never => {
    const quoted = kind === 'text' || kind === 'id';
    throw soqlError(
      'INVALID_QUERY_FILTER_OPERATOR',
      scope.text,
      offset,
      `value of filter criterion for field '${cond.field}' must be of type ${KIND_LABEL[kind]} and ${quoted ? 'should be enclosed in quotes' : 'should not be enclosed in quotes'}`,
    );
  };

  if ('valueQuery' in cond && cond.valueQuery) {
    const values = semiJoin(scope, cond.valueQuery);
    if (op === 'IN') return (row) => values.has(get(row));
    if (op === 'NOT IN') return (row) => !values.has(get(row));
    throw soqlError('MALFORMED_QUERY', scope.text, offset, 'semi join sub-selects are only allowed with IN and NOT IN');
  }

  const c = cond as Condition & {
    value: string | string[];
    literalType?: LiteralType | LiteralType[];
    dateLiteralVariable?: number | number[];
  };
  const rawValues = Array.isArray(c.value) ? c.value : [c.value];
  const literalTypes: LiteralType[] = Array.isArray(c.literalType)
    ? c.literalType
    : rawValues.map(() => (c.literalType as LiteralType | undefined) ?? 'STRING');
  const variables = Array.isArray(c.dateLiteralVariable)
    ? c.dateLiteralVariable
    : rawValues.map(() => c.dateLiteralVariable as number | undefined);

  // A date literal on a date or datetime field is a range, not a point.
  if (literalTypes.length === 1 && (literalTypes[0] === 'DATE_LITERAL' || literalTypes[0] === 'DATE_N_LITERAL')) {
    if (kind !== 'date' && kind !== 'datetime') typeError();
    const literal = rawValues[0].split(':')[0];
    const range = dateLiteralRange(literal, variables[0], scope.now);
    if (!range) throw soqlError('MALFORMED_QUERY', scope.text, offset, `unexpected token: ${rawValues[0]}`);
    return rangePredicate(get, kind === 'date' ? { start: dayOf(range.start), end: dayOf(range.end) } : range, op, () =>
      soqlError('MALFORMED_QUERY', scope.text, offset, `invalid operator on date literal: ${op}`),
    );
  }

  const values = rawValues.map((raw, i) =>
    literal(raw, literalTypes[i] ?? 'STRING', kind, typeError, () =>
      soqlError('INVALID_QUERY_FILTER_OPERATOR', scope.text, offset, `invalid ID field: ${unquote(raw)}`),
    ),
  );
  const lowerText = kind === 'text';
  const norm = (v: unknown): unknown => (lowerText && typeof v === 'string' ? v.toLowerCase() : v);

  switch (op) {
    case '=': {
      const v = values[0];
      if (v === null) return (row) => get(row) === null;
      return lowerText ? (row) => norm(get(row)) === v : (row) => get(row) === v;
    }
    case '!=': {
      const v = values[0];
      if (v === null) return (row) => get(row) !== null;
      return lowerText ? (row) => norm(get(row)) !== v : (row) => get(row) !== v;
    }
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const v = values[0];
      if (v === null || kind === 'boolean') typeError();
      const cmp = {
        '<': (a: never, b: never) => a < b,
        '<=': (a: never, b: never) => a <= b,
        '>': (a: never, b: never) => a > b,
        '>=': (a: never, b: never) => a >= b,
      }[op];
      return (row) => {
        const x = norm(get(row));
        return x !== null && cmp(x as never, v as never);
      };
    }
    case 'IN':
    case 'NOT IN': {
      const set = new Set(values);
      const inside = (row: Row) => set.has(norm(get(row)));
      return op === 'IN' ? inside : (row) => !inside(row);
    }
    case 'LIKE': {
      if (kind !== 'text' && kind !== 'id') typeError();
      // Built from the raw literal so `\%` and `\_` stay escapes rather than wildcards.
      const raw = rawValues[0];
      const re = likeRegExp(raw.startsWith("'") && raw.endsWith("'") ? raw.slice(1, -1) : raw);
      return (row) => {
        const x = get(row);
        return typeof x === 'string' && re.test(x);
      };
    }
    case 'INCLUDES':
    case 'EXCLUDES': {
      const wanted = values.map((v) =>
        String(v)
          .split(';')
          .map((s) => s.trim()),
      );
      const includes = (row: Row) => {
        const x = get(row);
        if (typeof x !== 'string') return false;
        const have = new Set(x.toLowerCase().split(';'));
        return wanted.some((group) => group.every((w) => have.has(w)));
      };
      return op === 'INCLUDES' ? includes : (row) => !includes(row);
    }
    default:
      throw soqlError('MALFORMED_QUERY', scope.text, offset, `unexpected token: ${op}`);
  }
}

function literal(raw: string, type: LiteralType, kind: Kind, typeError: () => never, badId: () => Error): unknown {
  if (type === 'NULL') return null;
  switch (kind) {
    case 'text':
      if (type !== 'STRING') typeError();
      return unquote(raw).toLowerCase();
    case 'id': {
      if (type !== 'STRING') typeError();
      const text = unquote(raw);
      const id = normalizeId(text);
      if (!id) throw badId();
      return id;
    }
    case 'number':
      if (type !== 'INTEGER' && type !== 'DECIMAL') typeError();
      return Number(raw);
    case 'boolean':
      if (type !== 'BOOLEAN') typeError();
      return raw.toUpperCase() === 'TRUE';
    case 'date': {
      if (type !== 'DATE') typeError();
      const d = parseDate(raw);
      if (d === null) typeError();
      return d;
    }
    case 'datetime': {
      if (type !== 'DATETIME') typeError();
      const s = parseDateTime(raw);
      if (s === null) typeError();
      return s;
    }
  }
}

function rangePredicate(get: (row: Row) => unknown, range: SecondsRange, op: string, bad: () => Error): Predicate {
  const { start, end } = range;
  const num = (row: Row) => get(row) as number | null;
  switch (op) {
    case '=':
      return (row) => {
        const x = num(row);
        return x !== null && x >= start && x < end;
      };
    case '!=':
      return (row) => {
        const x = num(row);
        return x === null || x < start || x >= end;
      };
    case '<':
      return (row) => {
        const x = num(row);
        return x !== null && x < start;
      };
    case '<=':
      return (row) => {
        const x = num(row);
        return x !== null && x < end;
      };
    case '>':
      return (row) => {
        const x = num(row);
        return x !== null && x >= end;
      };
    case '>=':
      return (row) => {
        const x = num(row);
        return x !== null && x >= start;
      };
    default:
      throw bad();
  }
}

/** Translates a SOQL LIKE pattern (`%`, `_`, backslash escapes; case-insensitive) to a RegExp. */
export function likeRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '\\' && i + 1 < pattern.length) re += pattern[++i].replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else if (ch === '%') re += '.*';
    else if (ch === '_') re += '.';
    else re += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 'is');
}
