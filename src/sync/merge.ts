/**
 * The field-level three-way merge of a record changed on both sides between two cycles, and the
 * same-field conflict rules. Pure: the pull calls it for rows with marketing-side changes still
 * pending (src/activities/pending-merge.ts), with three values per pending field — the base both sides last
 * agreed on (the shadow), the marketing value (the row) and the Salesforce value (just pulled):
 *
 * - Salesforce equals marketing: both sides agree; nothing left to push for that field.
 * - Salesforce equals the base: only marketing changed it; the marketing value stays and is pushed.
 * - Otherwise both changed it: a same-field conflict, decided by the field's rule and logged.
 *
 * Fields with nothing pending simply take the Salesforce value, so changes to different fields on the
 * two sides both survive. Values are compared in a canonical form by the column's kind, because the
 * same value reaches Tandem as PostgreSQL jsonb (`5`, `"2024-01-01T00:00:00+00:00"`, `true`) and as
 * Salesforce text (`"5.0"`, `"2024-01-01T00:00:00.000+00:00"`, `"t"`).
 */
import type { ValueKind } from './type-mapping';
import { canonicalNumber } from './exact-json';

/**
 * How a same-field conflict is decided (HubSpot's per-field rules, Marketo's per-object defaults):
 * - `salesforce-wins` / `marketing-wins`: that side's value, always.
 * - `newest-wins`: the side whose change is newer (Salesforce: the record's LastModifiedDate, which is
 *   record-level; marketing: when the field's change was captured); a tie goes to Salesforce.
 * - `salesforce-unless-blank`: Salesforce, unless its value is blank — a value beats an empty one.
 * - `never-push`: the field is never written to Salesforce; marketing edits stay local until
 *   Salesforce changes the field (recorded in the outbox as skipped, never silently).
 */
export type ConflictRule =
  'salesforce-wins' | 'marketing-wins' | 'newest-wins' | 'salesforce-unless-blank' | 'never-push';

/** Every rule, for validation and help texts. */
export const CONFLICT_RULES: readonly ConflictRule[] = [
  'salesforce-wins',
  'marketing-wins',
  'newest-wins',
  'salesforce-unless-blank',
  'never-push',
];

/** Per-object conflict configuration (config `sync.conflictRules.<Object>`). */
export interface ObjectConflictRules {
  default?: ConflictRule;
  /** Field API name → rule. */
  fields?: Record<string, ConflictRule>;
}

/** Thrown when the conflict configuration names a field or object Tandem does not sync; the message names it. */
export class ConflictRuleError extends Error {
  override readonly name = 'ConflictRuleError';
}

/**
 * The rule of each field of one object: the configured field rule, else the configured object
 * default, else the object's Marketo default. Field names match case-insensitively; a configured
 * field the object does not have is refused (a typo would otherwise silently change nothing).
 */
export function resolveRules(
  object: string,
  objectDefault: ConflictRule,
  configured: ObjectConflictRules | undefined,
  fields: readonly string[],
): (field: string) => ConflictRule {
  const byLower = new Map<string, ConflictRule>();
  const known = new Set(fields.map((f) => f.toLowerCase()));
  for (const [field, rule] of Object.entries(configured?.fields ?? {})) {
    if (!known.has(field.toLowerCase())) {
      throw new ConflictRuleError(
        `sync.conflictRules.${object}.fields.${field}: ${object} has no synced field ${field}`,
      );
    }
    byLower.set(field.toLowerCase(), rule);
  }
  const fallback = configured?.default ?? objectDefault;
  return (field) => byLower.get(field.toLowerCase()) ?? fallback;
}

/** The canonical text of a value of `kind` (null for null, undefined and empty text), for equality. */
export function canonical(kind: ValueKind, value: unknown): string | null {
  if (value === null || value === undefined || value === '') return null;
  switch (kind) {
    case 'boolean':
      if (value === true || value === 't' || value === 'true' || value === 'TRUE') return 'true';
      if (value === false || value === 'f' || value === 'false' || value === 'FALSE') return 'false';
      return String(value);
    case 'integer':
    case 'numeric':
      // By decimal value, never through a double: 123456789012345678 and …680 differ.
      return canonicalNumber(value) ?? String(value);
    case 'datetime': {
      const text = String(value)
        .replace(' ', 'T')
        .replace(/([+-]\d{2})$/, '$1:00')
        .replace(/\+0000$/, '+00:00');
      const ms = Date.parse(text);
      return Number.isNaN(ms) ? String(value) : new Date(ms).toISOString();
    }
    default:
      return typeof value === 'string' ? value : JSON.stringify(value);
  }
}

/** True for null, empty or whitespace-only values. */
export function isBlank(value: unknown): boolean {
  return value === null || value === undefined || (typeof value === 'string' && value.trim() === '');
}

/** One column taking part in a merge. */
export interface MergeColumn {
  column: string;
  field: string;
  kind: ValueKind;
}

/** The inputs of one row's merge. Values are keyed by column. */
export interface RowMergeInput {
  columns: readonly MergeColumn[];
  /** Columns changed on the marketing side and not yet in Salesforce, with when each change was captured. */
  pending: ReadonlyMap<string, Date>;
  /** The values both sides last agreed on, for the pending columns (the shadow). */
  base: Readonly<Record<string, unknown>>;
  /** The row before the pull wrote it (the marketing side). */
  marketing: Readonly<Record<string, unknown>>;
  /** What Salesforce has now (the pulled row). */
  salesforce: Readonly<Record<string, unknown>>;
  /** When Salesforce last changed the record (LastModifiedDate), when known. */
  salesforceChangedAt: Date | null;
  rule(field: string): ConflictRule;
}

/** One same-field conflict and how it was decided. */
export interface Conflict {
  column: string;
  field: string;
  base: unknown;
  marketing: unknown;
  salesforce: unknown;
  winner: 'salesforce' | 'marketing';
  rule: ConflictRule;
  marketingChangedAt: Date | null;
  salesforceChangedAt: Date | null;
}

/** What the merge decided for one row. */
export interface RowMergeResult {
  /** Column → the value the row must hold after the pull (the marketing value where marketing keeps it). */
  keep: Record<string, unknown>;
  /** Pending columns that no longer need a push (both agree, or Salesforce won). */
  resolved: string[];
  /** The new base of the columns still pending: Salesforce's current value. */
  base: Record<string, unknown>;
  conflicts: Conflict[];
}

/** Decides who wins a same-field conflict under `rule`. */
export function decide(
  rule: ConflictRule,
  salesforce: unknown,
  marketingChangedAt: Date | null,
  salesforceChangedAt: Date | null,
): 'salesforce' | 'marketing' {
  switch (rule) {
    case 'marketing-wins':
      return 'marketing';
    case 'salesforce-wins':
    case 'never-push':
      return 'salesforce';
    case 'salesforce-unless-blank':
      return isBlank(salesforce) ? 'marketing' : 'salesforce';
    case 'newest-wins':
      if (!marketingChangedAt || !salesforceChangedAt) return 'salesforce';
      return marketingChangedAt.getTime() > salesforceChangedAt.getTime() ? 'marketing' : 'salesforce';
  }
}

/** Merges one row field by field (see the module comment). */
export function mergeRow(input: RowMergeInput): RowMergeResult {
  const result: RowMergeResult = { keep: {}, resolved: [], base: {}, conflicts: [] };
  for (const col of input.columns) {
    const changedAt = input.pending.get(col.column);
    if (!changedAt) continue; // not changed on the marketing side: Salesforce's value stands
    const sf = input.salesforce[col.column] ?? null;
    const mk = input.marketing[col.column] ?? null;
    const hasBase = Object.prototype.hasOwnProperty.call(input.base, col.column);
    const base = hasBase ? (input.base[col.column] ?? null) : undefined;
    const s = canonical(col.kind, sf);
    const m = canonical(col.kind, mk);
    if (s === m) {
      result.resolved.push(col.column);
      continue;
    }
    if (hasBase && s === canonical(col.kind, base)) {
      // Only marketing changed it: keep the marketing value, still to be pushed.
      result.keep[col.column] = mk;
      result.base[col.column] = sf;
      continue;
    }
    const rule = input.rule(col.field);
    const winner = decide(rule, sf, changedAt, input.salesforceChangedAt);
    result.conflicts.push({
      column: col.column,
      field: col.field,
      base: base ?? null,
      marketing: mk,
      salesforce: sf,
      winner,
      rule,
      marketingChangedAt: changedAt,
      salesforceChangedAt: input.salesforceChangedAt,
    });
    if (winner === 'marketing') {
      result.keep[col.column] = mk;
      result.base[col.column] = sf;
    } else {
      result.resolved.push(col.column);
    }
  }
  return result;
}

/**
 * "A value beats an empty one" (Marketo's merge rule): the values of `loser` to copy onto `master` —
 * those where the master is blank and the loser is not.
 */
export function fillBlanks(
  master: Readonly<Record<string, unknown>>,
  loser: Readonly<Record<string, unknown>>,
  columns: readonly string[],
): Record<string, unknown> {
  const fill: Record<string, unknown> = {};
  for (const column of columns) {
    if (isBlank(master[column]) && !isBlank(loser[column])) fill[column] = loser[column];
  }
  return fill;
}
