// Undo logs that make each request atomic. Every write goes through `Transaction.put`, which
// remembers the first version of each touched row; rolling back puts those versions back
// (indexes included, since `Table.put` maintains them). Nested transactions act as savepoints:
// one bad record in a collection is undone alone unless the request is all-or-none.
import type { Row } from '../schema';
import type { Table } from './table';

interface Touched {
  table: Table;
  before: Row | undefined;
}

/** An undo log over table writes. */
export class Transaction {
  private readonly touched = new Map<string, Touched>();

  /** Writes `row` (undefined removes it) and logs the previous version on first touch. */
  put(table: Table, id: string, row: Row | undefined): void {
    if (!this.touched.has(id)) this.touched.set(id, { table, before: table.rows.get(id) });
    table.put(id, row);
  }

  /** Ids this transaction wrote. */
  ids(): string[] {
    return [...this.touched.keys()];
  }

  /** Restores every touched row to the version it had before this transaction. */
  rollback(): void {
    const entries = [...this.touched.entries()].reverse();
    for (const [id, t] of entries) t.table.put(id, t.before);
    this.touched.clear();
  }

  /** Folds a committed savepoint into this transaction, keeping the oldest "before" of each row. */
  absorb(child: Transaction): void {
    for (const [id, t] of child.touched) if (!this.touched.has(id)) this.touched.set(id, t);
    child.touched.clear();
  }
}
