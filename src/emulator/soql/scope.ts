// What a query is compiled against: the store, the querying user, the query text (for error
// positions) and the clock reading date literals use.
import type { ObjectDef, Row } from '../schema';
import type { OrgStore } from '../store/org-store';
import type { OrgUser } from '../users';

/** Reads a raw stored value from a row. */
export type Getter = (row: Row) => unknown;

/** Compilation context of one query (and its subqueries). */
export interface QueryScope {
  store: OrgStore;
  user: OrgUser;
  /** The SOQL text, for error positions. */
  text: string;
  /** Epoch seconds of "now" for date literals. */
  now: number;
  includeDeleted: boolean;
  apiVersion: number;
  /** Per-object sharing filters, cached for the query. */
  visibility: Map<ObjectDef, ((row: Row) => boolean) | null>;
}

/** The sharing filter of `def` for the scope's user (cached), or null when all rows are visible. */
export function visibilityOf(scope: QueryScope, def: ObjectDef): ((row: Row) => boolean) | null {
  let f = scope.visibility.get(def);
  if (f === undefined) {
    f = scope.store.visibilityFilter(scope.user, def);
    scope.visibility.set(def, f);
  }
  return f;
}
