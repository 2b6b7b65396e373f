// Tunables of the emulated Bulk 2.0 service, with defaults and the dependencies job logic uses.
import type { BulkBackend } from './backend';
import type { JobRegistry } from './jobs';

/** How the emulated Bulk service paces its background work and pages its results. */
export interface BulkOptions {
  /**
   * Pause before each background step (UploadComplete → InProgress → final state). Real jobs
   * take seconds; a short pause keeps the asynchronous states observable in tests.
   */
  readonly processingDelayMs: number;
  /** Rows per result page when the client sends no maxRecords. */
  readonly defaultMaxRecords: number;
  /** Ingest rows written per background step; other requests are served between steps. */
  readonly ingestChunkSize: number;
}

/** Defaults: 50 ms steps, 50,000-row pages, 200-row ingest steps. */
export const DEFAULT_BULK_OPTIONS: BulkOptions = {
  processingDelayMs: 50,
  // Salesforce sizes pages by bytes (about 1 GB of CSV); a row count keeps pages bounded here.
  defaultMaxRecords: 50_000,
  ingestChunkSize: 200,
};

/** Everything the job logic needs, passed as one object. */
export interface BulkDeps {
  readonly registry: JobRegistry;
  readonly backend: BulkBackend;
  readonly options: BulkOptions;
  /** The fault engine's per-record hook: true when this row must fail with UNABLE_TO_LOCK_ROW. */
  readonly recordFault: (method: string, path: string) => boolean;
  /** Called for every result page served, for the admin counters. */
  readonly onResultPage: (jobId: string, rows: number) => void;
}
