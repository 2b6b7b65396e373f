/**
 * The activity interface the workflows call. Workflows import only the *type* from here
 * (`proxyActivities<SyncActivities>()`); the implementation is built once per worker by
 * `createActivities` with injected clients.
 */
import type { CopyPagesInput, CopyProgress, CopyReason, CyclePlan, PullResult, PushResult } from '../shared';

/** Every activity Tandem's workflows schedule. Each takes one input object (see STYLE: compatible evolution). */
export interface SyncActivities {
  /** Reads PostgreSQL state before a cycle: which objects need a full copy, and the API budget. */
  planCycle(input: { objects: string[] }): Promise<CyclePlan>;
  /** Pulls one object's changes since its watermark into PostgreSQL; rows and watermark commit together. */
  pullChanges(input: { object: string }): Promise<PullResult>;
  /** Pushes one two-way object's pending outbox rows to Salesforce. */
  pushChanges(input: { object: string }): Promise<PushResult>;
  /** Starts (or restarts) an object's full copy: resets its checkpoint and records the copy's start time. */
  startInitialCopy(input: { object: string; reason: CopyReason }): Promise<void>;
  /** Copies up to `maxPages` pages of an object, checkpointing and heartbeating after every page. */
  copyObjectPages(input: CopyPagesInput): Promise<CopyProgress>;
}
