// Conformance: a persisted org survives stop → start (in this process and in a new emulator
// process) like a real org survives a client restart, and each fresh org is a different org.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jsforce, { type Connection } from 'jsforce';
import { afterAll, describe, expect, it } from 'vitest';
import { wipePersistedOrg, type RunningEmulator } from '../../src/emulator/server';
import { API_VERSION, oauthLogin, rejection, soapLogin, start } from './support';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-emulator-persist-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A connection that reuses an access token issued by an earlier emulator run. */
function withToken(url: string, accessToken: string): Connection {
  return new jsforce.Connection({ instanceUrl: url, accessToken, version: API_VERSION });
}

function counterOf(id: string): string {
  return id.slice(5, 15);
}

async function apiUsed(conn: Connection): Promise<number> {
  const limits = (await conn.request(`/services/data/v${API_VERSION}/limits`)) as {
    DailyApiRequests: { Max: number; Remaining: number };
  };
  return limits.DailyApiRequests.Max - limits.DailyApiRequests.Remaining;
}

describe('a persisted org restarted in the same process', () => {
  it('keeps records, the recycle bin, sessions, API usage, id counters and the Organization Id', async () => {
    const dir = tempDir();
    const em1 = await start({ seed: 'demo', scale: 0.05, persistDir: dir });
    expect(em1.persistence).toMatchObject({ dir, restored: false, seed: { kind: 'demo', scale: 0.05 } });
    const conn = await oauthLogin(em1, 'rep');
    const created = await conn.sobject('Lead').create({ LastName: 'Persisted', Company: 'Durable Inc' });
    const account = (await conn.query<{ Id: string }>('SELECT Id FROM Account ORDER BY Id LIMIT 1')).records[0];
    await conn.sobject('Account').update({ Id: account.Id, Name: 'Renamed Before Restart' });
    const contact = (
      await conn.query<{ Id: string }>('SELECT Id FROM Contact WHERE IsDeleted = false ORDER BY Id LIMIT 1')
    ).records[0];
    await conn.sobject('Contact').destroy(contact.Id);
    // getDeleted covers whole minutes up to now: move the clock on (the offset is org state too).
    em1.context.clock.advance(120_000);
    const usedBefore = await apiUsed(conn);
    const orgId = em1.store.orgId;
    const records = em1.store.allTables().reduce((n, t) => n + t.rows.size, 0);
    await em1.stop();

    const em2 = await start({ seed: 'demo', scale: 0.05, persistDir: dir });
    try {
      expect(em2.persistence).toMatchObject({ restored: true, droppedTornLine: false });
      expect(em2.store.orgId).toBe(orgId);
      expect(em2.store.allTables().reduce((n, t) => n + t.rows.size, 0)).toBe(records);
      const again = withToken(em2.url, conn.accessToken!);
      const lead = await again.sobject('Lead').retrieve(created.id!);
      expect(lead).toMatchObject({ LastName: 'Persisted', Company: 'Durable Inc' });
      const acct = await again.sobject('Account').retrieve(account.Id);
      expect(acct).toMatchObject({ Name: 'Renamed Before Restart' });
      const binned = await again.query<{ Id: string; IsDeleted: boolean }>(
        `SELECT Id, IsDeleted FROM Contact WHERE Id = '${contact.Id}'`,
        { scanAll: true },
      );
      expect(binned.records).toMatchObject([{ Id: contact.Id, IsDeleted: true }]);
      expect(em2.context.clock.offset()).toBe(120_000);
      const now = em2.context.clock.now();
      const deleted = await again.sobject('Contact').deleted(new Date(now - 3_600_000), new Date(now));
      expect(deleted.deletedRecords.map((r) => r.id)).toContain(contact.Id);
      expect(await apiUsed(again)).toBeGreaterThan(usedBefore);
      const next = await again.sobject('Lead').create({ LastName: 'After Restart', Company: 'Durable Inc' });
      expect(counterOf(next.id!) > counterOf(created.id!)).toBe(true);
      const org = await again.query<{ Id: string }>('SELECT Id FROM Organization');
      expect(org.records.map((r) => r.Id)).toEqual([orgId]);
    } finally {
      await em2.stop();
    }
  });

  it('does not replay an allOrNone batch that rolled back', async () => {
    const dir = tempDir();
    const em1 = await start({ persistDir: dir });
    const conn = await soapLogin(em1, 'rep');
    const results = await conn.sobject('Lead').create(
      [
        { LastName: 'RolledBack', Company: 'Atomic Co' },
        { LastName: 'RolledBack', Company: 'Atomic Co', Status: 'Not A Status' },
      ],
      { allOrNone: true },
    );
    expect(results.map((r) => r.success)).toEqual([false, false]);
    const kept = await conn.sobject('Lead').create({ LastName: 'Kept', Company: 'Atomic Co' });
    await em1.stop();
    const journal = readFileSync(join(dir, 'journal.jsonl'), 'utf8');
    expect(journal).not.toContain('RolledBack');

    const em2 = await start({ persistDir: dir });
    try {
      const again = withToken(em2.url, conn.accessToken!);
      const leads = await again.query<{ Id: string; LastName: string }>(
        "SELECT Id, LastName FROM Lead WHERE Company = 'Atomic Co'",
      );
      expect(leads.records.map((r) => r.Id)).toEqual([kept.id]);
    } finally {
      await em2.stop();
    }
  });

  it('drops a torn last journal line with a warning, and names the line of any other corrupt one', async () => {
    const dir = tempDir();
    const em1 = await start({ persistDir: dir });
    const conn = await soapLogin(em1);
    const lead = await conn.sobject('Lead').create({ LastName: 'Before Crash', Company: 'Torn Co' });
    await em1.stop();
    appendFileSync(join(dir, 'journal.jsonl'), '{"seq":999,"rows":[["Lead","00Q5g0000');

    const warnings: string[] = [];
    const em2 = await start({ persistDir: dir, onWarning: (m) => warnings.push(m) });
    expect(em2.persistence?.droppedTornLine).toBe(true);
    expect(warnings.join('\n')).toMatch(/journal\.jsonl: dropped a torn last line/);
    const again = withToken(em2.url, conn.accessToken!);
    expect(await again.sobject('Lead').retrieve(lead.id!)).toMatchObject({ LastName: 'Before Crash' });
    await again.sobject('Lead').update({ Id: lead.id!, LastName: 'After Crash' });
    await em2.stop();

    const em3 = await start({ persistDir: dir });
    const third = withToken(em3.url, conn.accessToken!);
    expect(await third.sobject('Lead').retrieve(lead.id!)).toMatchObject({ LastName: 'After Crash' });
    await em3.stop();

    const file = join(dir, 'journal.jsonl');
    const lines = readFileSync(file, 'utf8').split('\n');
    lines[1] = lines[1].slice(0, 10);
    writeFileSync(file, lines.join('\n'));
    const err = await rejection(() => start({ persistDir: dir }));
    expect(err.message).toMatch(/journal\.jsonl:2: not valid JSON/);

    const snapshot = join(dir, 'snapshot.jsonl');
    const snapshotLines = readFileSync(snapshot, 'utf8').split('\n');
    const rowLine = snapshotLines.findIndex((l) => l.startsWith('['));
    snapshotLines[rowLine] = '{"not":"a row"}';
    writeFileSync(snapshot, snapshotLines.join('\n'));
    const bad = await rejection(() => start({ persistDir: dir }));
    expect(bad.message).toContain(`snapshot.jsonl:${rowLine + 1}: expected a`);
    expect(bad.message).toMatch(/expected a \w+ row \(an array\)/);
  });

  it('keeps everything through a compaction, and skips journal batches the snapshot already holds', async () => {
    const dir = tempDir();
    const journalFile = join(dir, 'journal.jsonl');
    const em1 = await start({ persistDir: dir });
    const conn = await soapLogin(em1, 'rep');
    const before = await conn.sobject('Account').create({ Name: 'Before Compaction' });
    const beforeCompaction = readFileSync(journalFile, 'utf8');
    em1.compactPersistence();
    expect(readFileSync(journalFile, 'utf8').trim().split('\n')).toHaveLength(1);
    const after = await conn.sobject('Account').create({ Name: 'After Compaction' });
    await em1.stop();
    // A crash between writing the new snapshot and emptying the journal leaves the old batches in it.
    const [, ...laterBatches] = readFileSync(journalFile, 'utf8').trim().split('\n');
    writeFileSync(journalFile, `${beforeCompaction}${laterBatches.join('\n')}\n`);

    const em2 = await start({ persistDir: dir });
    try {
      expect(em2.persistence?.replayedBatches).toBe(laterBatches.length);
      const again = withToken(em2.url, conn.accessToken!);
      const names = await again.query<{ Id: string; Name: string }>(
        "SELECT Id, Name FROM Account WHERE Name LIKE '%Compaction' ORDER BY Name",
      );
      expect(names.records.map((r) => [r.Id, r.Name])).toEqual([
        [after.id, 'After Compaction'],
        [before.id, 'Before Compaction'],
      ]);
    } finally {
      await em2.stop();
    }
  });

  it('keeps records a Bulk API 2.0 ingest job wrote after its request returned, and the purged ones in the delete log', async () => {
    const dir = tempDir();
    const em1 = await start({ persistDir: dir });
    const conn = await soapLogin(em1, 'rep');
    const rows = [1, 2, 3].map((i) => ({ LastName: `Bulk ${i}`, Company: 'Bulk Persisted Co' }));
    const results = await conn.bulk2.loadAndWaitForResults({
      object: 'Lead',
      operation: 'insert',
      input: rows,
      pollInterval: 50,
    });
    expect(results.successfulResults).toHaveLength(3);
    const purgedId = String(results.successfulResults[0].sf__Id);
    const purged = await conn.bulk2.loadAndWaitForResults({
      object: 'Lead',
      operation: 'hardDelete',
      input: [{ Id: purgedId }],
      pollInterval: 50,
    });
    expect(purged.successfulResults).toHaveLength(1);
    em1.context.clock.advance(120_000);
    await em1.stop();

    const em2 = await start({ persistDir: dir });
    try {
      const again = withToken(em2.url, conn.accessToken!);
      const leads = await again.query("SELECT Id FROM Lead WHERE Company = 'Bulk Persisted Co'", { scanAll: true });
      expect(leads.totalSize).toBe(2);
      // A purged record is gone from queryAll but getDeleted still reports it (the delete log is kept).
      const now = em2.context.clock.now();
      const deleted = await again.sobject('Lead').deleted(new Date(now - 3_600_000), new Date(now));
      expect(deleted.deletedRecords.map((r) => r.id)).toEqual([purgedId]);
    } finally {
      await em2.stop();
    }
  });

  it('refuses a second emulator on a directory another live process holds, and an orgId that is not the persisted one', async () => {
    const dir = tempDir();
    const em1 = await start({ persistDir: dir });
    const orgId = em1.store.orgId;
    await em1.stop();
    writeFileSync(join(dir, 'lock'), String(process.ppid));
    const locked = await rejection(() => start({ persistDir: dir }));
    expect(locked.message).toContain(`in use by emulator process ${process.ppid}`);
    expect(() => wipePersistedOrg(dir)).toThrow(/in use by emulator process/);
    rmSync(join(dir, 'lock'));
    const other = await rejection(() => start({ persistDir: dir, orgId: '00D5g0000000042' }));
    expect(other.message).toContain(`has Organization Id ${orgId}`);
  });

  it('seeds a fresh org after a wipe, with a new Organization Id', async () => {
    const dir = tempDir();
    const em1 = await start({ persistDir: dir });
    const first = em1.store.orgId;
    await em1.stop();
    wipePersistedOrg(dir);
    const em2 = await start({ persistDir: dir });
    try {
      expect(em2.persistence?.restored).toBe(false);
      expect(em2.store.orgId).not.toBe(first);
    } finally {
      await em2.stop();
    }
  });
});

describe('the Organization object', () => {
  let em: RunningEmulator;
  afterAll(() => em?.stop());

  it('gives each fresh seed its own Organization Id and answers SELECT … FROM Organization with it', async () => {
    em = await start();
    const other = await start();
    const otherId = other.store.orgId;
    await other.stop();
    expect(em.store.orgId).toMatch(/^00D[0-9A-Za-z]{15}$/);
    expect(otherId).not.toBe(em.store.orgId);
    const conn = await soapLogin(em);
    const r = await conn.query<Record<string, unknown>>(
      'SELECT Id, Name, InstanceName, IsSandbox, OrganizationType, NamespacePrefix FROM Organization',
    );
    expect(r.totalSize).toBe(1);
    expect(r.records[0]).toMatchObject({
      Id: conn.userInfo!.organizationId,
      Name: 'Tandem Demo Co',
      IsSandbox: false,
      OrganizationType: 'Enterprise Edition',
      NamespacePrefix: null,
    });
    expect(r.records[0].Id).toBe(em.store.orgId);
    const global = await conn.describeGlobal();
    expect(global.sobjects.find((o) => o.name === 'Organization')).toMatchObject({
      queryable: true,
      createable: false,
    });
    const described = await conn.sobject('Organization').describe();
    expect(described).toMatchObject({
      name: 'Organization',
      createable: false,
      updateable: false,
      deletable: false,
      keyPrefix: '00D',
    });
  });

  it('refuses DML on Organization', async () => {
    const conn = await soapLogin(em);
    const err = await rejection(() => conn.sobject('Organization').update({ Id: em.store.orgId, Name: 'Renamed' }));
    expect(err.errorCode).toBe('INSUFFICIENT_ACCESS_OR_READONLY');
    const created = await conn
      .sobject('Organization')
      .create({ Name: 'Another' })
      .catch((e: Error & { errorCode?: string }) => e);
    expect((created as { errorCode?: string }).errorCode ?? JSON.stringify(created)).toMatch(
      /INSUFFICIENT_ACCESS_OR_READONLY/,
    );
  });

  it('keeps an explicit orgId', async () => {
    const fixed = await start({ orgId: '00D5g0000000042' });
    try {
      expect(fixed.store.orgId).toBe('00D5g0000000042' + 'EAA');
    } finally {
      await fixed.stop();
    }
  });
});

describe('a persisted org restarted as a new emulator process', () => {
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  });

  function cli(dir: string): Promise<{ child: ChildProcess; url: string; output: () => string }> {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/emulator/cli.ts', '--port', '0', '--seed', 'empty', '--persist', dir],
      {
        cwd: join(__dirname, '../..'),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    children.push(child);
    let out = '';
    return new Promise((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /listening on (http:\/\/[^ ]+)/.exec(out);
        if (m) resolve({ child, url: m[1], output: () => out });
      });
      child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
      child.on('exit', (code) => reject(new Error(`emulator exited with ${code}: ${out}`)));
    });
  }

  function stopped(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    return new Promise((resolve) => {
      child.on('exit', (code) => resolve(code));
      child.kill(signal);
    });
  }

  it('continues the org: records, session token, API usage, ids and Organization Id', async () => {
    const dir = tempDir();
    const first = await cli(dir);
    expect(first.output()).toMatch(/freshly seeded/);
    const conn = new jsforce.Connection({ loginUrl: first.url, version: API_VERSION });
    await conn.login('riley.rep@example.com', 'RileyRep1!RepTokenD4e5F6');
    const created = await conn.sobject('Account').create({ Name: 'Across Processes' });
    const used = await apiUsed(conn);
    const orgId = conn.userInfo!.organizationId;
    expect(await stopped(first.child)).toBe(0);

    const second = await cli(dir);
    expect(second.output()).toMatch(/restored, seeded/);
    const again = withToken(second.url, conn.accessToken!);
    expect(await again.sobject('Account').retrieve(created.id!)).toMatchObject({ Name: 'Across Processes' });
    expect(await apiUsed(again)).toBeGreaterThan(used);
    const next = await again.sobject('Account').create({ Name: 'Second Run' });
    expect(counterOf(next.id!) > counterOf(created.id!)).toBe(true);
    const org = await again.query<{ Id: string }>('SELECT Id FROM Organization');
    expect(org.records[0].Id).toBe(orgId);
    // A crash: the update was acknowledged, so it is in the journal although the process never closed it.
    await again.sobject('Account').update({ Id: created.id!, Name: 'Survives SIGKILL' });
    expect(await stopped(second.child, 'SIGKILL')).toBe(null);

    const third = await cli(dir);
    const afterCrash = withToken(third.url, conn.accessToken!);
    expect(await afterCrash.sobject('Account').retrieve(created.id!)).toMatchObject({ Name: 'Survives SIGKILL' });
    expect(await afterCrash.sobject('Account').retrieve(next.id!)).toMatchObject({ Name: 'Second Run' });
    expect(await stopped(third.child)).toBe(0);
  }, 90_000);
});
