// Counters the admin API exposes, so reliability tests can assert on what the emulator saw:
// calls per endpoint, faults injected per kind, and Bulk result pages served (the sync engine's
// tests count pages fetched to prove it resumes from the last page instead of starting over).
import type { FaultKind } from './fault-rules';

/** A snapshot of every counter, as served by `GET /__emulator/counters`. */
export interface CountersSnapshot {
  /** Salesforce API requests seen, faulted ones included (admin API calls are not counted). */
  readonly totalCalls: number;
  /** Requests by `METHOD /normalised/path` (versions → vXX.X or XX.X, record ids → {id}, locators → {locator}). */
  readonly callsByEndpoint: Readonly<Record<string, number>>;
  /** Injected faults by kind (each faulted record counts once for `unable-to-lock-row`). */
  readonly faultsByKind: Readonly<Partial<Record<FaultKind, number>>>;
  /** Bulk 2.0 query result pages served, in total and by job id. */
  readonly bulkResultPages: { readonly total: number; readonly byJob: Readonly<Record<string, number>> };
  /** Rows served in those pages. */
  readonly bulkResultRows: number;
}

// 15 or 18 alphanumerics with at least one digit: a Salesforce id (or a Bulk job id) in a path.
const ID_SEGMENT = /^(?=[a-zA-Z0-9]*\d)[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;
// REST query locators look like `01gD0000002HU6KIAW-2000`.
const LOCATOR_SEGMENT = /^01g[a-zA-Z0-9]{12,15}-\d+$/;

/** Reduces a request path to the endpoint it names, so counts group across ids and versions. */
export function normaliseEndpoint(method: string, path: string): string {
  const segments = path.split('/').map((segment) => {
    if (/^v\d+\.\d+$/.test(segment)) return 'vXX.X';
    // SOAP endpoints carry the version bare: /services/Soap/u/62.0.
    if (/^\d+\.\d+$/.test(segment)) return 'XX.X';
    if (LOCATOR_SEGMENT.test(segment)) return '{locator}';
    if (ID_SEGMENT.test(segment)) return '{id}';
    return segment;
  });
  return `${method.toUpperCase()} ${segments.join('/')}`;
}

/** Mutable counters shared by the fault middleware, the Bulk routes and the admin API. */
export class EmulatorCounters {
  private totalCalls = 0;
  private callsByEndpoint = new Map<string, number>();
  private faultsByKind = new Map<FaultKind, number>();
  private bulkPagesByJob = new Map<string, number>();
  private bulkPagesTotal = 0;
  private bulkRows = 0;

  /** Counts one request to `path` (without its query string). */
  countCall(method: string, path: string): void {
    this.totalCalls++;
    const key = normaliseEndpoint(method, path);
    this.callsByEndpoint.set(key, (this.callsByEndpoint.get(key) ?? 0) + 1);
  }

  /** Counts one injected fault. */
  countFault(kind: FaultKind): void {
    this.faultsByKind.set(kind, (this.faultsByKind.get(kind) ?? 0) + 1);
  }

  /** Counts one Bulk query result page of `rows` rows served for `jobId`. */
  countBulkPage(jobId: string, rows: number): void {
    this.bulkPagesTotal++;
    this.bulkRows += rows;
    this.bulkPagesByJob.set(jobId, (this.bulkPagesByJob.get(jobId) ?? 0) + 1);
  }

  /** Sets every counter back to zero. */
  reset(): void {
    this.totalCalls = 0;
    this.callsByEndpoint.clear();
    this.faultsByKind.clear();
    this.bulkPagesByJob.clear();
    this.bulkPagesTotal = 0;
    this.bulkRows = 0;
  }

  /** A plain-object copy of the counters, safe to serialise. */
  snapshot(): CountersSnapshot {
    return {
      totalCalls: this.totalCalls,
      callsByEndpoint: Object.fromEntries(this.callsByEndpoint),
      faultsByKind: Object.fromEntries(this.faultsByKind),
      bulkResultPages: { total: this.bulkPagesTotal, byJob: Object.fromEntries(this.bulkPagesByJob) },
      bulkResultRows: this.bulkRows,
    };
  }
}
