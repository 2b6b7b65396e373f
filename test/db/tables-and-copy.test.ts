import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyDeletes, dedupeById, encodeCopyRow, retireUnseenRows, upsertRows, type TextRow } from '../../src/db/copy';
import { migrate } from '../../src/db/migrations';
import { withTransaction } from '../../src/db/pool';
import { ensureTable, existingColumns } from '../../src/db/tables';
import { columnsFor, SchemaMappingError, type ColumnSpec } from '../../src/sync/type-mapping';
import { useTestDatabase } from '../support/database';

const db = useTestDatabase();

const describeLead = [
  { name: 'Id', type: 'id' },
  { name: 'IsDeleted', type: 'boolean' },
  { name: 'LastName', type: 'string', length: 80 },
  { name: 'AnnualRevenue', type: 'currency', precision: 18, scale: 2 },
  { name: 'SystemModstamp', type: 'datetime' },
];
const leadColumns = columnsFor('Lead', describeLead);
const id = (n: number) => `00Q${String(n).padStart(12, '0')}AAA`;

beforeAll(async () => {
  await migrate(db.current.pool);
});

describe('tables from describe', () => {
  it('creates the table with sfid unique and the mapped types', async () => {
    const changes = await ensureTable(db.current.pool, 'salesforce', 'lead', 'Lead', leadColumns);
    expect(changes.created).toBe(true);
    const columns = await existingColumns(db.current.pool, 'salesforce', 'lead');
    expect(Object.fromEntries(columns)).toMatchObject({
      sfid: 'character varying(18)',
      isdeleted: 'boolean',
      lastname: 'character varying(80)',
      annualrevenue: 'numeric(18,2)',
      systemmodstamp: 'timestamp with time zone',
    });
  });

  it('adds a field that appears later and keeps a column whose field disappeared', async () => {
    const later = columnsFor('Lead', [
      ...describeLead.filter((f) => f.name !== 'AnnualRevenue'),
      { name: 'Lead_Score__c', type: 'double', precision: 3, scale: 0 },
    ]);
    const changes = await ensureTable(db.current.pool, 'salesforce', 'lead', 'Lead', later);
    expect(changes).toEqual({ created: false, addedColumns: ['lead_score__c'], widenedColumns: [] });
    const columns = await existingColumns(db.current.pool, 'salesforce', 'lead');
    expect(columns.has('annualrevenue')).toBe(true);
    expect(columns.get('lead_score__c')).toBe('numeric(3,0)');
  });

  it('widens a longer string field and refuses an impossible type change, naming object and field', async () => {
    const wider = leadColumns.map((c) => (c.column === 'lastname' ? { ...c, sqlType: 'varchar(120)' } : c));
    expect((await ensureTable(db.current.pool, 'salesforce', 'lead', 'Lead', wider)).widenedColumns).toEqual([
      'lastname',
    ]);
    await withTransaction(db.current.pool, (tx) =>
      upsertRows(tx, { schema: 'salesforce', table: 'lead', columns: leadColumns }, [
        [id(999), 'f', 'Smith', '1', null],
      ]),
    );
    const impossible = leadColumns.map((c) =>
      c.column === 'lastname' ? { ...c, sqlType: 'date', kind: 'date' as const } : c,
    );
    const attempt = ensureTable(db.current.pool, 'salesforce', 'lead', 'Lead', impossible);
    await expect(attempt).rejects.toThrow(SchemaMappingError);
    await expect(ensureTable(db.current.pool, 'salesforce', 'lead', 'Lead', impossible)).rejects.toThrow(
      /Lead\.LastName/,
    );
  });
});

describe('COPY into staging, merged with INSERT … ON CONFLICT', () => {
  const target = { schema: 'salesforce', table: 'lead', columns: leadColumns as ColumnSpec[] };

  it('inserts new rows and updates existing ones idempotently', async () => {
    const rows: TextRow[] = [
      [id(1), 'f', 'Ada', '10.50', '2024-01-01T00:00:00.000+00:00'],
      [id(2), 'f', 'Grace', null, '2024-01-01T00:00:00.000+00:00'],
    ];
    expect(await withTransaction(db.current.pool, (tx) => upsertRows(tx, target, rows))).toBe(2);
    expect(await withTransaction(db.current.pool, (tx) => upsertRows(tx, target, rows))).toBe(2);
    await withTransaction(db.current.pool, (tx) =>
      upsertRows(tx, target, [[id(1), 'f', 'Ada Lovelace', '11', '2024-01-02T00:00:00.000+00:00']]),
    );
    const { rows: stored } = await db.current.pool.query(
      `SELECT sfid, lastname, annualrevenue::text FROM salesforce.lead WHERE sfid = ANY($1) ORDER BY sfid`,
      [[id(1), id(2)]],
    );
    expect(stored).toEqual([
      { sfid: id(1), lastname: 'Ada Lovelace', annualrevenue: '11.00' },
      { sfid: id(2), lastname: 'Grace', annualrevenue: null },
    ]);
  });

  it('round-trips any text through COPY unchanged (tabs, newlines, backslashes, quotes, unicode)', async () => {
    let n = 1000;
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: 'grapheme', maxLength: 40 }).filter((s) => !s.includes('\u0000')),
        fc.constantFrom('\\N', '\\', '\t\n\r', '"\'', ''),
        async (text, tricky) => {
          const value = (text + tricky).slice(0, 80);
          const sfid = id(++n);
          await withTransaction(db.current.pool, (tx) =>
            upsertRows(tx, target, [[sfid, 'f', value === '' ? null : value, null, null]]),
          );
          const { rows } = await db.current.pool.query('SELECT lastname FROM salesforce.lead WHERE sfid = $1', [sfid]);
          expect(rows[0].lastname).toBe(value === '' ? null : value);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('encodes null as \\N and escapes separators', () => {
    expect(encodeCopyRow([null, 'a\tb', 'c\\d', 'e\nf'])).toBe('\\N\ta\\tb\tc\\\\d\te\\nf\n');
  });

  it('keeps the last of duplicate ids within a page', () => {
    expect(
      dedupeById([
        [id(1), 'a'],
        [id(2), 'b'],
        [id(1), 'c'],
      ]),
    ).toEqual([
      [id(2), 'b'],
      [id(1), 'c'],
    ]);
  });

  it('soft-deletes by id, or removes with hard delete', async () => {
    const soft = await withTransaction(db.current.pool, (tx) =>
      applyDeletes(tx, 'salesforce', 'lead', [id(2)], 'soft'),
    );
    expect(soft).toBe(1);
    expect(
      await withTransaction(db.current.pool, (tx) => applyDeletes(tx, 'salesforce', 'lead', [id(2)], 'soft')),
    ).toBe(0);
    const { rows } = await db.current.pool.query('SELECT isdeleted, lastname FROM salesforce.lead WHERE sfid = $1', [
      id(2),
    ]);
    expect(rows[0]).toEqual({ isdeleted: true, lastname: 'Grace' });
    expect(
      await withTransaction(db.current.pool, (tx) => applyDeletes(tx, 'salesforce', 'lead', [id(2)], 'hard')),
    ).toBe(1);
    expect((await db.current.pool.query('SELECT 1 FROM salesforce.lead WHERE sfid = $1', [id(2)])).rowCount).toBe(0);
  });

  it('after a re-copy, marks the rows the copy did not see as deleted', async () => {
    await withTransaction(db.current.pool, (tx) =>
      upsertRows(tx, { ...target, copyId: 77 }, [[id(1), 'f', 'Ada', null, null]]),
    );
    const retired = await withTransaction(db.current.pool, (tx) =>
      retireUnseenRows(tx, 'salesforce', 'lead', 77, 'soft'),
    );
    const { rows } = await db.current.pool.query(
      `SELECT count(*) FILTER (WHERE isdeleted)::int AS deleted, count(*) FILTER (WHERE NOT isdeleted)::int AS alive FROM salesforce.lead`,
    );
    expect(rows[0].alive).toBe(1);
    expect(rows[0].deleted).toBe(retired);
    expect(retired).toBeGreaterThan(0);
  });
});
