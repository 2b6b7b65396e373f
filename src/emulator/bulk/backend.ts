// What Bulk API 2.0 needs from the rest of the emulator, as one narrow interface: run a query
// as a user, and write one ingest row through the same store functions REST uses. Keeping it
// narrow lets the job logic be tested without an org and keeps Bulk out of the store's
// internals; core-backend.ts implements it on the real store and SOQL evaluator.
import type { BulkResultSet, IngestOperation } from './jobs';
import type { RowOutcome } from './results-csv';

/** A Bulk query compiled for one user, ready to run when the job is processed. */
export interface PreparedBulkQuery {
  /** The queried object's API name as describe spells it. */
  readonly object: string;
  /** Evaluates the query now (sharing and field-level security of the user applied). */
  run(): BulkResultSet;
}

/** The ingest target after validation: canonical names. */
export interface IngestTarget {
  readonly object: string;
  readonly externalIdFieldName: string | null;
}

/** One ingest row to write. */
export interface IngestRowWrite {
  readonly object: string;
  readonly operation: IngestOperation;
  readonly externalIdFieldName: string | null;
  /** Canonical field name → CSV cell (`#N/A` for null); empty cells are left out. */
  readonly cells: Readonly<Record<string, string>>;
  readonly userId: string;
}

/** The org behind the Bulk endpoints. */
export interface BulkBackend {
  /**
   * Compiles `soql` for `userId`; throws SalesforceError (MALFORMED_QUERY, INVALID_FIELD,
   * INVALID_TYPE, INVALIDJOB for compound fields …) when it cannot run.
   */
  prepareQuery(soql: string, userId: string, apiVersion: string, includeDeleted: boolean): PreparedBulkQuery;
  /** Checks that `object` exists for `userId` and supports `operation`; throws SalesforceError otherwise. */
  ingestTarget(
    object: string,
    operation: IngestOperation,
    externalIdFieldName: string | null,
    userId: string,
  ): IngestTarget;
  /**
   * Maps an upload header to canonical field names; throws IngestDataError
   * ("InvalidBatch : Field name not found : X") for a column the user cannot write.
   */
  resolveHeader(target: IngestTarget, operation: IngestOperation, header: readonly string[], userId: string): string[];
  /** Applies one row with the store's validation; never throws for a row-level failure. */
  writeRow(write: IngestRowWrite): RowOutcome;
  /** A fresh 18-character job id (key prefix 750). */
  newJobId(): string;
  /** Emulator time in epoch milliseconds. */
  now(): number;
}
