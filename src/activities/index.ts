/**
 * The activity interface the workflows call. Workflows import only the *type* from here
 * (`proxyActivities<SyncActivities>()`); the implementation is built once per worker by
 * `createActivities` with injected clients.
 */
import type { CopyPagesInput, CopyProgress, CopyReason, CyclePlan, PullResult, PushResult } from '../shared';
import { createContext, type ActivityDeps } from './context';
import { copyObjectPages, startInitialCopy } from './copy';
import { planCycle } from './plan';
import { pullChanges } from './pull';
import { pushChanges } from './push';

export type { ActivityDeps, SalesforceSource } from './context';

/** Every activity Tandem's workflows schedule. Each takes one input object, so new fields stay compatible
 * (https://docs.temporal.io/develop/typescript/core-application#activity-parameters). */
export interface SyncActivities {
  /** Reads PostgreSQL state before a cycle: which objects need a full copy, and the API budget. */
  planCycle(input: { objects: string[] }): Promise<CyclePlan>;
  /** Pulls one object's changes since its watermark into PostgreSQL; rows and watermark commit together. */
  pullChanges(input: { object: string; cycle?: number }): Promise<PullResult>;
  /** Pushes one two-way object's pending outbox rows to Salesforce. */
  pushChanges(input: { object: string; cycle?: number }): Promise<PushResult>;
  /** Starts (or restarts) an object's full copy: resets its checkpoint and records the copy's start time. */
  startInitialCopy(input: { object: string; reason: CopyReason }): Promise<void>;
  /** Copies up to `maxPages` pages of an object, checkpointing and heartbeating after every page. */
  copyObjectPages(input: CopyPagesInput): Promise<CopyProgress>;
}

/** The activity functions as registered on the worker (the workflows use the interface above). */
export type Activities = ReturnType<typeof createActivities>;

/**
 * Builds the activities from injected clients, once per worker: `salesforce` (a logged-in
 * SalesforceClient, or a function that logs in on first use), `db` (a pg Pool on a database already
 * migrated with `migrate(pool)` from src/db/migrations) and the validated `config`.
 */
export function createActivities(deps: ActivityDeps): SyncActivities {
  const ctx = createContext(deps);
  return {
    planCycle: (input) => planCycle(ctx, input),
    pullChanges: (input) => pullChanges(ctx, input),
    pushChanges: (input) => pushChanges(ctx, input),
    startInitialCopy: (input) => startInitialCopy(ctx, input),
    copyObjectPages: (input) => copyObjectPages(ctx, input),
  };
}
