/** The shapes the push's steps pass each other (src/activities/push.ts runs them in order). */
import type { OutboxEntry } from '../db/outbox';
import type { ObjectDefinition } from '../objects';
import type { AllowedValuesRule, DuplicateValueRule, EmailLinkTarget, RedirectRule } from '../objects/types';
import type { MergePlan } from '../sync/merge-plan';
import type { ColumnSpec } from '../sync/type-mapping';

/** The three Salesforce operations a push sends, in the order it sends them. */
export type PushOperation = 'delete' | 'insert' | 'update';

/** Everything the push of one object needs to know about it. */
export interface PushPlan {
  def: ObjectDefinition;
  schema: string;
  table: string;
  columns: ColumnSpec[];
  byColumn: Map<string, ColumnSpec>;
  tracked: Set<string>;
  createable: Set<string>;
  updateable: Set<string>;
  /** Columns whose conflict rule is `never-push`. */
  neverPush: Set<string>;
  /** The external-id column holding Tandem's insert key, when the object has it. */
  externalId: ColumnSpec | null;
  pushDeletes: boolean;
  merge: MergePlan;
  /** The object's redirect rules whose columns the table has. */
  redirects: readonly RedirectRule[];
  /** Where new rows look for an email match; empty when the object (or `sync.dedupeLeadsByEmail`) does not link. */
  linkByEmail: readonly EmailLinkTarget[];
  allowedValues: AllowedValuesRule | null;
  adoptOnDuplicateValue: DuplicateValueRule | null;
  /** Natural-key fields (objects/<object>.ts `insertKey`) the table has. */
  insertKey: readonly string[];
}

/** Counters of one push call. */
export interface Tally {
  pushed: number;
  failed: number;
  linked: number;
  redirected: number;
  deletesNotPropagated: number;
  /** Set when a whole call failed transiently: the rest waits for the next cycle. */
  interrupted: string | null;
}

/** A new, empty tally. */
export function emptyTally(): Tally {
  return { pushed: 0, failed: 0, linked: 0, redirected: 0, deletesNotPropagated: 0, interrupted: null };
}

/** One row's collapsed work. */
export interface RowWork {
  rowId: number;
  entries: OutboxEntry[];
  row: Record<string, unknown>;
  sfid: string | null;
  /** Column → value to send. */
  send: Record<string, unknown>;
}

/** The ids of the outbox entries of some rows' work. */
export function entryIds(work: readonly RowWork[]): number[] {
  return work.flatMap((w) => w.entries.map((e) => e.id));
}
