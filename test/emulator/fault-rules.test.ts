import { describe, expect, it } from 'vitest';
import { EmulatorCounters, normaliseEndpoint } from '../../src/emulator/admin-counters';
import { FaultEngine, compilePathPattern, type FaultKind } from '../../src/emulator/fault-rules';

describe('fault rule engine', () => {
  it('matches path globs anchored at both ends', () => {
    const pattern = compilePathPattern('/services/data/*/query*');
    expect(pattern.test('/services/data/v62.0/query')).toBe(true);
    expect(pattern.test('/services/data/v62.0/query/01gxx-2000')).toBe(true);
    expect(pattern.test('/services/data/v62.0/queryAll')).toBe(true);
    expect(pattern.test('/services/data/v62.0/sobjects/Lead')).toBe(false);
    expect(compilePathPattern('/a.b').test('/aXb')).toBe(false);
  });

  it('fires count-limited rules exactly count times, after skip, on the right method', () => {
    const engine = new FaultEngine();
    engine.add({ kind: 'server-unavailable', path: '/services/data/*/query', method: 'get', count: 2, skip: 1 });
    const hits = [0, 1, 2, 3, 4].map(() => engine.decideRequest('GET', '/services/data/v62.0/query')?.kind);
    expect(hits).toEqual([undefined, 'server-unavailable', 'server-unavailable', undefined, undefined]);
    expect(engine.decideRequest('POST', '/services/data/v62.0/query')).toBeUndefined();
    expect(engine.list()[0]).toMatchObject({ fired: 2, matched: 3 });
  });

  it('gives the same probabilistic hits for the same seed and different ones for another', () => {
    const run = (seed: number): boolean[] => {
      const engine = new FaultEngine(seed);
      engine.add({ kind: 'internal-error', probability: 0.3 });
      return Array.from({ length: 200 }, () => engine.decideRequest('GET', '/x') !== undefined);
    };
    const a = run(42);
    expect(run(42)).toEqual(a);
    expect(run(43)).not.toEqual(a);
    const rate = a.filter(Boolean).length / a.length;
    expect(rate).toBeGreaterThan(0.15);
    expect(rate).toBeLessThan(0.45);
  });

  it('applies lock rules per record on collection and ingest paths, per request elsewhere', () => {
    const engine = new FaultEngine();
    engine.add({ kind: 'unable-to-lock-row', path: '*', count: 3 });
    expect(engine.decideRequest('POST', '/services/data/v62.0/composite/sobjects')).toBeUndefined();
    expect(engine.decideRequest('PUT', '/services/data/v62.0/jobs/ingest/7505g0000001AbCAAU/batches')).toBeUndefined();
    expect(engine.recordFault('POST', '/services/data/v62.0/composite/sobjects')).toBe(true);
    expect(engine.recordFault('POST', '/services/data/v62.0/composite/sobjects')).toBe(true);
    expect(engine.decideRequest('PATCH', '/services/data/v62.0/sobjects/Lead/00Q5g000000001AAAA')?.kind).toBe(
      'unable-to-lock-row',
    );
    expect(engine.recordFault('POST', '/services/data/v62.0/composite/sobjects')).toBe(false);
  });

  it('refuses invalid rule specifications, naming the field', () => {
    const engine = new FaultEngine();
    expect(() => engine.add({ kind: 'explode' as FaultKind })).toThrow(/kind/);
    expect(() => engine.add({ kind: 'slow', probability: 2 })).toThrow(/probability/);
    expect(() => engine.add({ kind: 'slow', method: 'FETCH' })).toThrow(/method/);
    expect(() => engine.add({ kind: 'slow', colour: 'red' } as never)).toThrow(/colour/);
  });

  it('reports each injected fault to its listener and can be cleared', () => {
    const counters = new EmulatorCounters();
    const engine = new FaultEngine(1, (kind) => counters.countFault(kind));
    engine.add({ kind: 'drop-connection', count: 1 });
    engine.add({ kind: 'slow', delayMs: 10, count: 1 });
    expect(engine.decideRequest('GET', '/a')?.kind).toBe('drop-connection');
    expect(engine.decideRequest('GET', '/a')).toMatchObject({ kind: 'slow', delayMs: 10 });
    expect(counters.snapshot().faultsByKind).toEqual({ 'drop-connection': 1, slow: 1 });
    engine.clear();
    expect(engine.list()).toEqual([]);
  });
});

describe('endpoint normalisation for call counters', () => {
  it('groups versions, ids and locators', () => {
    expect(normaliseEndpoint('get', '/services/data/v62.0/sobjects/Lead/00Q5g000000001AAAA')).toBe(
      'GET /services/data/vXX.X/sobjects/Lead/{id}',
    );
    expect(normaliseEndpoint('GET', '/services/data/v58.0/query/01gD0000002HU6KIAW-2000')).toBe(
      'GET /services/data/vXX.X/query/{locator}',
    );
    expect(normaliseEndpoint('GET', '/services/data/v62.0/jobs/query/7505g0000001AbCAAU/results')).toBe(
      'GET /services/data/vXX.X/jobs/query/{id}/results',
    );
    expect(normaliseEndpoint('POST', '/services/Soap/u/62.0/00D5g0000000001EAA')).toBe(
      'POST /services/Soap/u/XX.X/{id}',
    );
    expect(normaliseEndpoint('GET', '/services/data/v62.0/sobjects/Subscription__c')).toBe(
      'GET /services/data/vXX.X/sobjects/Subscription__c',
    );
  });
});
