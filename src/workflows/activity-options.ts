/**
 * Activity option groups, one per timeout profile. Retries live here so every call of a kind
 * behaves the same; failures that retrying cannot fix are thrown non-retryable by the activities
 * (src/activities/errors.ts classifies them) and are also listed by type below.
 */
import type { ActivityOptions } from '@temporalio/workflow';

/** Failure types no retry can fix: bad credentials, an object or field Salesforce does not know, bad config. */
export const NON_RETRYABLE_ERROR_TYPES = ['SalesforceAuthError', 'SalesforcePermanentError', 'ConfigError'];

/** Reading Tandem's own state in PostgreSQL before a cycle: quick, and cheap to retry. */
export const planningOptions: ActivityOptions = {
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 5 },
};

/**
 * One object's pull or push within a cycle. Bounded attempts so one object that keeps failing is
 * reported and the cycle moves on to the others; the next cycle tries it again. Heartbeats after
 * every page let a dead worker be noticed in two minutes rather than at the hour-long timeout.
 */
export const cycleOptions: ActivityOptions = {
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: '2 minutes',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 5,
    nonRetryableErrorTypes: NON_RETRYABLE_ERROR_TYPES,
  },
};

/**
 * A batch of initial-copy pages. A copy of a big org takes hours or days, so transient failures
 * (Salesforce or PostgreSQL down, a lost connection) retry without an attempt limit — each retry
 * resumes from the last checkpointed page. The backoff stops at 30 seconds: under a high fault rate
 * most attempts fail, and a long interval would idle the copy for minutes after every failure even
 * though the next call would likely succeed (an attempt that copied pages before failing returns them
 * instead, src/activities/copy.ts, so the backoff grows only while nothing is copied). Everything else is bounded
 * by the activity itself (src/activities/errors.ts): a failure retrying cannot fix, Tandem's own
 * programming errors included, fails at once; one no rule knows fails after
 * UNEXPECTED_FAILURE_MAX_ATTEMPTS. The child then reports the copy failed, and the object waits for a
 * resync instead of stalling.
 */
export const copyOptions: ActivityOptions = {
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '2 minutes',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    nonRetryableErrorTypes: NON_RETRYABLE_ERROR_TYPES,
  },
};
