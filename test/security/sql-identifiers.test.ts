// Names and type parameters from Salesforce describe reach PostgreSQL DDL and DML only through
// src/db/identifiers.ts (validated, double-quoted) and src/sync/type-mapping.ts (integers only): fields
// named like SQL keywords sync into real tables, and names or numbers crafted to break SQL are refused
// or neutralised before any statement runs — a canary table proves nothing else was touched.
import { describe, expect, it, beforeAll } from 'vitest';
import { InvalidIdentifierError, identifierFor } from '../../src/db/identifiers';
import { upsertRows } from '../../src/db/copy';
import { ensureTable } from '../../src/db/tables';
import { columnsFor, type FieldDescription } from '../../src/sync/type-mapping';
import { useTestDatabase } from '../support/database';

const db = useTestDatabase();

const base: FieldDescription[] = [
  { name: 'Id', type: 'id' },
  { name: 'IsDeleted', type: 'boolean' },
];

async function canaryIntact(): Promise<boolean> {
  const { rows } = await db.current.pool.query(`SELECT count(*)::int AS n FROM public.canary`);
  return rows[0].n === 1;
}

beforeAll(async () => {
  await db.current.pool.query(`CREATE TABLE public.canary (x int); INSERT INTO public.canary VALUES (1)`);
});

describe('SQL identifiers and types from describe', () => {
  it('syncs fields and objects named like SQL keywords into real tables', async () => {
    const fields: FieldDescription[] = [
      ...base,
      { name: 'Select', type: 'string', length: 80 },
      { name: 'From__c', type: 'string', length: 20 },
      { name: 'Order', type: 'double', precision: 10, scale: 2 },
      { name: 'User__c', type: 'reference', referenceTo: ['User'] },
      { name: 'Table', type: 'boolean' },
      { name: 'end__c', type: 'date' },
      { name: 'ns__Group__c', type: 'textarea', length: 32000 },
    ];
    const columns = columnsFor('Order', fields);
    const table = identifierFor('Order');
    expect(table).toBe('order');
    await ensureTable(db.current.pool, 'salesforce', table, 'Order', columns);
    const client = await db.current.pool.connect();
    try {
      await client.query('BEGIN');
      const values: Record<string, string | null> = {
        sfid: '801000000000001AAA',
        isdeleted: 'f',
        select: "x'); DROP TABLE public.canary; --",
        from__c: 'FROM',
        order: '12.5',
        user__c: '005000000000001AAA',
        table: 't',
        end__c: '2026-01-01',
        ns__group__c: 'g',
      };
      await upsertRows(client, { schema: 'salesforce', table, columns }, [
        columns.map((c) => values[c.column] ?? null),
      ]);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
    const { rows } = await db.current.pool.query(
      `SELECT "select", "from__c", "order"::float AS "order", "table", "end__c"::text AS end FROM salesforce."order"`,
    );
    expect(rows).toEqual([
      { select: "x'); DROP TABLE public.canary; --", from__c: 'FROM', order: 12.5, table: true, end: '2026-01-01' },
    ]);
    expect(await canaryIntact()).toBe(true);
  });

  it('refuses names that are not Salesforce API names before any SQL runs', async () => {
    for (const name of [
      'Name"; DROP TABLE public.canary; --',
      'a b',
      'Naïve__c',
      'x'.repeat(64),
      '1abc',
      '',
      'Sfid) ; --',
    ]) {
      expect(() => columnsFor('Lead', [...base, { name, type: 'string', length: 10 }]), name).toThrow(
        InvalidIdentifierError,
      );
      expect(() => identifierFor(name), name).toThrow(InvalidIdentifierError);
    }
    await expect(
      ensureTable(
        db.current.pool,
        'salesforce',
        'lead"; DROP TABLE public.canary; --',
        'Lead',
        columnsFor('Lead', base),
      ),
    ).rejects.toThrow(InvalidIdentifierError);
    await expect(
      ensureTable(db.current.pool, 'public; DROP TABLE canary', 'lead', 'Lead', columnsFor('Lead', base)),
    ).rejects.toThrow(InvalidIdentifierError);
    expect(await canaryIntact()).toBe(true);
  });

  it('turns lengths, precisions and scales that are not integers into plain types instead of DDL', async () => {
    const hostile = '10,0); DROP TABLE public.canary; --' as unknown as number;
    const columns = columnsFor('Hostile__c', [
      ...base,
      { name: 'Amount__c', type: 'currency', precision: hostile, scale: 0 },
      { name: 'Rate__c', type: 'percent', precision: 5, scale: hostile },
      { name: 'Code__c', type: 'string', length: '5) ; DROP TABLE public.canary; --' as unknown as number },
      { name: 'Size__c', type: 'string', length: 1.5 },
    ]);
    const byColumn = Object.fromEntries(columns.map((c) => [c.column, c.sqlType]));
    expect(byColumn).toMatchObject({ amount__c: 'numeric', rate__c: 'numeric', code__c: 'text', size__c: 'text' });
    await ensureTable(db.current.pool, 'salesforce', 'hostile__c', 'Hostile__c', columns);
    const { rows } = await db.current.pool.query(
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'salesforce' AND table_name = 'hostile__c' AND column_name IN ('amount__c', 'code__c') ORDER BY 1`,
    );
    expect(rows).toEqual([
      { column_name: 'amount__c', data_type: 'numeric' },
      { column_name: 'code__c', data_type: 'text' },
    ]);
    expect(await canaryIntact()).toBe(true);
  });

  it('refuses two fields that would share a column (names differing only in case)', () => {
    expect(() =>
      columnsFor('Lead', [...base, { name: 'Score__c', type: 'double' }, { name: 'score__c', type: 'double' }]),
    ).toThrow(/both map to column score__c/);
  });
});
