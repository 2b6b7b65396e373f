// Bulk API 2.0 query jobs, driven through jsforce 3 against the emulator over HTTP.
import { parse } from 'csv-parse/sync';
import type { Connection } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reliabilityOf } from '../../src/emulator/fault-kit';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server';
import { API_VERSION as VERSION, soapLogin } from './support';

let emulator: RunningEmulator;
let sync: Connection;
let rep: Connection;

/** Result CSV rows as jsforce parses them: every value a string. */
type CsvRows = Record<string, string>[];

async function login(which: 'sync' | 'rep'): Promise<Connection> {
  const conn = await soapLogin(emulator, which);
  conn.bulk2.pollInterval = 50;
  conn.bulk2.pollTimeout = 20_000;
  return conn;
}

interface JobInfo {
  id: string;
  state: string;
  object: string;
  operation: string;
  numberRecordsProcessed?: number;
}

function createJob(conn: Connection, query: string, operation = 'query'): Promise<JobInfo> {
  return conn.request<JobInfo>({
    method: 'POST',
    url: `/services/data/v${VERSION}/jobs/query`,
    body: JSON.stringify({ query, operation }),
    headers: { 'Content-Type': 'application/json' },
  });
}

async function waitForCompletion(conn: Connection, id: string): Promise<JobInfo> {
  const job = conn.bulk2.job('query', { id });
  await job.poll(50, 20_000);
  return job.check() as Promise<JobInfo>;
}

interface Page {
  status: number;
  locator: string | null;
  count: string | null;
  rows: Record<string, string>[];
  text: string;
}

// jsforce's bulk2.query() breaks on multi-page results (ERR_STREAM_WRITE_AFTER_END, jsforce#1546,
// #1693) and jsforce offers no way to read the paging headers, so result pages are fetched raw,
// as Tandem's engine does.
async function fetchPage(
  conn: Connection,
  id: string,
  params: Record<string, string>,
  version = VERSION,
): Promise<Page> {
  const query = new URLSearchParams(params).toString();
  const res = await fetch(
    `${conn.instanceUrl}/services/data/v${version}/jobs/query/${id}/results${query ? `?${query}` : ''}`,
    {
      headers: { Authorization: `Bearer ${conn.accessToken}`, Accept: 'text/csv' },
    },
  );
  const text = await res.text();
  const rows = res.status === 200 ? (parse(text, { columns: true }) as CsvRows) : [];
  return {
    status: res.status,
    locator: res.headers.get('sforce-locator'),
    count: res.headers.get('sforce-numberofrecords'),
    rows,
    text,
  };
}

async function restIds(conn: Connection, soql: string, scanAll = false): Promise<string[]> {
  const result = await conn.query<{ Id: string }>(soql, { autoFetch: true, maxFetch: 100_000, scanAll });
  return result.records.map((r) => r.Id);
}

beforeAll(async () => {
  emulator = await startEmulator({ seed: 'demo', scale: 1, enableAdmin: true });
  sync = await login('sync');
  rep = await login('rep');
});

afterAll(async () => {
  await emulator?.stop();
});

describe('Bulk 2.0 query jobs', () => {
  it('runs a single-page query through jsforce bulk2.query, values as CSV strings in SELECT order', async () => {
    const stream = await sync.bulk2.query(
      'SELECT Id, Name, Owner.Name, IsDeleted, CreatedDate FROM Account ORDER BY Name LIMIT 5',
    );
    const records = (await stream.toArray()) as unknown as CsvRows;
    expect(records).toHaveLength(5);
    expect(Object.keys(records[0])).toEqual(['Id', 'Name', 'Owner.Name', 'IsDeleted', 'CreatedDate']);
    expect(records[0].Id).toMatch(/^001[a-zA-Z0-9]{15}$/);
    expect(records[0].IsDeleted).toBe('false');
    expect(records[0].CreatedDate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
    expect(records[0]['Owner.Name']).not.toBe('');
    const names = records.map((r) => r.Name);
    expect(names).toEqual([...names].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())));
  });

  it('moves from UploadComplete to JobComplete asynchronously and counts the records', async () => {
    const created = await createJob(sync, 'SELECT Id FROM Contact');
    expect(created).toMatchObject({
      state: 'UploadComplete',
      object: 'Contact',
      operation: 'query',
      contentType: 'CSV',
    });
    expect(created.id).toMatch(/^750/);
    const done = await waitForCompletion(sync, created.id);
    expect(done.state).toBe('JobComplete');
    expect(done.numberRecordsProcessed).toBe((await restIds(sync, 'SELECT Id FROM Contact')).length);
  });

  it('pages results by locator and maxRecords, ending with Sforce-Locator "null"', async () => {
    const expected = await restIds(sync, 'SELECT Id FROM Lead');
    const { id } = await createJob(sync, 'SELECT Id, LastName, Email, Owner.Name FROM Lead');
    await waitForCompletion(sync, id);
    const kit = reliabilityOf(emulator.context);
    const pagesBefore = kit.counters.snapshot().bulkResultPages.byJob[id] ?? 0;
    const seen: string[] = [];
    const locators: string[] = [];
    let locator: string | null = '';
    while (locator !== 'null') {
      const page: Page = await fetchPage(sync, id, locator ? { locator, maxRecords: '150' } : { maxRecords: '150' });
      expect(page.status).toBe(200);
      expect(page.text.split('\n')[0]).toBe('"Id","LastName","Email","Owner.Name"');
      expect(Number(page.count)).toBe(page.rows.length);
      seen.push(...page.rows.map((r) => r.Id));
      locator = page.locator;
      expect(locator).not.toBeNull();
      locators.push(locator!);
    }
    expect(seen).toEqual(expected);
    const pages = Math.ceil(expected.length / 150);
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(locators).toHaveLength(pages);
    expect(new Set(locators.slice(0, -1)).size).toBe(pages - 1);
    // The admin counters let sync tests prove they resumed rather than restarted.
    expect(kit.counters.snapshot().bulkResultPages.byJob[id]).toBe(pagesBefore + pages);

    // Re-reading a page from its locator gives the same rows (resume after a crash).
    const again = await fetchPage(sync, id, { locator: locators[0], maxRecords: '150' });
    expect(again.rows.map((r) => r.Id)).toEqual(expected.slice(150, 300));
  });

  it('returns every row on one page without maxRecords when the result is small', async () => {
    const { id } = await createJob(sync, 'SELECT Id FROM Campaign');
    await waitForCompletion(sync, id);
    const page = await fetchPage(sync, id, {});
    expect(page.locator).toBe('null');
    expect(page.rows.map((r) => r.Id)).toEqual(await restIds(sync, 'SELECT Id FROM Campaign'));
  });

  it('writes results in the delimiter and line ending the job was created with', async () => {
    const job = await sync.request<JobInfo>({
      method: 'POST',
      url: `/services/data/v${VERSION}/jobs/query`,
      body: JSON.stringify({
        query: 'SELECT Id, Name FROM Campaign',
        operation: 'query',
        columnDelimiter: 'SEMICOLON',
        lineEnding: 'CRLF',
      }),
      headers: { 'Content-Type': 'application/json' },
    });
    expect(job).toMatchObject({ columnDelimiter: 'SEMICOLON', lineEnding: 'CRLF' });
    await waitForCompletion(sync, job.id);
    const res = await fetch(`${sync.instanceUrl}/services/data/v${VERSION}/jobs/query/${job.id}/results`, {
      headers: { Authorization: `Bearer ${sync.accessToken}` },
    });
    const text = await res.text();
    expect(text.startsWith('"Id";"Name"\r\n"701')).toBe(true);
  });

  it('includes deleted rows with queryAll only', async () => {
    const lead = await rep.sobject('Lead').create({ LastName: 'Binned', Company: 'Recycle Co' });
    expect(lead.success).toBe(true);
    await rep.sobject('Lead').destroy(lead.id!);
    const soql = `SELECT Id, IsDeleted FROM Lead WHERE Company = 'Recycle Co'`;
    const plain = await createJob(sync, soql, 'query');
    const all = await createJob(sync, soql, 'queryAll');
    expect(all.operation).toBe('queryAll');
    await waitForCompletion(sync, plain.id);
    await waitForCompletion(sync, all.id);
    expect((await fetchPage(sync, plain.id, {})).rows).toEqual([]);
    expect((await fetchPage(sync, all.id, {})).rows).toEqual([{ Id: lead.id, IsDeleted: 'true' }]);
  });

  it('applies field-level security and sharing of the job user', async () => {
    await expect(createJob(sync, 'SELECT Id, AnnualRevenue FROM Lead')).rejects.toMatchObject({
      errorCode: 'INVALID_FIELD',
    });
    const syncJob = await createJob(sync, 'SELECT Id FROM Lead');
    const repJob = await createJob(rep, 'SELECT Id, AnnualRevenue FROM Lead');
    const syncDone = await waitForCompletion(sync, syncJob.id);
    const repDone = await waitForCompletion(rep, repJob.id);
    // The executive's private leads are invisible to the sync user, as they are to REST query.
    expect(syncDone.numberRecordsProcessed).toBe((await restIds(sync, 'SELECT Id FROM Lead')).length);
    expect(repDone.numberRecordsProcessed).toBe((await restIds(rep, 'SELECT Id FROM Lead')).length);
    expect(syncDone.numberRecordsProcessed!).toBeLessThan(repDone.numberRecordsProcessed!);
  });

  it('refuses SOQL that Bulk 2.0 cannot run, naming the construct', async () => {
    await expect(createJob(sync, 'SELECT Id, (SELECT Id FROM Contacts) FROM Account')).rejects.toMatchObject({
      errorCode: 'INVALIDJOB',
      message: expect.stringContaining('Aggregate Relationship'),
    });
    await expect(createJob(sync, 'SELECT COUNT(Id) FROM Lead')).rejects.toMatchObject({ errorCode: 'INVALIDJOB' });
    await expect(createJob(sync, 'SELECT Id FROM Lead LIMIT 5 OFFSET 5')).rejects.toMatchObject({
      message: expect.stringContaining('OFFSET'),
    });
    await expect(createJob(sync, 'SELECT Id, BillingAddress FROM Account')).rejects.toMatchObject({
      message: expect.stringContaining('compound'),
    });
    await expect(createJob(sync, 'SELECT Id FROM Nope__c')).rejects.toMatchObject({ errorCode: 'INVALID_TYPE' });
    await expect(createJob(sync, 'SELEC Id FROM Lead')).rejects.toMatchObject({ errorCode: 'MALFORMED_QUERY' });
    await expect(createJob(sync, 'SELECT Id FROM Lead', 'select')).rejects.toMatchObject({
      errorCode: 'INVALIDJOB',
      message: expect.stringContaining("Invalid operation 'select'"),
    });
  });

  it('refuses results before completion, from another API version, and for bad locators', async () => {
    const { id } = await createJob(sync, 'SELECT Id FROM Lead');
    const early = await fetchPage(sync, id, {});
    expect(early.status).toBe(400);
    expect(JSON.parse(early.text)[0].errorCode).toBe('INVALIDJOBSTATE');
    await waitForCompletion(sync, id);
    const otherVersion = await fetchPage(sync, id, {}, '61.0');
    expect(otherVersion.status).toBe(409);
    const badLocator = await fetchPage(sync, id, { locator: 'not-a-locator' });
    expect(badLocator.status).toBe(400);
    expect(JSON.parse(badLocator.text)[0]).toMatchObject({ errorCode: 'INVALID_LOCATOR' });
    const badMax = await fetchPage(sync, id, { maxRecords: '-1' });
    expect(JSON.parse(badMax.text)[0].message).toContain('Invalid maxRecords: -1');
  });

  it('aborts, lists and deletes jobs', async () => {
    const job = await createJob(sync, 'SELECT Id FROM Task');
    const aborted = await sync.request<JobInfo>({
      method: 'PATCH',
      url: `/services/data/v${VERSION}/jobs/query/${job.id}`,
      body: JSON.stringify({ state: 'Aborted' }),
      headers: { 'Content-Type': 'application/json' },
    });
    expect(aborted.state).toBe('Aborted');
    await new Promise((r) => setTimeout(r, 200));
    expect(((await sync.request(`/services/data/v${VERSION}/jobs/query/${job.id}`)) as JobInfo).state).toBe('Aborted');
    await expect(
      sync.request({
        method: 'PATCH',
        url: `/services/data/v${VERSION}/jobs/query/${job.id}`,
        body: JSON.stringify({ state: 'Aborted' }),
        headers: { 'Content-Type': 'application/json' },
      }),
    ).rejects.toMatchObject({ errorCode: 'INVALIDJOBSTATE', message: 'Aborting already Aborted Job not allowed' });

    const list = await sync.request<{ done: boolean; records: JobInfo[] }>(`/services/data/v${VERSION}/jobs/query`);
    expect(list.done).toBe(true);
    expect(list.records.map((r) => r.id)).toContain(job.id);

    await sync.request({ method: 'DELETE', url: `/services/data/v${VERSION}/jobs/query/${job.id}` });
    await expect(sync.request(`/services/data/v${VERSION}/jobs/query/${job.id}`)).rejects.toMatchObject({
      errorCode: 'NOT_FOUND',
    });
  });

  it('requires a session', async () => {
    const res = await fetch(`${emulator.url}/services/data/v${VERSION}/jobs/query`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as Array<{ errorCode: string }>)[0].errorCode).toBe('INVALID_SESSION_ID');
  });
});
