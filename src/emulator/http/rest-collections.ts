// sObject Collections (https://developer.salesforce.com/docs/platform/api-rest/guide/resources-composite-sobjects-collections-create.html): create / update / upsert / delete / retrieve of up to
// 200 records per call, results in input order with HTTP 200 even when records fail,
// per-record `statusCode` errors, and allOrNone rollback.
import type { Express, Request } from 'express';
import type { EmulatorContext } from '../context';
import { SalesforceError, recordError } from '../errors';
import { normalizeId } from '../ids';
import type { SaveResult, WriteOp } from '../store/org-store';
import { recordJson, saveResultJson, selectFields } from './records';
import { apiVersion, sendJson } from './respond';
import { userOf } from './rest-auth';
import { allowDuplicates } from './rest-sobjects';
import { injectLockFaults, reliabilityOf } from '../fault-kit';

/** Collections accept at most this many records per call. */
export const MAX_COLLECTION_RECORDS = 200;

function tooMany(): SalesforceError {
  return new SalesforceError(
    400,
    'EXCEEDED_ID_LIMIT',
    'record limit reached. cannot submit more than 200 records into this call',
  );
}

function collectionBody(req: Request): { allOrNone: boolean; records: Array<Record<string, unknown>> } {
  const b = req.body as { allOrNone?: unknown; records?: unknown } | undefined;
  if (!b || !Array.isArray(b.records))
    throw new SalesforceError(400, 'JSON_PARSER_ERROR', 'The request body must contain a records array');
  if (b.records.length > MAX_COLLECTION_RECORDS) throw tooMany();
  return {
    allOrNone: b.allOrNone === true || b.allOrNone === 'true',
    records: b.records as Array<Record<string, unknown>>,
  };
}

function typeOf(record: Record<string, unknown>): string | undefined {
  const attrs = record.attributes as { type?: unknown } | undefined;
  return typeof attrs?.type === 'string' ? attrs.type : undefined;
}

function strip(record: Record<string, unknown>): Record<string, unknown> {
  const { attributes: _a, ...rest } = record;
  return rest;
}

// Applies the ops and slots their results back among records that failed before becoming
// ops (no type, no id). Under allOrNone such a pre-failure is handled by `rolledBackIfNeeded`
// before anything is written.
function run(
  ctx: EmulatorContext,
  req: Request,
  allOrNone: boolean,
  prepared: Array<WriteOp | SaveResult>,
): SaveResult[] {
  const ops = prepared.filter((p): p is WriteOp => 'op' in p);
  const results =
    ops.length > 0
      ? ctx.store.applyWrites(userOfReq(req), ops, { allOrNone, allowDuplicates: allowDuplicates(req) })
      : [];
  let i = 0;
  return prepared.map((p) => ('op' in p ? results[i++] : p));
}

function userOfReq(req: Request) {
  return userOf(req.res!);
}

function rolledBackIfNeeded(
  allOrNone: boolean,
  prepared: Array<WriteOp | SaveResult>,
): Array<WriteOp | SaveResult> | null {
  if (!allOrNone || prepared.every((p) => 'op' in p)) return null;
  return prepared.map((p) =>
    'op' in p
      ? {
          id: p.op === 'create' || p.op === 'upsert' ? null : normalizeId(p.id),
          success: false,
          errors: [
            recordError(
              'ALL_OR_NONE_OPERATION_ROLLED_BACK',
              'Record rolled back because not all records were valid and the request was using AllOrNone header',
            ),
          ],
        }
      : p,
  );
}

/** Registers the sObject Collections routes. */
export function registerCollectionRoutes(app: Express, ctx: EmulatorContext): void {
  const base = '/services/data/:version/composite/sobjects';

  const respond = (req: Request, allOrNone: boolean, unfaulted: Array<WriteOp | SaveResult>, withCreated: boolean) => {
    // Per-record UNABLE_TO_LOCK_ROW faults from the admin API (fault-kit.ts) replace some writes.
    const prepared = injectLockFaults(reliabilityOf(ctx), req.method, req.path, unfaulted);
    const early = rolledBackIfNeeded(allOrNone, prepared) as SaveResult[] | null;
    const results = early ?? run(ctx, req, allOrNone, prepared);
    sendJson(
      req.res!,
      200,
      results.map((r) => saveResultJson(r, withCreated)),
    );
  };

  app.post(base, (req, res) => {
    apiVersion(req);
    userOf(res);
    const { allOrNone, records } = collectionBody(req);
    const prepared = records.map((r): WriteOp | SaveResult => {
      const type = typeOf(r);
      if (!type)
        return { id: null, success: false, errors: [recordError('INVALID_TYPE', 'Must send a concrete entity type.')] };
      return { op: 'create', type, values: strip(r) };
    });
    respond(req, allOrNone, prepared, false);
  });

  app.patch(base, (req, res) => {
    apiVersion(req);
    userOf(res);
    const { allOrNone, records } = collectionBody(req);
    const prepared = records.map((r): WriteOp | SaveResult => {
      const type = typeOf(r);
      const id = r.id ?? r.Id;
      if (!type)
        return { id: null, success: false, errors: [recordError('INVALID_TYPE', 'Must send a concrete entity type.')] };
      if (typeof id !== 'string')
        return {
          id: null,
          success: false,
          errors: [recordError('MISSING_ARGUMENT', 'Id not specified in an update call', ['Id'])],
        };
      const values = strip(r);
      delete values.id;
      delete values.Id;
      return { op: 'update', type, id, values };
    });
    respond(req, allOrNone, prepared, false);
  });

  app.patch(`${base}/:type/:field`, (req, res) => {
    apiVersion(req);
    userOf(res);
    const { allOrNone, records } = collectionBody(req);
    const type = String(req.params.type);
    const fieldName = String(req.params.field);
    if (!ctx.store.schema.object(type))
      throw new SalesforceError(404, 'NOT_FOUND', 'The requested resource does not exist');
    const prepared = records.map((r): WriteOp | SaveResult => {
      const values = strip(r);
      const key = Object.keys(values).find((k) => k.toLowerCase() === fieldName.toLowerCase());
      const externalId = key ? values[key] : undefined;
      if (key) delete values[key];
      return { op: 'upsert', type, externalIdField: fieldName, externalId, values };
    });
    respond(req, allOrNone, prepared, true);
  });

  app.delete(base, (req, res) => {
    apiVersion(req);
    userOf(res);
    const ids = String(req.query.ids ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (ids.length === 0) throw new SalesforceError(400, 'MISSING_ARGUMENT', 'ids parameter is required');
    if (ids.length > MAX_COLLECTION_RECORDS) throw tooMany();
    const allOrNone = String(req.query.allOrNone) === 'true';
    const prepared = ids.map((id): WriteOp => ({ op: 'delete', id }));
    respond(req, allOrNone, prepared, false);
  });

  const retrieve = (req: Request, idsIn: unknown, fieldsIn: unknown) => {
    const v = apiVersion(req).text;
    const user = userOfReq(req);
    const def = ctx.store.schema.object(String(req.params.type));
    if (!def) throw new SalesforceError(404, 'NOT_FOUND', 'The requested resource does not exist');
    const ids = Array.isArray(idsIn)
      ? idsIn.map(String)
      : String(idsIn ?? '')
          .split(',')
          .filter(Boolean);
    if (ids.length > 2000) throw tooMany();
    const names = Array.isArray(fieldsIn)
      ? fieldsIn.map(String)
      : typeof fieldsIn === 'string'
        ? fieldsIn.split(',')
        : undefined;
    if (!names || names.length === 0)
      throw new SalesforceError(400, 'MISSING_ARGUMENT', 'fields parameter is required');
    const fields = selectFields(ctx.store, user, def, names);
    const out = ids.map((raw) => {
      const found = ctx.store.getRecord(user, raw, { type: def.name });
      return found ? recordJson(ctx.store, def, found.row, fields, v) : null;
    });
    sendJson(req.res!, 200, out);
  };
  app.post(`${base}/:type`, (req, res) => {
    userOf(res);
    const b = (req.body ?? {}) as { ids?: unknown; fields?: unknown };
    retrieve(req, b.ids, b.fields);
  });
  app.get(`${base}/:type`, (req, res) => {
    userOf(res);
    retrieve(req, req.query.ids, req.query.fields);
  });
}
