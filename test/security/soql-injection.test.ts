// SOQL is built only by src/salesforce/soql.ts. Hostile strings — quotes, backslashes, SOQL operators
// and keywords, LIKE wildcards, newlines and other control characters, unicode (RTL marks, zero-width,
// astral) — fed as ids, emails and external ids through every comparison operator never change a
// query's shape: the parsed AST (@jetstreamapp/soql-parser-js) equals the AST of the same query built
// with a harmless value, literal for literal, and each literal reads back as exactly the input. The
// emulator's SOQL engine, run on such queries, matches exactly the records holding that very value.
import { parseQuery } from '@jetstreamapp/soql-parser-js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server';
import { buildSelect, soqlString, type SoqlCondition } from '../../src/salesforce/soql';

/** Strings made of the characters and fragments that break naive SOQL building. */
const hostile = fc.oneof(
  fc.string({
    unit: fc.constantFrom(
      "'",
      '"',
      '\\',
      '%',
      '_',
      '\n',
      '\r',
      '\t',
      '\b',
      '\f',
      '\u0000',
      '(',
      ')',
      ',',
      '=',
      '!',
      '<',
      '>',
      ' ',
      'a',
      'Z',
      '0',
    ),
    maxLength: 40,
  }),
  fc
    .array(
      fc.constantFrom(
        "' OR Name != '",
        "' OR IsDeleted = true OR Id != '",
        "\\' OR Id != null --",
        "') OR (Id != '",
        ' LIMIT 1',
        ' ORDER BY Id',
        '%',
        '_',
        '\\%',
        "\\'",
        '\\\\',
        'ada@example.com',
        '00Q000000000001AAA',
        '\u202e', // right-to-left override
        '\u200b', // zero-width space
        '\u{1F600}',
        'é',
        '\u2028',
        ' AND ',
        ' FROM Contact',
        'SELECT',
      ),
      { maxLength: 6 },
    )
    .map((parts) => parts.join('')),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
);

/** Undoes SOQL string escapes, as Salesforce reads a literal. */
function unescapeSoql(literal: string): string {
  const map: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', '"': '"', "'": "'", '\\': '\\' };
  return literal
    .slice(1, -1)
    .replace(/\\(u[0-9a-fA-F]{4}|.)/gs, (_, c: string) =>
      c.length === 5 ? String.fromCharCode(parseInt(c.slice(1), 16)) : (map[c] ?? `\\${c}`),
    );
}

/** The AST with every string literal replaced by a marker, and the literals in order. */
function shape(soql: string): { ast: unknown; literals: string[] } {
  const literals: string[] = [];
  const strip = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(strip);
    if (!node || typeof node !== 'object') return node;
    const out: Record<string, unknown> = {};
    const record = node as Record<string, unknown>;
    for (const [k, v] of Object.entries(record)) {
      if (k === 'value' && record.literalType === 'STRING' && typeof v === 'string') {
        literals.push(unescapeSoql(v));
        out[k] = '<literal>';
      } else out[k] = strip(v);
    }
    return out;
  };
  return { ast: strip(parseQuery(soql)), literals };
}

/** The conditions the push's natural-key lookup and the pulls build, with these values. */
function conditions(
  values: { id: string; email: string; externalId: string },
  op: SoqlCondition['op'],
): SoqlCondition[] {
  return [
    { field: 'Id', op, value: values.id },
    { field: 'Email', op: '=', value: values.email },
    { field: 'Tandem_Id__c', op, value: values.externalId },
    { field: 'IsDeleted', op: '=', value: false },
    { field: 'SystemModstamp', op: '>=', value: new Date('2026-01-01T00:00:00Z') },
  ];
}

describe('SOQL built from hostile values', () => {
  it('keeps the shape of every query whatever the ids, emails and external ids hold', () => {
    const harmless = { id: '00Q000000000001AAA', email: 'a@b.c', externalId: 'x' };
    fc.assert(
      fc.property(
        hostile,
        hostile,
        hostile,
        fc.constantFrom<SoqlCondition['op']>('=', '!=', '<', '<=', '>', '>='),
        (id, email, externalId, op) => {
          const spec = {
            object: 'Lead',
            fields: ['Id', 'Email', 'Tandem_Id__c'],
            orderBy: ['SystemModstamp', 'Id'],
            limit: 2,
          };
          const expected = shape(buildSelect({ ...spec, where: conditions(harmless, op) }));
          const actual = shape(buildSelect({ ...spec, where: conditions({ id, email, externalId }, op) }));
          expect(actual.ast).toEqual(expected.ast);
          expect(actual.literals).toEqual([id, email, externalId]);
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('keeps quotes, backslashes and newlines inside the literal for the classic payloads', () => {
    for (const payload of ["' OR '1'='1", "\\' OR Id != null", "x'\nOR Name != '", "%' OR Name LIKE '%"]) {
      const soql = buildSelect({
        object: 'Contact',
        fields: ['Id'],
        where: [{ field: 'Email', op: '=', value: payload }],
      });
      const { literals, ast } = shape(soql);
      expect(literals).toEqual([payload]);
      expect((ast as { where: { operator?: string } }).where.operator).toBeUndefined();
      expect(soql).not.toContain('\n');
    }
    expect(soqlString('%_')).toBe("'%_'"); // '=' compares exactly: wildcards only mean something to LIKE, which Tandem never builds
  });
});

describe('hostile values against the emulator SOQL engine', () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ seed: 'empty' });
  });
  afterAll(async () => {
    await emulator?.stop();
  });

  it('matches exactly the records holding the hostile value, never more', () => {
    const store = emulator.store;
    const rep = store.users.get(emulator.credentials.rep.userId)!;
    const [decoy] = store.applyWrites(rep, [
      {
        op: 'create',
        type: 'Lead',
        values: { LastName: 'Decoy', Company: 'D', Email: 'decoy@example.com', Tandem_Id__c: 'decoy-key' },
      },
    ]);
    expect(decoy!.success).toBe(true);
    let n = 0;
    fc.assert(
      fc.property(
        fc.oneof(
          fc.constantFrom(
            "' OR Email != '",
            "x' OR Tandem_Id__c != '",
            "\\' OR Id != null OR Email = '",
            '%',
            '_%',
            "decoy@example.com' OR Email = 'x",
          ),
          // eslint-disable-next-line no-control-regex -- control characters are exactly what is filtered out
          hostile.filter((s) => !/[\u0000-\u001f]/.test(s)),
        ),
        (value) => {
          // The hostile value is itself the record's external id (unique), so exactly one record holds it.
          const key = `${n++}:${value}`.slice(0, 36);
          const [created] = store.applyWrites(rep, [
            { op: 'create', type: 'Lead', values: { LastName: 'Hostile', Company: 'H', Tandem_Id__c: key } },
          ]);
          expect(created!.success).toBe(true);
          const byKey = store.query(
            rep,
            buildSelect({ object: 'Lead', fields: ['Id'], where: [{ field: 'Tandem_Id__c', op: '=', value: key }] }),
          );
          expect(byKey.rows.map((r) => byKey.toFlat(r)[0])).toEqual([created!.id]);
          // The value with the decoy's fields: never the decoy (unless it is literally the decoy's email).
          const byValue = store.query(
            rep,
            buildSelect({ object: 'Lead', fields: ['Id'], where: [{ field: 'Tandem_Id__c', op: '=', value }] }),
          );
          expect(byValue.totalSize).toBe(0);
          const byEmail = store.query(
            rep,
            buildSelect({ object: 'Lead', fields: ['Id'], where: [{ field: 'Email', op: '=', value }] }),
          );
          expect(byEmail.totalSize).toBe(value.toLowerCase() === 'decoy@example.com' ? 1 : 0);
        },
      ),
      { numRuns: 200 },
    );
  });
});
