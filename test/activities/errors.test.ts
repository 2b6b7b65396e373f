import { ApplicationFailure } from '@temporalio/activity';
import { describe, expect, it } from 'vitest';
import { classify, REQUEST_LIMIT_RETRY_DELAY, toActivityFailure } from '../../src/activities/errors';
import { SalesforceApiError, SessionRefreshError } from '../../src/salesforce/connection';
import { BulkJobError } from '../../src/salesforce/bulk-query';
import { CsvFormatError } from '../../src/salesforce/bulk-csv';
import { SchemaMappingError } from '../../src/sync/type-mapping';

/** An error shaped like jsforce's HttpApiError. */
function httpApiError(errorCode: string, message = 'x'): Error {
  const error = new Error(message) as Error & { errorCode: string };
  error.name = errorCode;
  error.errorCode = errorCode;
  return error;
}

describe('error classification', () => {
  it('retries 5xx, network, lock, timeout and expired-locator failures', () => {
    for (const code of [
      'SERVER_UNAVAILABLE',
      'UNKNOWN_EXCEPTION',
      'UNABLE_TO_LOCK_ROW',
      'QUERY_TIMEOUT',
      'INVALID_QUERY_LOCATOR',
      'ERROR_HTTP_502',
    ]) {
      expect(classify(httpApiError(code)).kind).toBe('transient');
    }
    expect(classify(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })).kind).toBe('transient');
    expect(
      classify(new TypeError('fetch failed', { cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }) })).kind,
    ).toBe('transient');
    expect(classify(new SalesforceApiError('down', 'SERVER_UNAVAILABLE', 503)).kind).toBe('transient');
    expect(classify(new BulkJobError('job failed', 'Failed')).kind).toBe('transient');
  });

  it('backs off for minutes on REQUEST_LIMIT_EXCEEDED instead of retrying hot', () => {
    const failure = toActivityFailure(httpApiError('REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.'), {
      object: 'Lead',
      call: 'queryAll',
    });
    expect(failure.nonRetryable).toBe(false);
    expect(failure.nextRetryDelay).toBe(REQUEST_LIMIT_RETRY_DELAY);
  });

  it('fails permanently on bad logins, unknown objects and fields, naming the object and the call', () => {
    for (const code of ['INVALID_LOGIN', 'INVALID_TYPE', 'INVALID_FIELD', 'MALFORMED_QUERY', 'invalid_grant']) {
      const failure = toActivityFailure(httpApiError(code, 'nope'), { object: 'Lead', call: 'queryAll' });
      expect(failure).toBeInstanceOf(ApplicationFailure);
      expect(failure.nonRetryable).toBe(true);
      expect(failure.message).toMatch(/^Lead: queryAll failed/);
    }
    expect(
      classify(new Error('INVALID_LOGIN: Invalid username, password, security token; or user locked out.')).kind,
    ).toBe('permanent');
    expect(classify(new SessionRefreshError('again'))).toEqual({ kind: 'transient', type: 'SalesforceSessionError' });
    expect(classify(new SchemaMappingError('x')).kind).toBe('permanent');
  });

  it('redacts secrets from failure messages', () => {
    const failure = toActivityFailure(new Error('login with hunter2secret failed'), {
      object: 'Lead',
      call: 'login',
      secrets: ['hunter2secret'],
    });
    expect(failure.message).not.toContain('hunter2secret');
    expect(failure.message).toContain('[redacted]');
  });

  it("fails at once on Tandem's own programming errors, naming the error", () => {
    let bug: unknown;
    try {
      'x'.repeat(-1);
    } catch (error) {
      bug = error;
    }
    const failure = toActivityFailure(bug, { object: 'Lead', call: 'copyObjectPages' });
    expect(failure.nonRetryable).toBe(true);
    expect(failure.type).toBe('ProgrammingError');
    expect(failure.message).toMatch(/^Lead: copyObjectPages failed: RangeError: Invalid count value.*a bug in Tandem/);
    for (const error of [
      new TypeError("Cannot read properties of undefined (reading 'x')"),
      new ReferenceError('x is not defined'),
    ]) {
      expect(classify(error)).toEqual({ kind: 'permanent', type: 'ProgrammingError' });
    }
  });

  it('keeps a lost connection that undici reports as a TypeError transient', () => {
    expect(classify(new TypeError('fetch failed')).kind).toBe('transient');
    expect(
      classify(
        new TypeError('terminated', {
          cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }),
        }),
      ).kind,
    ).toBe('transient');
  });

  it('retries unknown failures, CSV that does not parse and SyntaxErrors a bounded number of times', () => {
    expect(classify(new Error('something odd')).kind).toBe('unexpected');
    expect(classify(new CsvFormatError('CSV ends inside a quoted value'))).toEqual({
      kind: 'unexpected',
      type: 'CsvFormatError',
    });
    expect(classify(new SyntaxError('Unexpected token < in JSON at position 0')).kind).toBe('unexpected');
    // Outside an activity the attempt is unknown: retryable (the bound itself is tested on Temporal, test/workflows/time-skipping.test.ts).
    expect(
      toActivityFailure(new Error('something odd'), { object: 'Lead', call: 'copyObjectPages' }).nonRetryable,
    ).toBe(false);
  });
});
