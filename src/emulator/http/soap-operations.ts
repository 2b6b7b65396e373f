// Partner SOAP calls other than login, mapped onto the same store operations REST uses. SOAP
// sends every value as text, so field values are typed through describe metadata, and
// `fieldsToNull` names the fields to clear.
import type { EmulatorContext } from '../context';
import { SalesforceError, type RecordError } from '../errors';
import type { ObjectDef } from '../schema';
import type { SaveResult, WriteOp } from '../store/org-store';
import type { OrgUser } from '../users';
import { csvToJsonValue } from '../values';
import { convertLeads, mergeRecords } from '../semantics';
import type { SoapRequest } from './soap-xml';

/** A SOAP operation: returns the `result` element value(s). */
export type SoapOperation = (ctx: EmulatorContext, user: OrgUser, call: SoapRequest) => unknown;

/** Normalises a repeated-or-single XML element to an array. */
export function asArray<T = unknown>(value: unknown): T[] {
  if (value === undefined || value === null || value === '') return [];
  return (Array.isArray(value) ? value : [value]) as T[];
}

/** Error elements as the partner WSDL shapes them. */
export function soapErrors(errors: RecordError[]): Array<Record<string, unknown>> {
  return errors.map((e) => ({ fields: e.fields, message: e.message, statusCode: e.statusCode }));
}

/** Turns an `<sObjects>`-style element into JSON-typed values for the store. */
export function soapRecordValues(def: ObjectDef, record: Record<string, unknown>): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(record)) {
    if (key === 'type' || key.startsWith('@')) continue;
    if (key === 'fieldsToNull') {
      for (const name of asArray<string>(raw)) values[name] = null;
      continue;
    }
    const field = def.fieldMap.get(key.toLowerCase());
    const text = typeof raw === 'string' ? raw : raw === null || raw === undefined ? '' : String(raw);
    values[key] = field ? (csvToJsonValue(field, text) ?? null) : text;
  }
  return values;
}

function saveResults(results: SaveResult[], withCreated: boolean): Array<Record<string, unknown>> {
  return results.map((r) => {
    const out: Record<string, unknown> = {};
    if (withCreated) out.created = r.created ?? false;
    out.errors = soapErrors(r.errors);
    out.id = r.id;
    out.success = r.success;
    return out;
  });
}

function allOrNone(call: SoapRequest): boolean {
  const h = call.headers.AllOrNoneHeader as Record<string, unknown> | undefined;
  return String(h?.allOrNone) === 'true';
}

function allowSave(call: SoapRequest): boolean {
  const h = call.headers.DuplicateRuleHeader as Record<string, unknown> | undefined;
  return String(h?.allowSave) === 'true';
}

function recordsOf(
  ctx: EmulatorContext,
  call: SoapRequest,
): Array<{ def: ObjectDef; values: Record<string, unknown> }> {
  return asArray<Record<string, unknown>>(call.args.sObjects).map((r) => {
    const type = String(r.type ?? '');
    const def = ctx.store.schema.object(type);
    if (!def) throw new SalesforceError(500, 'INVALID_TYPE', `sObject type '${type}' is not supported.`);
    return { def, values: soapRecordValues(def, r) };
  });
}

function write(ctx: EmulatorContext, user: OrgUser, call: SoapRequest, ops: WriteOp[], withCreated = false) {
  return saveResults(
    ctx.store.applyWrites(user, ops, { allOrNone: allOrNone(call), allowDuplicates: allowSave(call) }),
    withCreated,
  );
}

/** Every supported SOAP operation by name (login, getUserInfo and getServerTimestamp live in soap-routes). */
export const SOAP_OPERATIONS: Record<string, SoapOperation> = {
  create: (ctx, user, call) =>
    write(
      ctx,
      user,
      call,
      recordsOf(ctx, call).map(({ def, values }) => ({ op: 'create', type: def.name, values })),
    ),
  update: (ctx, user, call) =>
    write(
      ctx,
      user,
      call,
      recordsOf(ctx, call).map(({ def, values }) => {
        const idKey = Object.keys(values).find((k) => k.toLowerCase() === 'id');
        const id = idKey ? String(values[idKey]) : '';
        if (idKey) delete values[idKey];
        return { op: 'update', type: def.name, id, values };
      }),
    ),
  upsert: (ctx, user, call) => {
    const field = String(call.args.externalIDFieldName ?? '');
    return write(
      ctx,
      user,
      call,
      recordsOf(ctx, call).map(({ def, values }) => {
        const key = Object.keys(values).find((k) => k.toLowerCase() === field.toLowerCase());
        const externalId = key ? values[key] : undefined;
        if (key) delete values[key];
        return { op: 'upsert', type: def.name, externalIdField: field, externalId, values };
      }),
      true,
    );
  },
  delete: (ctx, user, call) =>
    write(
      ctx,
      user,
      call,
      asArray<string>(call.args.ids).map((id) => ({ op: 'delete', id: String(id) })),
    ),
  undelete: (ctx, user, call) =>
    write(
      ctx,
      user,
      call,
      asArray<string>(call.args.ids).map((id) => ({ op: 'undelete', id: String(id) })),
    ),
  emptyRecycleBin: (ctx, user, call) => {
    const ops: WriteOp[] = asArray<string>(call.args.ids).map((id) => ({ op: 'hardDelete', id: String(id) }));
    // emptyRecycleBin only purges records already in the bin.
    const results = ops.map((op) => {
      const found = op.op === 'hardDelete' ? ctx.store.getRecord(user, op.id, { includeDeleted: true }) : undefined;
      if (found && !ctx.store.table(found.def.name).isDeleted(found.row)) {
        return {
          id: null,
          success: false,
          errors: [{ statusCode: 'INVALID_ID_FIELD', message: 'Record is not in the recycle bin', fields: [] }],
        } as SaveResult;
      }
      return ctx.store.applyWrites(user, [op])[0];
    });
    return saveResults(results, false);
  },
  merge: (ctx, user, call) => mergeRecords(ctx.store, user, asArray<Record<string, unknown>>(call.args.mergeRequests)),
  convertLead: (ctx, user, call) =>
    convertLeads(ctx.store, user, asArray<Record<string, unknown>>(call.args.leadConverts)),
};
