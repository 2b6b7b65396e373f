// Open REST query cursors. A locator is `<01g cursor id>-<position>` (https://developer.salesforce.com/docs/platform/api-rest/guide/dome-query.html), served
// from the result computed when the query ran; locators expire after an idle time, after which
// queryMore answers INVALID_QUERY_LOCATOR and a client must restart from its watermark.
import type { Clock } from '../clock';
import { SalesforceError } from '../errors';
import { makeId } from '../ids';
import type { QueryResult } from '../soql';

interface Cursor {
  result: QueryResult;
  userId: string;
  lastAccess: number;
}

/** Keeps query results between pages. */
export class QueryCursors {
  private readonly cursors = new Map<string, Cursor>();
  /** Next cursor id counter; persisted with the org so locator ids are not reused after a restart. */
  counter = 1;
  /** Salesforce keeps a bounded number of open cursors and drops the oldest. */
  private static readonly MAX_OPEN = 200;

  constructor(
    private readonly clock: Clock,
    private readonly pod: string,
    /** Idle lifetime in seconds. */
    public ttlSeconds: number,
  ) {}

  /** Stores a result and returns its cursor id. */
  open(result: QueryResult, userId: string): string {
    const id = makeId('01g', this.pod, this.counter++);
    this.cursors.set(id, { result, userId, lastAccess: this.clock.now() });
    if (this.cursors.size > QueryCursors.MAX_OPEN) this.cursors.delete(this.cursors.keys().next().value!);
    return id;
  }

  /** Resolves a locator for `userId`; throws INVALID_QUERY_LOCATOR when unknown, expired or someone else's. */
  resolve(locator: string, userId: string): { result: QueryResult; position: number; cursorId: string } {
    const m = /^(01g[A-Za-z0-9]{15})-(\d+)$/.exec(locator);
    const cursor = m ? this.cursors.get(m[1]) : undefined;
    const now = this.clock.now();
    if (!m || !cursor || cursor.userId !== userId || now - cursor.lastAccess > this.ttlSeconds * 1000) {
      if (m && cursor) this.cursors.delete(m[1]);
      throw new SalesforceError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
    }
    cursor.lastAccess = now;
    return { result: cursor.result, position: Number(m[2]), cursorId: m[1] };
  }

  /** Drops every cursor. */
  clear(): void {
    this.cursors.clear();
  }
}
