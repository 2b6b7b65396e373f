// The Bulk API 2.0 HTTP surface under /services/data/vXX.X/jobs: query and ingest jobs, their
// result files and paging headers. Handlers are thin: they authenticate, call the job logic
// and write JSON or CSV the way Salesforce does.
import { pipeline } from 'node:stream/promises';
import express, { type Express, type Request, type Response, type Router } from 'express';
import type { EmulatorContext } from '../context';
import { SalesforceError } from '../errors';
import { apiVersion, sendError, sendJson } from '../http/respond';
import { jobNotFound } from './errors';
import { fullJobInfo, shortJobInfo } from './job-info';
import { MAX_UPLOAD_BYTES, assertResultsReady, createIngestJob, patchIngestJob, uploadIngestData } from './ingest-jobs';
import type { BulkJob, IngestJob, QueryJob } from './jobs';
import type { BulkDeps } from './options';
import { queryPageStream } from './query-csv';
import { createQueryJob, deleteJob, patchQueryJob, resultPage } from './query-jobs';
import { resultFileCsv, type ResultFile } from './results-csv';

/** Resolves the calling user's id from the request's session; throws SalesforceError 401 when there is none. */
export type Authenticate = (req: Request) => string;

// Bulk 2.0 ingest arrived in API 41.0 and query jobs in 47.0; older versions have no such resource.
const MIN_INGEST_VERSION = 41;
const MIN_QUERY_VERSION = 47;

function fail(res: Response, error: unknown): void {
  if (res.headersSent) {
    res.destroy(error instanceof Error ? error : undefined);
    return;
  }
  if (error instanceof SalesforceError) return sendError(res, error);
  const message = error instanceof Error ? error.message : String(error);
  sendError(res, new SalesforceError(500, 'UNKNOWN_EXCEPTION', `An unexpected error occurred: ${message}`));
}

type Handler = (req: Request, res: Response, version: string) => void | Promise<void>;

function versionOf(req: Request, minimum: number): string {
  const version = apiVersion(req);
  if (version.number < minimum) throw jobNotFound();
  return version.text;
}

function handle(minimum: number, handler: Handler) {
  return async (req: Request, res: Response): Promise<void> => {
    try {
      await handler(req, res, versionOf(req, minimum));
    } catch (error) {
      fail(res, error);
    }
  };
}

// Reads a text/csv body as it streams in, refusing more than Salesforce's upload cap.
async function readCsvBody(req: Request): Promise<{ text: string; bytes: number }> {
  const type = req.headers['content-type'] ?? '';
  if (!/^text\/csv\b/i.test(type)) {
    throw new SalesforceError(
      400,
      'INVALIDJOB',
      `Unsupported Content-Type '${type}': job data must be uploaded as text/csv`,
    );
  }
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > MAX_UPLOAD_BYTES) {
      throw new SalesforceError(
        400,
        'INVALIDJOB',
        `Job data exceeds the maximum of ${MAX_UPLOAD_BYTES} bytes per upload`,
      );
    }
    chunks.push(chunk);
  }
  return { text: Buffer.concat(chunks).toString('utf8'), bytes };
}

function listBody(jobs: BulkJob[]): unknown {
  return { done: true, records: jobs.map(fullJobInfo), nextRecordsUrl: null };
}

/** Builds the router to mount at `/services/data/:version/jobs`. */
export function bulkRouter(deps: BulkDeps, authenticate: Authenticate): Router {
  const router = express.Router({ mergeParams: true });
  const json = express.json({ type: () => true, limit: '1mb' });

  const queryJob = (req: Request): QueryJob => {
    const job = deps.registry.get('query', String(req.params.id));
    if (!job) throw jobNotFound();
    return job;
  };
  const ingestJob = (req: Request): IngestJob => {
    const job = deps.registry.get('ingest', String(req.params.id));
    if (!job) throw jobNotFound();
    return job;
  };

  // ---- query jobs ----
  router.post(
    '/query',
    json,
    handle(MIN_QUERY_VERSION, (req, res, version) => {
      const user = authenticate(req);
      sendJson(res, 200, shortJobInfo(createQueryJob(deps, req.body, user, version)));
    }),
  );
  router.get(
    '/query',
    handle(MIN_QUERY_VERSION, (req, res) => {
      authenticate(req);
      sendJson(res, 200, listBody(deps.registry.list('query')));
    }),
  );
  router.get(
    '/query/:id',
    handle(MIN_QUERY_VERSION, (req, res) => {
      authenticate(req);
      sendJson(res, 200, fullJobInfo(queryJob(req)));
    }),
  );
  router.patch(
    '/query/:id',
    json,
    handle(MIN_QUERY_VERSION, (req, res) => {
      authenticate(req);
      const job = queryJob(req);
      patchQueryJob(deps, job, req.body);
      sendJson(res, 200, shortJobInfo(job));
    }),
  );
  router.delete(
    '/query/:id',
    handle(MIN_QUERY_VERSION, (req, res) => {
      authenticate(req);
      deleteJob(deps, queryJob(req));
      res.status(204).end();
    }),
  );
  router.get(
    '/query/:id/results',
    handle(MIN_QUERY_VERSION, async (req, res, version) => {
      authenticate(req);
      const job = queryJob(req);
      const locator = typeof req.query.locator === 'string' ? req.query.locator : undefined;
      const page = resultPage(deps, job, version, locator, req.query.maxRecords);
      const result = job.result!;
      res.status(200);
      res.setHeader('Content-Type', 'text/csv');
      res.setHeader('Sforce-Locator', page.nextLocator);
      res.setHeader('Sforce-NumberOfRecords', String(page.to - page.from));
      const body = queryPageStream(page.columns, (from, to) => result.cells(from, to), page.from, page.to, job.dialect);
      // A client that hangs up mid-page ends the pipeline early; nothing is left to answer.
      await pipeline(body, res).catch(() => undefined);
    }),
  );

  // ---- ingest jobs ----
  router.post(
    '/ingest',
    json,
    handle(MIN_INGEST_VERSION, (req, res, version) => {
      const user = authenticate(req);
      sendJson(res, 200, shortJobInfo(createIngestJob(deps, req.body, user, version)));
    }),
  );
  router.get(
    '/ingest',
    handle(MIN_INGEST_VERSION, (req, res) => {
      authenticate(req);
      sendJson(res, 200, listBody(deps.registry.list('ingest')));
    }),
  );
  router.get(
    '/ingest/:id',
    handle(MIN_INGEST_VERSION, (req, res) => {
      authenticate(req);
      sendJson(res, 200, fullJobInfo(ingestJob(req)));
    }),
  );
  router.patch(
    '/ingest/:id',
    json,
    handle(MIN_INGEST_VERSION, (req, res) => {
      authenticate(req);
      const job = ingestJob(req);
      patchIngestJob(deps, job, req.body);
      sendJson(res, 200, shortJobInfo(job));
    }),
  );
  router.delete(
    '/ingest/:id',
    handle(MIN_INGEST_VERSION, (req, res) => {
      authenticate(req);
      deleteJob(deps, ingestJob(req));
      res.status(204).end();
    }),
  );
  router.put(
    '/ingest/:id/batches',
    handle(MIN_INGEST_VERSION, async (req, res) => {
      authenticate(req);
      const job = ingestJob(req);
      const { text, bytes } = await readCsvBody(req);
      uploadIngestData(job, text, bytes);
      res.status(201).end();
    }),
  );
  const resultFiles: Record<string, ResultFile> = {
    successfulResults: 'successfulResults',
    failedResults: 'failedResults',
    unprocessedrecords: 'unprocessedrecords',
  };
  router.get(
    '/ingest/:id/:file',
    handle(MIN_INGEST_VERSION, (req, res) => {
      authenticate(req);
      const file = resultFiles[String(req.params.file)];
      if (!file) throw jobNotFound();
      const job = ingestJob(req);
      assertResultsReady(job);
      res
        .status(200)
        .type('text/csv')
        .send(resultFileCsv(file, job.header, job.rows, job.outcomes, job.dialect));
    }),
  );

  return router;
}

/** Mounts the Bulk API 2.0 routes on the emulator's app, authenticating with the core's sessions. */
export function registerBulkRoutes(app: Express, ctx: EmulatorContext, deps: BulkDeps): void {
  app.use(
    '/services/data/:version/jobs',
    bulkRouter(deps, (req) => ctx.authenticate(req).id),
  );
}
