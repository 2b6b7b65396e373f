// Job logic of Bulk 2.0 over a fake backend: asynchronous state progression, aborting mid-way,
// and processing failures, without an org behind it.
import { describe, expect, it } from 'vitest';
import { SalesforceError } from '../../src/emulator/errors';
import type { BulkBackend, IngestRowWrite } from '../../src/emulator/bulk/backend';
import { createIngestJob, patchIngestJob, uploadIngestData } from '../../src/emulator/bulk/ingest-jobs';
import { JobRegistry, type BulkJob } from '../../src/emulator/bulk/jobs';
import { DEFAULT_BULK_OPTIONS, type BulkDeps } from '../../src/emulator/bulk/options';
import { createQueryJob, resultPage } from '../../src/emulator/bulk/query-jobs';
import { resultFileCsv } from '../../src/emulator/bulk/results-csv';

function fakeDeps(
  overrides: Partial<BulkBackend> = {},
  recordFault: BulkDeps['recordFault'] = () => false,
): { deps: BulkDeps; writes: IngestRowWrite[] } {
  const writes: IngestRowWrite[] = [];
  let n = 0;
  const backend: BulkBackend = {
    newJobId: () => `7505g00000000${String(++n).padStart(2, '0')}AAA`,
    now: () => Date.now(),
    prepareQuery: () => ({
      object: 'Lead',
      run: () => ({
        columns: ['Id'],
        size: 5,
        cells: (from, to) => Array.from({ length: to - from }, (_, i) => [`row-${from + i}`]),
      }),
    }),
    ingestTarget: (object) => ({ object, externalIdFieldName: null }),
    resolveHeader: (_target, _op, header) => [...header],
    writeRow: (write) => {
      writes.push(write);
      return write.cells.LastName === 'bad'
        ? { kind: 'failure', id: '', error: { statusCode: 'REQUIRED_FIELD_MISSING', message: 'missing', fields: [] } }
        : { kind: 'success', id: `00Q${writes.length}`, created: true };
    },
    ...overrides,
  };
  const deps: BulkDeps = {
    registry: new JobRegistry(),
    backend,
    options: { ...DEFAULT_BULK_OPTIONS, processingDelayMs: 5, ingestChunkSize: 10 },
    recordFault,
    onResultPage: () => {},
  };
  return { deps, writes };
}

async function until(job: BulkJob, states: string[]): Promise<void> {
  for (let i = 0; i < 400 && !states.includes(job.state); i++) await new Promise((r) => setTimeout(r, 5));
  expect(states).toContain(job.state);
}

describe('Bulk 2.0 job processing', () => {
  it('progresses a query job asynchronously and pages its fixed result', async () => {
    const { deps } = fakeDeps();
    const job = createQueryJob(deps, { query: 'SELECT Id FROM Lead', operation: 'query' }, '005x', '62.0');
    expect(job.state).toBe('UploadComplete');
    await until(job, ['InProgress']);
    await until(job, ['JobComplete']);
    expect(job.numberRecordsProcessed).toBe(5);
    const first = resultPage(deps, job, '62.0', undefined, '2');
    expect(first).toMatchObject({ from: 0, to: 2 });
    const last = resultPage(deps, job, '62.0', resultPage(deps, job, '62.0', first.nextLocator, '2').nextLocator, '2');
    expect(last).toMatchObject({ from: 4, to: 5, nextLocator: 'null' });
  });

  it('fails a query job whose evaluation throws, with the error as errorMessage', async () => {
    const { deps } = fakeDeps({
      prepareQuery: () => ({
        object: 'Lead',
        run: () => {
          throw new SalesforceError(400, 'QUERY_TIMEOUT', 'Your query request was running for too long.');
        },
      }),
    });
    const job = createQueryJob(deps, { query: 'SELECT Id FROM Lead', operation: 'query' }, '005x', '62.0');
    await until(job, ['Failed']);
    expect(job.errorMessage).toBe('QUERY_TIMEOUT: Your query request was running for too long.');
  });

  it('processes ingest rows in steps and leaves the rest unprocessed when aborted mid-way', async () => {
    const { deps, writes } = fakeDeps();
    const job = createIngestJob(deps, { object: 'Lead', operation: 'insert' }, '005x', '62.0');
    const csv = ['LastName', ...Array.from({ length: 50 }, (_, i) => (i === 3 ? 'bad' : `L${i}`))].join('\n') + '\n';
    uploadIngestData(job, csv, csv.length);
    patchIngestJob(deps, job, { state: 'UploadComplete' });
    expect(job.state).toBe('UploadComplete');
    await until(job, ['InProgress']);
    while (job.numberRecordsProcessed === 0) await new Promise((r) => setTimeout(r, 1));
    patchIngestJob(deps, job, { state: 'Aborted' });
    const processed = job.numberRecordsProcessed;
    await new Promise((r) => setTimeout(r, 50));
    expect(job.state).toBe('Aborted');
    expect(job.numberRecordsProcessed).toBe(processed);
    expect(processed).toBeLessThan(50);
    expect(writes).toHaveLength(processed);
    expect(job.numberRecordsFailed).toBe(1);
    const unprocessed = resultFileCsv('unprocessedrecords', job.header, job.rows, job.outcomes, job.dialect)
      .trim()
      .split('\n');
    expect(unprocessed).toHaveLength(1 + 50 - processed);
    expect(unprocessed[1]).toBe(`"L${processed}"`);
  });

  it('fails rows that a lock fault rule hits, without writing them', async () => {
    let calls = 0;
    const { deps, writes } = fakeDeps({}, () => ++calls % 2 === 0);
    const job = createIngestJob(deps, { object: 'Lead', operation: 'insert' }, '005x', '62.0');
    uploadIngestData(job, 'LastName\nA\nB\nC\nD\n', 20);
    patchIngestJob(deps, job, { state: 'UploadComplete' });
    await until(job, ['JobComplete']);
    expect(writes.map((w) => w.cells.LastName)).toEqual(['A', 'C']);
    expect(job.numberRecordsFailed).toBe(2);
    expect(job.outcomes[1]).toMatchObject({ kind: 'failure', error: { statusCode: 'UNABLE_TO_LOCK_ROW' } });
  });
});
