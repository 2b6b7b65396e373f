// BulkBackend on the real org: queries run through the SOQL engine as the job's user (so
// field-level security and sharing apply), and every ingest row goes through
// OrgStore.applyWrites, the same entry point REST collections use, so validation and error
// wording are identical.
import { SalesforceError } from '../errors';
import { makeId } from '../ids';
import type { FieldDef, ObjectDef } from '../schema';
import type { OrgStore, WriteOp } from '../store/org-store';
import type { OrgUser } from '../users';
import { csvToJsonValue } from '../values';
import type { BulkBackend, IngestRowWrite, IngestTarget, PreparedBulkQuery } from './backend';
import { IngestDataError } from './ingest-csv';
import type { BulkResultSet, IngestOperation } from './jobs';
import type { RowOutcome } from './results-csv';

function refuse(message: string): SalesforceError {
  return new SalesforceError(400, 'INVALIDJOB', message);
}

function userOf(store: OrgStore, userId: string): OrgUser {
  const user = store.users.get(userId);
  if (!user) throw new SalesforceError(401, 'INVALID_SESSION_ID', 'Session expired or invalid');
  return user;
}

function objectFor(store: OrgStore, user: OrgUser, name: string): ObjectDef {
  const def = store.schema.object(name);
  if (!def) throw refuse(`sObject type '${name}' is not supported.`);
  return def;
}

function visibleField(store: OrgStore, user: OrgUser, def: ObjectDef, name: string): FieldDef | undefined {
  const field = def.fieldMap.get(name.toLowerCase());
  return field && store.fieldVisible(user, def, field) ? field : undefined;
}

const OPERATION_ALLOWED: Record<IngestOperation, (def: ObjectDef) => boolean> = {
  insert: (def) => def.createable,
  update: (def) => def.updateable,
  upsert: (def) => def.createable && def.updateable,
  delete: (def) => def.deletable,
  hardDelete: (def) => def.deletable,
};

/** Builds the Bulk backend over `store`; job ids count up from 1 in the org's pod. */
export function storeBulkBackend(store: OrgStore): BulkBackend {
  let jobCounter = 1;
  return {
    newJobId: () => makeId('750', store.pod, jobCounter++),
    now: () => store.clock.now(),

    prepareQuery(soql, userId, apiVersion, includeDeleted): PreparedBulkQuery {
      const user = userOf(store, userId);
      // Bulk 2.0 checks the query when the job is created and fails the request if it cannot
      // run; evaluating it here also fixes the result rows (stored rows are immutable, so
      // holding references is a snapshot), which processing then publishes.
      const result = store.query(user, soql, { includeDeleted, apiVersion: Number(apiVersion) });
      if (result.hasSubqueriesOrAggregates)
        throw refuse('Aggregate queries and child subqueries are not supported in Bulk Query');
      const compound = result.columnDefs.find((c) => c.field.type === 'address');
      if (compound)
        throw refuse(
          `FUNCTIONALITY_NOT_ENABLED: Selecting compound data not supported in Bulk Query: ${compound.name}`,
        );
      const rows = result.rows;
      const resultSet: BulkResultSet = {
        columns: result.columns,
        size: rows.length,
        cells: (from, to) => {
          const out: string[][] = new Array(Math.max(0, to - from));
          for (let i = from; i < to; i++) out[i - from] = result.toCsv(rows[i]);
          return out;
        },
      };
      return { object: result.object.name, run: () => resultSet };
    },

    ingestTarget(object, operation, externalIdFieldName, userId): IngestTarget {
      const user = userOf(store, userId);
      const def = objectFor(store, user, object);
      if (!OPERATION_ALLOWED[operation](def)) throw refuse(`Operation ${operation} is not allowed on ${def.name}`);
      if (operation !== 'upsert' || !externalIdFieldName) return { object: def.name, externalIdFieldName: null };
      const field = visibleField(store, user, def, externalIdFieldName);
      if (!field || !(field.externalId || field.name === 'Id')) {
        throw refuse(
          `InvalidJob : Field name provided, ${externalIdFieldName} is not an External ID or indexed field for ${def.name}`,
        );
      }
      return { object: def.name, externalIdFieldName: field.name };
    },

    resolveHeader(target, operation, header, userId): string[] {
      const user = userOf(store, userId);
      const def = objectFor(store, user, target.object);
      const names = header.map((column) => {
        const field = visibleField(store, user, def, column);
        if (!field) throw new IngestDataError(`InvalidBatch : Field name not found : ${column}`);
        return field.name;
      });
      if ((operation === 'delete' || operation === 'hardDelete') && (names.length !== 1 || names[0] !== 'Id')) {
        throw new IngestDataError(
          `InvalidBatch : ${operation} jobs take exactly one column, Id; found: ${header.join(', ')}`,
        );
      }
      if (operation === 'upsert' && target.externalIdFieldName && !names.includes(target.externalIdFieldName)) {
        throw new IngestDataError(`InvalidBatch : Field name not found : ${target.externalIdFieldName}`);
      }
      return names;
    },

    writeRow(write: IngestRowWrite): RowOutcome {
      const user = userOf(store, write.userId);
      const def = objectFor(store, user, write.object);
      const values: Record<string, unknown> = {};
      for (const [name, cell] of Object.entries(write.cells)) {
        if (name === 'Id' || name === write.externalIdFieldName) continue;
        const value = csvToJsonValue(def.fieldMap.get(name.toLowerCase())!, cell);
        if (value !== undefined) values[name] = value;
      }
      const id = write.cells.Id ?? '';
      let op: WriteOp;
      switch (write.operation) {
        case 'insert':
          op = { op: 'create', type: def.name, values };
          break;
        case 'upsert':
          op = {
            op: 'upsert',
            type: def.name,
            externalIdField: write.externalIdFieldName!,
            externalId: write.cells[write.externalIdFieldName!] ?? '',
            values,
          };
          break;
        case 'update':
        case 'delete':
        case 'hardDelete':
          if (id === '') {
            return {
              kind: 'failure',
              id: '',
              error: {
                statusCode: 'MISSING_ARGUMENT',
                message: `Id not specified in an ${write.operation} call`,
                fields: ['Id'],
              },
            };
          }
          op =
            write.operation === 'update'
              ? { op: 'update', type: def.name, id, values }
              : { op: write.operation, type: def.name, id };
          break;
      }
      const [result] = store.applyWrites(user, [op]);
      if (result.success) {
        return { kind: 'success', id: result.id ?? '', created: op.op === 'create' || result.created === true };
      }
      return { kind: 'failure', id: write.operation === 'insert' ? '' : (result.id ?? id), error: result.errors[0] };
    },
  };
}
