// The SystemModstamp index behind incremental queries (`WHERE SystemModstamp >= t ORDER BY …, Id`):
// it must return exactly what a full scan returns — before and after the writes that move, delete,
// undelete or backdate rows — since it only saves the emulator from reading every row.
import type { Connection } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../src/emulator/server';
import { soapLogin, start } from './support';

let em: RunningEmulator;
let rep: Connection;

beforeAll(async () => {
  em = await start({ seed: 'demo', scale: 1 });
  rep = await soapLogin(em, 'rep');
});
afterAll(() => em.stop());

const literal = (seconds: number) => new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Ids and stamps through the indexed query shape, and through one the index does not apply to (a full scan). */
async function bothWays(
  object: string,
  since: number,
  all: boolean,
): Promise<{ indexed: string[]; scanned: string[] }> {
  const run = async (where: string) => {
    const soql = `SELECT Id, SystemModstamp, IsDeleted FROM ${object} WHERE ${where} ORDER BY SystemModstamp, Id`;
    const result = await rep.query(soql, { autoFetch: true, maxFetch: 100_000, scanAll: all });
    return result.records.map((r) => `${r.Id} ${r.SystemModstamp} ${r.IsDeleted}`);
  };
  return {
    indexed: await run(`SystemModstamp >= ${literal(since)}`),
    scanned: await run(`SystemModstamp >= ${literal(since)} AND Id != null`),
  };
}

describe('SystemModstamp index', () => {
  it('returns what a full scan returns for any window, before and after rows move, are deleted and restored', async () => {
    const now = em.context.clock.nowSeconds();
    const windows = [0, now - 400 * 86_400, now - 30 * 86_400, now - 3600, now - 1];
    for (const since of windows) {
      const { indexed, scanned } = await bothWays('Lead', since, false);
      expect(indexed).toEqual(scanned);
    }
    const leads = (
      await rep.query<{ Id: string }>('SELECT Id FROM Lead WHERE IsConverted = false ORDER BY Id LIMIT 3')
    ).records.map((r) => r.Id);
    await rep.sobject('Lead').update({ Id: leads[0]!, Title: 'Moved' });
    await rep.sobject('Lead').destroy(leads[1]!);
    await rep.sobject('Lead').destroy(leads[2]!);
    await rep.soap.undelete([leads[2]!]);
    const after = em.context.clock.nowSeconds();
    for (const since of [...windows, after - 5]) {
      for (const all of [false, true]) {
        const { indexed, scanned } = await bothWays('Lead', since, all);
        expect(indexed).toEqual(scanned);
      }
    }
    const recent = await bothWays('Lead', after - 5, true);
    expect(recent.indexed.map((r) => r.split(' ')[0])).toEqual(expect.arrayContaining(leads));
    expect(recent.indexed.find((r) => r.startsWith(leads[1]!))).toMatch(/ true$/);
  });

  it('sees a row stamped in the past by a late commit, as a full scan does', async () => {
    const id = (await rep.query<{ Id: string }>('SELECT Id FROM Contact ORDER BY Id LIMIT 1')).records[0]!.Id;
    await rep.sobject('Contact').update({ Id: id, Title: 'Before' });
    const table = em.store.table('Contact');
    const row = table.rows.get(id)!.slice();
    const backdated = em.context.clock.nowSeconds() - 7200;
    row[table.modstampSlot] = backdated;
    table.put(id, row);
    for (const since of [backdated - 1, backdated + 1, backdated - 3 * 3600]) {
      const { indexed, scanned } = await bothWays('Contact', since, false);
      expect(indexed).toEqual(scanned);
      expect(indexed.some((r) => r.startsWith(id))).toBe(since <= backdated);
    }
  });
});
