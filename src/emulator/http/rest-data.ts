// REST resources that read: versions, resource list, limits, describeGlobal/describe, and
// query / queryAll / queryMore paging (https://developer.salesforce.com/docs/platform/api-rest/guide/dome-query.html).
import type { Express, Request, Response } from 'express';
import type { EmulatorContext } from '../context';
import { SalesforceError } from '../errors';
import type { QueryResult } from '../soql';
import type { OrgUser } from '../users';
import { describeGlobal, describeSObject, sobjectBasicInfo } from './describe';
import { apiVersion, sendJson } from './respond';
import { userOf } from './rest-auth';

/** API versions the emulator lists at `GET /services/data` (it accepts any vNN.N). */
const LISTED_VERSIONS = [
  '55.0',
  '56.0',
  '57.0',
  '58.0',
  '59.0',
  '60.0',
  '61.0',
  '62.0',
  '63.0',
  '64.0',
  '65.0',
  '66.0',
];

/** Default and maximum REST query page; `Sforce-Query-Options: batchSize=N` asks for 200–2000. */
const MAX_BATCH = 2000;
const MIN_BATCH = 200;

function batchSize(req: Request): number {
  const m = /batchSize\s*=\s*(\d+)/i.exec(req.header('Sforce-Query-Options') ?? '');
  if (!m) return MAX_BATCH;
  return Math.min(MAX_BATCH, Math.max(MIN_BATCH, Number(m[1])));
}

/** Registers the read-side REST resources. */
export function registerRestDataRoutes(app: Express, ctx: EmulatorContext): void {
  app.get('/services/data', (_req, res) => {
    sendJson(
      res,
      200,
      LISTED_VERSIONS.map((v) => ({ label: `API ${v}`, url: `/services/data/v${v}`, version: v })),
    );
  });

  app.get('/services/data/:version', (req, res) => {
    const v = apiVersion(req).text;
    const base = `/services/data/v${v}`;
    sendJson(res, 200, {
      sobjects: `${base}/sobjects`,
      query: `${base}/query`,
      queryAll: `${base}/queryAll`,
      limits: `${base}/limits`,
      composite: `${base}/composite`,
      jobs: `${base}/jobs`,
    });
  });

  app.get('/services/data/:version/limits', (req, res) => {
    apiVersion(req);
    const { limit, used } = ctx.apiUsage;
    const pair = (max: number, remaining: number) => ({ Max: max, Remaining: remaining });
    sendJson(res, 200, {
      DailyApiRequests: pair(limit, Math.max(0, limit - used)),
      DailyBulkApiBatches: pair(15000, 15000),
      DailyBulkV2QueryFileStorageMB: pair(976562, 976562),
      DailyBulkV2QueryJobs: pair(10000, 10000),
      DataStorageMB: pair(1024, 1024),
      FileStorageMB: pair(1024, 1024),
      ConcurrentSyncReportRuns: pair(20, 20),
    });
  });

  app.get('/services/data/:version/sobjects', (req, res) => {
    sendJson(res, 200, describeGlobal(ctx.store, apiVersion(req).text));
  });

  app.get('/services/data/:version/sobjects/:type/describe', (req, res) => {
    const v = apiVersion(req).text;
    const user = userOf(res);
    sendJson(res, 200, describeSObject(ctx.store, user, objectOr404(ctx, req.params.type as string), v));
  });

  app.get('/services/data/:version/sobjects/:type', (req, res) => {
    sendJson(res, 200, sobjectBasicInfo(objectOr404(ctx, req.params.type as string), apiVersion(req).text));
  });

  const runQuery = (includeDeleted: boolean) => (req: Request, res: Response) => {
    const v = apiVersion(req);
    const user = userOf(res);
    const q = req.query.q;
    if (typeof q !== 'string' || q.trim() === '') {
      throw new SalesforceError(400, 'MALFORMED_QUERY', 'A query string has to be specified');
    }
    const result = ctx.store.query(user, q, { includeDeleted, apiVersion: v.number });
    sendPage(ctx, req, res, result, user, 0, null, includeDeleted);
  };
  const queryMore = (includeDeleted: boolean) => (req: Request, res: Response) => {
    apiVersion(req);
    const user = userOf(res);
    const { result, position, cursorId } = ctx.cursors.resolve(req.params.locator as string, user.id);
    sendPage(ctx, req, res, result, user, position, cursorId, includeDeleted);
  };
  app.get('/services/data/:version/query', runQuery(false));
  app.get('/services/data/:version/queryAll', runQuery(true));
  // jsforce sends queryAll's locator to /query too (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_queryall.htm): both routes accept both.
  app.get('/services/data/:version/query/:locator', queryMore(false));
  app.get('/services/data/:version/queryAll/:locator', queryMore(true));
}

function objectOr404(ctx: EmulatorContext, type: string) {
  const def = ctx.store.schema.object(type);
  if (!def) throw new SalesforceError(404, 'NOT_FOUND', 'The requested resource does not exist');
  return def;
}

function sendPage(
  ctx: EmulatorContext,
  req: Request,
  res: Response,
  result: QueryResult,
  user: OrgUser,
  position: number,
  cursorId: string | null,
  includeDeleted: boolean,
): void {
  const v = apiVersion(req).text;
  if (result.aggregateRecords.length > 0) {
    sendJson(res, 200, { totalSize: result.totalSize, done: true, records: result.aggregateRecords });
    return;
  }
  const size = batchSize(req);
  const end = Math.min(result.rows.length, position + size);
  const records = result.rows.slice(position, end).map((row) => result.toRecord(row, v));
  const body: Record<string, unknown> = { totalSize: result.totalSize, done: end >= result.rows.length };
  if (end < result.rows.length) {
    const id = cursorId ?? ctx.cursors.open(result, user.id);
    body.nextRecordsUrl = `/services/data/v${v}/${includeDeleted ? 'queryAll' : 'query'}/${id}-${end}`;
  }
  body.records = records;
  sendJson(res, 200, body);
}
