// Single-record REST calls (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/using_resources_working_with_records.htm): retrieve, create (201), update (204), delete
// (204 / 404 ENTITY_IS_DELETED), upsert by external id (201 created / 200 updated / 300 several
// matches), get by external id, and getUpdated / getDeleted (§2.5).
import type { Express, Request, Response } from 'express';
import type { EmulatorContext } from '../context';
import { SalesforceError, notFound } from '../errors';
import { normalizeId } from '../ids';
import type { ObjectDef } from '../schema';
import type { WriteOp } from '../store/org-store';
import { getDeleted, getUpdated } from '../store/replication';
import type { OrgUser } from '../users';
import { recordJson, selectFields, singleCallError } from './records';
import { apiVersion, sendJson } from './respond';
import { userOf } from './rest-auth';

/** True when the request carries `Sforce-Duplicate-Rule-Header: allowSave=true`. */
export function allowDuplicates(req: Request): boolean {
  return /allowSave\s*=\s*true/i.test(req.header('Sforce-Duplicate-Rule-Header') ?? '');
}

function objectOr404(ctx: EmulatorContext, type: string): ObjectDef {
  const def = ctx.store.schema.object(type);
  if (!def) throw new SalesforceError(404, 'NOT_FOUND', 'The requested resource does not exist');
  return def;
}

function body(req: Request): Record<string, unknown> {
  const b: unknown = req.body;
  if (!b || typeof b !== 'object' || Array.isArray(b)) {
    throw new SalesforceError(400, 'JSON_PARSER_ERROR', 'The request body must be a JSON object');
  }
  return b as Record<string, unknown>;
}

// A direct GET/PATCH/DELETE of a record the user cannot see, or that does not exist, is a 404;
// one in the recycle bin is 404 ENTITY_IS_DELETED.
function requireRecord(ctx: EmulatorContext, user: OrgUser, def: ObjectDef, rawId: string) {
  const id = normalizeId(rawId);
  if (!id)
    throw new SalesforceError(
      404,
      'NOT_FOUND',
      'Provided external ID field does not exist or is not accessible: ' + rawId,
    );
  const found = ctx.store.getRecord(user, id, { type: def.name, includeDeleted: true });
  if (!found) throw notFound();
  if (ctx.store.table(def.name).isDeleted(found.row))
    throw new SalesforceError(404, 'ENTITY_IS_DELETED', 'entity is deleted');
  return { id, row: found.row };
}

function writeOne(ctx: EmulatorContext, req: Request, user: OrgUser, op: WriteOp) {
  const [result] = ctx.store.applyWrites(user, [op], { allowDuplicates: allowDuplicates(req) });
  if (!result.success) {
    const dupe = result.errors.find((e) => e.statusCode === 'DUPLICATE_EXTERNAL_ID');
    if (dupe) throw multipleChoices(req, op, dupe.extra?.matches as string[]);
    throw singleCallError(result);
  }
  return result;
}

// Several records share the external id: Salesforce answers 300 with their URLs.
function multipleChoices(req: Request, op: WriteOp, matches: string[]): SalesforceError {
  const v = apiVersion(req).text;
  const type = op.op === 'upsert' ? op.type : '';
  const err = new SalesforceError(300, 'MULTIPLE_CHOICES', 'Multiple records found for the external id');
  const urls = matches.map((m) => `/services/data/v${v}/sobjects/${type}/${m}`);
  return Object.assign(err, { toBody: () => urls });
}

/** Registers single-record REST routes. */
export function registerSObjectRoutes(app: Express, ctx: EmulatorContext): void {
  const base = '/services/data/:version/sobjects/:type';

  app.get(`${base}/updated`, (req, res) => {
    apiVersion(req);
    const def = objectOr404(ctx, req.params.type as string);
    sendJson(res, 200, getUpdated(ctx.store, userOf(res), def.name, req.query.start, req.query.end));
  });

  app.get(`${base}/deleted`, (req, res) => {
    apiVersion(req);
    const def = objectOr404(ctx, req.params.type as string);
    sendJson(res, 200, getDeleted(ctx.store, userOf(res), def.name, req.query.start, req.query.end));
  });

  app.post(base, (req, res) => {
    apiVersion(req);
    const def = objectOr404(ctx, req.params.type as string);
    const values = { ...body(req) };
    delete values.attributes;
    const result = writeOne(ctx, req, userOf(res), { op: 'create', type: def.name, values });
    sendJson(res, 201, { id: result.id, success: true, errors: [] });
  });

  app.get(`${base}/:id`, (req, res) => {
    const v = apiVersion(req).text;
    const user = userOf(res);
    const def = objectOr404(ctx, req.params.type as string);
    const { row } = requireRecord(ctx, user, def, req.params.id as string);
    const names = typeof req.query.fields === 'string' ? req.query.fields.split(',') : undefined;
    sendJson(res, 200, recordJson(ctx.store, def, row, selectFields(ctx.store, user, def, names), v));
  });

  app.patch(`${base}/:id`, (req, res) => {
    apiVersion(req);
    const user = userOf(res);
    const def = objectOr404(ctx, req.params.type as string);
    const { id } = requireRecord(ctx, user, def, req.params.id as string);
    writeOne(ctx, req, user, { op: 'update', type: def.name, id, values: body(req) });
    res.status(204).end();
  });

  app.delete(`${base}/:id`, (req, res) => {
    apiVersion(req);
    const user = userOf(res);
    const def = objectOr404(ctx, req.params.type as string);
    const { id } = requireRecord(ctx, user, def, req.params.id as string);
    writeOne(ctx, req, user, { op: 'delete', type: def.name, id });
    res.status(204).end();
  });

  app.get(`${base}/:field/:value`, (req, res) => {
    const v = apiVersion(req).text;
    const user = userOf(res);
    const def = objectOr404(ctx, req.params.type as string);
    const field = def.fieldMap.get(String(req.params.field).toLowerCase());
    if (!field || !field.externalId || !ctx.store.fieldVisible(user, def, field)) {
      throw new SalesforceError(
        404,
        'NOT_FOUND',
        `Provided external ID field does not exist or is not accessible: ${String(req.params.field)}`,
      );
    }
    const table = ctx.store.table(def.name);
    const visible = ctx.store.visibilityFilter(user, def);
    const ids = table
      .lookup(field.slot, String(req.params.value))
      .filter((id) => !visible || visible(table.rows.get(id)!));
    if (ids.length === 0) throw notFound();
    if (ids.length > 1) {
      const err = new SalesforceError(300, 'MULTIPLE_CHOICES', 'Multiple records found');
      throw Object.assign(err, { toBody: () => ids.map((id) => `/services/data/v${v}/sobjects/${def.name}/${id}`) });
    }
    sendJson(res, 200, recordJson(ctx.store, def, table.rows.get(ids[0])!, ctx.store.visibleFields(user, def), v));
  });

  app.patch(`${base}/:field/:value`, (req: Request, res: Response) => {
    apiVersion(req);
    const user = userOf(res);
    const def = objectOr404(ctx, req.params.type as string);
    const values = { ...body(req) };
    delete values.attributes;
    if (req.query.updateOnly === 'true') {
      const field = def.fieldMap.get(String(req.params.field).toLowerCase());
      const exists = field && ctx.store.table(def.name).lookup(field.slot, String(req.params.value)).length > 0;
      if (!exists) throw notFound();
    }
    const result = writeOne(ctx, req, user, {
      op: 'upsert',
      type: def.name,
      externalIdField: String(req.params.field),
      externalId: req.params.value,
      values,
    });
    sendJson(res, result.created ? 201 : 200, {
      id: result.id,
      success: true,
      errors: [],
      created: result.created ?? false,
    });
  });
}
