import { ApplicationFailure } from '@temporalio/activity';
import { describe, expect, it } from 'vitest';
import { classify, REQUEST_LIMIT_RETRY_DELAY, toActivityFailure } from '../../src/activities/errors';
import { SalesforceApiError, SessionRefreshError } from '../../src/salesforce/connection';
import { BulkJobError } from '../../src/salesforce/bulk-query';
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
    for (const code of ['SERVER_UNAVAILABLE', 'UNKNOWN_EXCEPTION', 'UNABLE_TO_LOCK_ROW', 'QUERY_TIMEOUT', 'INVALID_QUERY_LOCATOR', 'ERROR_HTTP_502']) {
      expect(classify(httpApiError(code)).kind).toBe('transient');
    }
    expect(classify(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })).kind).toBe('transient');
    expect(classify(new TypeError('fetch failed', { cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }) })).kind).toBe('transient');
    expect(classify(new SalesforceApiError('down', 'SERVER_UNAVAILABLE', 503)).kind).toBe('transient');
    expect(classify(new BulkJobError('job failed', 'Failed')).kind).toBe('transient');
  });

  it('backs off for minutes on REQUEST_LIMIT_EXCEEDED instead of retrying hot', () => {
    const failure = toActivityFailure(httpApiError('REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.'), { object: 'Lead', call: 'queryAll' });
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
    expect(classify(new Error('INVALID_LOGIN: Invalid username, password, security token; or user locked out.')).kind).toBe('permanent');
    expect(classify(new SessionRefreshError('again')).kind).toBe('permanent');
    expect(classify(new SchemaMappingError('x')).kind).toBe('permanent');
  });

  it('redacts secrets from failure messages', () => {
    const failure = toActivityFailure(new Error('login with hunter2secret failed'), { object: 'Lead', call: 'login', secrets: ['hunter2secret'] });
    expect(failure.message).not.toContain('hunter2secret');
    expect(failure.message).toContain('[redacted]');
  });

  it('retries unknown failures rather than giving up on them', () => {
    expect(classify(new Error('something odd')).kind).toBe('transient');
  });
});
