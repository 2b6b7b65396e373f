// Bulk 2.0 jobs as the emulator keeps them, and the registry that owns them. Jobs live in
// memory for the life of the emulator (Salesforce keeps them 7 days); their JSON form is built
// by job-info.ts.
import type { CsvDialect } from './csv-dialect';
import type { RowOutcome } from './results-csv';
import type { JobKind, JobState } from './job-state';

/** Ingest operations Bulk 2.0 accepts. */
export const INGEST_OPERATIONS = ['insert', 'update', 'upsert', 'delete', 'hardDelete'] as const;

/** One of {@link INGEST_OPERATIONS}. */
export type IngestOperation = (typeof INGEST_OPERATIONS)[number];

/** Query operations: `queryAll` also returns deleted and archived rows. */
export type QueryOperation = 'query' | 'queryAll';

/** A query's result rows, fixed when the job ran, rendered to CSV cells on demand per page. */
export interface BulkResultSet {
  readonly columns: readonly string[];
  readonly size: number;
  /** Formatted cells of rows [from, to). */
  cells(from: number, to: number): string[][];
}

interface JobBase {
  readonly id: string;
  readonly object: string;
  readonly createdById: string;
  /** Epoch milliseconds (emulator clock). */
  readonly createdDate: number;
  systemModstamp: number;
  state: JobState;
  /** API version the job was created with, e.g. `62.0`. */
  readonly apiVersion: string;
  readonly dialect: CsvDialect;
  numberRecordsProcessed: number;
  totalProcessingTime: number;
  errorMessage: string | null;
}

/** A Bulk 2.0 query job. */
export interface QueryJob extends JobBase {
  readonly kind: 'query';
  readonly operation: QueryOperation;
  readonly query: string;
  /** Set when the job completes. */
  result: BulkResultSet | null;
}

/** A Bulk 2.0 ingest job. */
export interface IngestJob extends JobBase {
  readonly kind: 'ingest';
  readonly operation: IngestOperation;
  readonly externalIdFieldName: string | null;
  /** Raw CSV bodies PUT to …/batches, in order; parsed when processing starts. */
  uploads: string[];
  uploadBytes: number;
  /** The request path the data came in on; fault rules for per-record locks match it. */
  readonly uploadPath: string;
  header: readonly string[];
  rows: readonly (readonly string[])[];
  outcomes: RowOutcome[];
  numberRecordsFailed: number;
}

/** Either kind of job. */
export type BulkJob = QueryJob | IngestJob;

/** All jobs of the org by id. */
export class JobRegistry {
  private readonly jobs = new Map<string, BulkJob>();

  /** Stores a new job. */
  add(job: BulkJob): void {
    this.jobs.set(job.id, job);
  }

  /** The job of `kind` with `id`, or undefined (a query id on an ingest path is unknown). */
  get<K extends JobKind>(kind: K, id: string): Extract<BulkJob, { kind: K }> | undefined {
    const job = this.jobs.get(id);
    return job && job.kind === kind ? (job as Extract<BulkJob, { kind: K }>) : undefined;
  }

  /** Forgets a job; background steps already scheduled for it find it gone or final and stop. */
  delete(id: string): void {
    this.jobs.delete(id);
  }

  /** Jobs of `kind`, oldest first. */
  list<K extends JobKind>(kind: K): Extract<BulkJob, { kind: K }>[] {
    return [...this.jobs.values()].filter((j): j is Extract<BulkJob, { kind: K }> => j.kind === kind);
  }

  /**
   * Runs a background step after `ms`. The timer is unref'd: pending job processing never keeps
   * a stopped emulator's process alive, and steps check the job's state before doing anything.
   */
  schedule(ms: number, task: () => void): void {
    setTimeout(task, ms).unref();
  }
}
