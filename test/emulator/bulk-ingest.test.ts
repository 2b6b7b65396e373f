// Bulk API 2.0 ingest jobs, driven through jsforce 3 (createJob / loadAndWaitForResults) and,
// for dialect options jsforce does not expose, the raw endpoints.
import type { Connection } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

interface LeadRow {
  Id: string;
  LastName: string;
  Company: string;
  Email: string | null;
  Phone: string | null;
  Tandem_Id__c: string | null;
}

async function leadsWhere(where: string): Promise<LeadRow[]> {
  const result = await rep.query<LeadRow>(
    `SELECT Id, LastName, Company, Email, Phone, Tandem_Id__c FROM Lead WHERE ${where} ORDER BY LastName`,
  );
  return result.records.map(({ Id, LastName, Company, Email, Phone, Tandem_Id__c }) => ({
    Id,
    LastName,
    Company,
    Email,
    Phone,
    Tandem_Id__c,
  }));
}

interface JobInfo {
  id: string;
  state: string;
  errorMessage?: string;
  numberRecordsProcessed: number;
  numberRecordsFailed: number;
  contentUrl?: string;
}

async function rawRequest(
  conn: Connection,
  method: string,
  path: string,
  body?: string,
  type = 'application/json',
): Promise<Response> {
  return fetch(`${conn.instanceUrl}/services/data/v${VERSION}/jobs/ingest${path}`, {
    method,
    body,
    headers: { Authorization: `Bearer ${conn.accessToken}`, 'Content-Type': type },
  });
}

async function pollUntilFinal(conn: Connection, id: string): Promise<JobInfo> {
  for (let i = 0; i < 400; i++) {
    const info = await conn.request<JobInfo>(`/services/data/v${VERSION}/jobs/ingest/${id}`);
    if (['JobComplete', 'Failed', 'Aborted'].includes(info.state)) return info;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`job ${id} did not finish`);
}

beforeAll(async () => {
  emulator = await startEmulator({ seed: 'demo', scale: 1 });
  sync = await login('sync');
  rep = await login('rep');
});

afterAll(async () => {
  await emulator?.stop();
});

describe('Bulk 2.0 ingest jobs', () => {
  it('inserts good rows and reports failed ones with Salesforce error text', async () => {
    const results = await sync.bulk2.loadAndWaitForResults({
      object: 'Lead',
      operation: 'insert',
      pollInterval: 50,
      pollTimeout: 20_000,
      input: [
        { LastName: 'Ingest-Alpha', Company: 'Bulk Co', Email: 'alpha@bulk.example' },
        { LastName: 'Ingest-Beta', Company: 'Bulk Co', Email: 'beta@bulk.example' },
        { LastName: '', Company: 'Bulk Co', Email: 'nameless@bulk.example' },
        { LastName: `Ingest-${'x'.repeat(90)}`, Company: 'Bulk Co', Email: 'long@bulk.example' },
        { LastName: 'Ingest-Gamma', Company: 'Bulk Co', Email: 'not-an-email' },
      ],
    });
    const ok = results.successfulResults as unknown as CsvRows;
    const failed = results.failedResults as unknown as CsvRows;
    expect(ok.map((r) => r.LastName).sort()).toEqual(['Ingest-Alpha', 'Ingest-Beta']);
    for (const row of ok) {
      expect(row.sf__Id).toMatch(/^00Q[a-zA-Z0-9]{15}$/);
      expect(row.sf__Created).toBe('true');
    }
    const errors = Object.fromEntries(failed.map((r) => [r.Email, r.sf__Error]));
    expect(errors['nameless@bulk.example']).toBe(
      'REQUIRED_FIELD_MISSING:Required fields are missing: [LastName]:LastName --',
    );
    expect(errors['long@bulk.example']).toMatch(
      /^STRING_TOO_LONG:Last Name: data value too large: .*\(max length=80\):LastName --$/,
    );
    expect(errors['not-an-email']).toMatch(/^INVALID_EMAIL_ADDRESS:/);
    expect(failed.every((r) => r.sf__Id === '')).toBe(true);
    expect(results.unprocessedRecords).toEqual([]);

    const stored = await leadsWhere(`LastName LIKE 'Ingest-%'`);
    expect(stored.map((r) => r.Id).sort()).toEqual(ok.map((r) => r.sf__Id).sort());
  });

  it('reports job progress counters once processing is done', async () => {
    const job = sync.bulk2.createJob({ object: 'Lead', operation: 'insert' });
    const opened = await job.open();
    expect(opened).toMatchObject({
      state: 'Open',
      object: 'Lead',
      operation: 'insert',
      lineEnding: 'LF',
      columnDelimiter: 'COMMA',
    });
    expect(opened.contentUrl).toBe(`services/data/v${VERSION}/jobs/ingest/${opened.id}/batches`);
    await job.uploadData('LastName,Company\nCounter-1,C\nCounter-2,C\n,C\n');
    await job.close();
    await job.poll(50, 20_000);
    const info = (await job.check()) as unknown as JobInfo;
    expect(info).toMatchObject({ state: 'JobComplete', numberRecordsProcessed: 3, numberRecordsFailed: 1 });
  });

  it('treats #N/A as null and an empty cell as "leave unchanged" on update', async () => {
    const created = await rep
      .sobject('Lead')
      .create({ LastName: 'Nully', Company: 'Nulls Inc', Email: 'nully@bulk.example', Phone: '555-0100' });
    const results = await sync.bulk2.loadAndWaitForResults({
      object: 'Lead',
      operation: 'update',
      pollInterval: 50,
      pollTimeout: 20_000,
      // jsforce writes null as #N/A; '' stays an empty cell.
      input: [{ Id: created.id!, Email: null, Phone: '', Company: 'Nulls Renamed' }],
    });
    expect(results.failedResults).toEqual([]);
    expect((results.successfulResults as unknown as CsvRows)[0]).toMatchObject({
      sf__Id: created.id,
      sf__Created: 'false',
      Email: '#N/A',
    });
    const [lead] = await leadsWhere(`Id = '${created.id}'`);
    expect(lead).toMatchObject({ Email: null, Phone: '555-0100', Company: 'Nulls Renamed' });
  });

  it('upserts by external id, creating and updating', async () => {
    await rep.sobject('Lead').create({ LastName: 'Upsert-Old', Company: 'U', Tandem_Id__c: 'tandem-ext-1' });
    const results = await sync.bulk2.loadAndWaitForResults({
      object: 'Lead',
      operation: 'upsert',
      externalIdFieldName: 'Tandem_Id__c',
      pollInterval: 50,
      pollTimeout: 20_000,
      input: [
        { Tandem_Id__c: 'tandem-ext-1', LastName: 'Upsert-Updated', Company: 'U' },
        { Tandem_Id__c: 'tandem-ext-2', LastName: 'Upsert-New', Company: 'U' },
      ],
    });
    const byExt = Object.fromEntries(
      (results.successfulResults as unknown as CsvRows).map((r) => [r.Tandem_Id__c, r.sf__Created]),
    );
    expect(byExt).toEqual({ 'tandem-ext-1': 'false', 'tandem-ext-2': 'true' });
    expect((await leadsWhere(`Tandem_Id__c LIKE 'tandem-ext-%'`)).map((r) => r.LastName)).toEqual([
      'Upsert-New',
      'Upsert-Updated',
    ]);
  });

  it('deletes by Id and fails rows for records that are gone or malformed', async () => {
    const a = await rep.sobject('Lead').create({ LastName: 'Delete-Me', Company: 'D' });
    const results = await sync.bulk2.loadAndWaitForResults({
      object: 'Lead',
      operation: 'delete',
      pollInterval: 50,
      pollTimeout: 20_000,
      input: [{ Id: a.id! }, { Id: 'garbage' }],
    });
    expect((results.successfulResults as unknown as CsvRows).map((r) => r.sf__Id)).toEqual([a.id]);
    expect((results.failedResults as unknown as CsvRows)[0]).toMatchObject({ Id: 'garbage' });
    expect(await leadsWhere(`Id = '${a.id}'`)).toEqual([]);
  });

  it('hard-deletes records so that even queryAll no longer returns them', async () => {
    const doomed = await rep.sobject('Lead').create({ LastName: 'Hard-Delete', Company: 'H' });
    const results = await sync.bulk2.loadAndWaitForResults({
      object: 'Lead',
      operation: 'hardDelete',
      pollInterval: 50,
      pollTimeout: 20_000,
      input: [{ Id: doomed.id! }],
    });
    expect((results.successfulResults as unknown as CsvRows).map((r) => r.sf__Id)).toEqual([doomed.id]);
    const all = await rep.query(`SELECT Id FROM Lead WHERE Id = '${doomed.id}'`, { scanAll: true });
    expect(all.totalSize).toBe(0);
  });

  it('fails the whole job for a header naming an unknown or hidden field', async () => {
    for (const column of ['Nope__c', 'AnnualRevenue']) {
      const job = sync.bulk2.createJob({ object: 'Lead', operation: 'insert' });
      await job.open();
      await job.uploadData(`LastName,Company,${column}\nA,B,1\n`);
      await job.close();
      const info = await pollUntilFinal(sync, job.id!);
      expect(info).toMatchObject({ state: 'Failed', errorMessage: `InvalidBatch : Field name not found : ${column}` });
    }
  });

  it('reads uploads in the job dialect (TAB, CRLF) and rejects mismatched line endings', async () => {
    const create = (lineEnding: string) =>
      rawRequest(
        sync,
        'POST',
        '',
        JSON.stringify({ object: 'Lead', operation: 'insert', columnDelimiter: 'TAB', lineEnding }),
      );
    const job = (await (await create('CRLF')).json()) as JobInfo;
    const put = await rawRequest(
      sync,
      'PUT',
      `/${job.id}/batches`,
      'LastName\tCompany\r\nTabbed\t"Tab, Inc"\r\n',
      'text/csv',
    );
    expect(put.status).toBe(201);
    expect(await put.text()).toBe('');
    await rawRequest(sync, 'PATCH', `/${job.id}`, JSON.stringify({ state: 'UploadComplete' }));
    expect((await pollUntilFinal(sync, job.id)).state).toBe('JobComplete');
    const results = await (await rawRequest(sync, 'GET', `/${job.id}/successfulResults`)).text();
    expect(results.split('\r\n')[0]).toBe('"sf__Id"\t"sf__Created"\t"LastName"\t"Company"');
    expect(await leadsWhere(`LastName = 'Tabbed'`)).toMatchObject([{ Company: 'Tab, Inc' }]);

    const mismatched = (await (await create('LF')).json()) as JobInfo;
    await rawRequest(sync, 'PUT', `/${mismatched.id}/batches`, 'LastName\tCompany\r\nX\tY\r\n', 'text/csv');
    await rawRequest(sync, 'PATCH', `/${mismatched.id}`, JSON.stringify({ state: 'UploadComplete' }));
    expect(await pollUntilFinal(sync, mismatched.id)).toMatchObject({
      state: 'Failed',
      errorMessage: 'ClientInputError : LineEnding is invalid on user data. Current LineEnding setting is LF',
    });
  });

  it('refuses bad job definitions and uploads in the wrong state, naming the problem', async () => {
    const bad = async (body: unknown) =>
      (await (await rawRequest(sync, 'POST', '', JSON.stringify(body))).json()) as Array<{
        errorCode: string;
        message: string;
      }>;
    expect((await bad({ object: 'Lead', operation: 'merge' }))[0].message).toContain("Invalid operation 'merge'");
    expect((await bad({ object: 'Lead', operation: 'upsert' }))[0].message).toContain('externalIdFieldName');
    expect((await bad({ object: 'Lead', operation: 'upsert', externalIdFieldName: 'LastName' }))[0].message).toContain(
      'LastName is not an External ID',
    );
    expect((await bad({ object: 'Nope__c', operation: 'insert' }))[0].message).toContain(
      "sObject type 'Nope__c' is not supported",
    );
    expect((await bad({ object: 'Lead', operation: 'insert', columnDelimiter: 'COLON' }))[0].message).toContain(
      'Invalid columnDelimiter',
    );
    expect((await bad({ object: 'Lead', operation: 'insert', colour: 'red' }))[0].message).toContain(
      "Unrecognized field 'colour'",
    );

    const job = sync.bulk2.createJob({ object: 'Lead', operation: 'insert' });
    await job.open();
    const wrongType = await rawRequest(sync, 'PUT', `/${job.id}/batches`, '{"a":1}', 'application/json');
    expect(wrongType.status).toBe(400);
    await job.abort();
    const late = await rawRequest(sync, 'PUT', `/${job.id}/batches`, 'LastName,Company\nA,B\n', 'text/csv');
    expect(((await late.json()) as Array<{ errorCode: string }>)[0].errorCode).toBe('INVALIDJOBSTATE');
  });

  it('leaves the rows of an aborted job in unprocessedrecords', async () => {
    const job = sync.bulk2.createJob({ object: 'Lead', operation: 'insert' });
    await job.open();
    await job.uploadData('LastName,Company\nNever-1,N\nNever-2,N\n');
    await job.abort();
    const unprocessed = (await job.getUnprocessedRecords()) as unknown as CsvRows;
    expect(unprocessed).toEqual([
      { LastName: 'Never-1', Company: 'N' },
      { LastName: 'Never-2', Company: 'N' },
    ]);
    expect(await leadsWhere(`LastName LIKE 'Never-%'`)).toEqual([]);
    await job.delete();
    await expect(job.check()).rejects.toMatchObject({ errorCode: 'NOT_FOUND' });
  });
});
