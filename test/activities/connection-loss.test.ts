// The activities on a PostgreSQL connection that dies under them: the copy's backend is killed while
// its COPY streams a Bulk page, the pull's while its page transaction runs. Each call rejects with a
// retryable failure naming the object and the call, the process lives on, and the retry — what
// Temporal would run next — completes from the last committed page or watermark.
import { ApplicationFailure } from '@temporalio/activity';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readCopyCheckpoint } from '../../src/db/state';
import { useTestDatabase } from '../support/database';
import { eventually } from '../support/eventually';
import { copyObject, startTestOrg, testConfig, type TestOrg } from './org';

const db = useTestDatabase();
let org: TestOrg;
const realFetch = globalThis.fetch;
const uncaught: unknown[] = [];
const onUncaught = (error: unknown) => uncaught.push(error);

/** Holds the second half of the next Bulk result page until `release()`: the page's COPY stays open meanwhile. */
const stall = { armed: false, release: () => {} };
function interceptBulkResults(): void {
  globalThis.fetch = async (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    const response = await realFetch(input, init);
    if (!stall.armed || !/\/jobs\/query\/[^/]+\/results/.test(url)) return response;
    stall.armed = false;
    const text = await response.text();
    const cut = text.indexOf('\n', Math.floor(text.length / 2)) + 1;
    const held = new Promise<void>((resolve) => (stall.release = resolve));
    let step = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        step++;
        if (step === 1) controller.enqueue(new TextEncoder().encode(text.slice(0, cut)));
        else if (step === 2) {
          await held;
          controller.enqueue(new TextEncoder().encode(text.slice(cut)));
        } else controller.close();
      },
    });
    return new Response(body, { status: response.status, headers: response.headers });
  };
}

/** The backend of this test database running a statement that matches `pattern`, once there is one. */
async function backendRunning(pattern: RegExp): Promise<number> {
  return eventually(async () => {
    const { rows } = await db.current.pool.query<{ pid: number; query: string }>(
      `SELECT pid, query FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'active'`,
    );
    const match = rows.find((r) => pattern.test(r.query));
    if (!match) throw new Error(`no backend runs ${pattern}`);
    return match.pid;
  });
}

beforeAll(async () => {
  process.on('uncaughtException', onUncaught);
  org = await startTestOrg(db.current.pool, {
    config: testConfig({ bulkQueryThreshold: 50, bulkResultPageSize: 100 }),
  });
  interceptBulkResults();
});
afterEach(() => {
  expect(uncaught.splice(0)).toEqual([]);
});
afterAll(async () => {
  process.off('uncaughtException', onUncaught);
  globalThis.fetch = realFetch;
  await org?.emulator.stop();
});

describe('a PostgreSQL connection lost under an activity', () => {
  it('fails a copy page whose COPY is killed mid-stream as retryable; the retry resumes and completes the copy', async () => {
    await org.activities.startInitialCopy({ object: 'Lead', reason: 'never-copied' });
    await org.activities.copyObjectPages({ object: 'Lead', reason: 'never-copied', maxPages: 1 });
    stall.armed = true;
    const attempt = org.activities.copyObjectPages({ object: 'Lead', reason: 'never-copied', maxPages: 5 });
    const failure = attempt.then(
      () => null,
      (error: unknown) => error,
    );
    const pid = await backendRunning(/^COPY /);
    await db.current.pool.query('SELECT pg_terminate_backend($1)', [pid]);
    stall.release();
    const error = await failure;
    expect(error).toBeInstanceOf(ApplicationFailure);
    expect(error).toMatchObject({
      nonRetryable: false,
      message: expect.stringMatching(/^Lead: Bulk API 2\.0 results of job \S+ failed.*(terminat|EPIPE|ECONNRESET)/),
    });
    // Whichever PostgreSQL noticed first (the server's FATAL or the dead socket), it is a retryable kind.
    expect(['PostgresTransient', 'PostgresConnectionLost', 'NetworkError']).toContain(
      (error as ApplicationFailure).type,
    );
    // Only the first page committed; the killed one rolled back with its checkpoint.
    expect((await readCopyCheckpoint(db.current.pool, 'Lead'))!.pagesCopied).toBe(1);

    const progress = await org.activities.copyObjectPages({ object: 'Lead', reason: 'never-copied', maxPages: 1000 });
    expect(progress.done).toBe(true);
    const { rows } = await db.current.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM salesforce.lead');
    expect(rows[0]!.n).toBe(progress.totalRows);
  });

  it('fails a pull whose page transaction loses its connection as retryable; the retry pulls the change', async () => {
    await copyObject(org.activities, 'Contact', 50);
    const contact = (await org.rep.query<{ Id: string }>('SELECT Id FROM Contact ORDER BY Id LIMIT 1')).records[0]!;
    await org.rep.sobject('Contact').update({ Id: contact.Id, LastName: 'Reconnected' });
    // A slow statement inside the pull's page transaction: the moment to drop its connection.
    await db.current.pool.query(`
      CREATE FUNCTION salesforce.slow_write() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(10); RETURN NULL; END $$;
      CREATE TRIGGER slow_write AFTER INSERT OR UPDATE ON salesforce.contact FOR EACH STATEMENT EXECUTE FUNCTION salesforce.slow_write()`);
    const failure = org.activities.pullChanges({ object: 'Contact' }).then(
      () => null,
      (error: unknown) => error,
    );
    const pid = await backendRunning(/^INSERT INTO "salesforce"\."contact"/);
    await db.current.pool.query('SELECT pg_terminate_backend($1)', [pid]);
    const error = await failure;
    expect(error).toBeInstanceOf(ApplicationFailure);
    expect(error).toMatchObject({
      nonRetryable: false,
      message: expect.stringMatching(/^Contact: queryAll failed.*terminat/),
    });
    await db.current.pool.query('DROP TRIGGER slow_write ON salesforce.contact');

    const result = await org.activities.pullChanges({ object: 'Contact' });
    expect(result.rowsPulled).toBeGreaterThanOrEqual(1);
    const { rows } = await db.current.pool.query<{ lastname: string }>(
      'SELECT lastname FROM salesforce.contact WHERE sfid = $1',
      [contact.Id],
    );
    expect(rows[0]!.lastname).toBe('Reconnected');
  });
});
