/**
 * What every activity needs: the injected clients and config, the synced object list, and small
 * helpers for Temporal's activity context (heartbeats, cancellation) that also work outside it.
 */
import { Context } from '@temporalio/activity';
import type pg from 'pg';
import type { TandemConfig } from '../config';
import type { SalesforceClient } from '../salesforce/connection';
import { guardPool } from '../db/pool';
import { saveApiUsage } from '../db/state';
import { objectDefinition, syncedObjects, type ObjectDefinition } from '../objects';
import type { OrgBinding } from '../sync/org-identity';
import { createOrgGuard } from './org-binding';

/** A ready client, or a function that logs in on first use (so a worker can start before Salesforce answers). */
export type SalesforceSource = SalesforceClient | (() => Promise<SalesforceClient>);

/** The dependencies `createActivities` is built from. */
export interface ActivityDeps {
  salesforce: SalesforceSource;
  /** Pool on the database holding schema `tandem` (migrated) and the data schema. */
  db: pg.Pool;
  config: TandemConfig;
  /** The clock; tests pass a fixed or shifted one. */
  now?: () => Date;
}

/** The resolved context activities run with. */
export interface ActivityContext {
  db: pg.Pool;
  config: TandemConfig;
  objects: ObjectDefinition[];
  now: () => Date;
  /**
   * A client view that counts this activity call's API calls, logged into the org the data schema is
   * bound to (bound now on the first sync); throws OrgMismatchError when the credentials reach another.
   */
  salesforce(): Promise<SalesforceClient>;
  /** Logs in (if needed) and checks the org like `salesforce()`, returning the binding. */
  boundOrg(): Promise<OrgBinding>;
}

/** Builds the shared context; the Salesforce login happens once, on first use, and is retried after a failure. */
export function createContext(deps: ActivityDeps): ActivityContext {
  let client: Promise<SalesforceClient> | undefined;
  const source = deps.salesforce;
  const db = guardPool(deps.db);
  const guard = createOrgGuard(db, deps.config.database.schema);
  const loggedIn = async (): Promise<SalesforceClient> => {
    if (typeof source !== 'function') return source;
    client ??= source().catch((error: unknown) => {
      client = undefined;
      throw error;
    });
    return client;
  };
  return {
    // A connection lost mid-activity must fail that activity (and be retried), not crash the worker.
    db,
    config: deps.config,
    objects: syncedObjects(deps.config.sync.customObjects),
    now: deps.now ?? (() => new Date()),
    async salesforce() {
      const base = await loggedIn();
      // One indexed read per activity: a re-binding (or a fix of the credentials) takes effect at once.
      await guard.verify(base);
      return base.scoped();
    },
    async boundOrg() {
      return guard.verify(await loggedIn());
    },
  };
}

/** The definition of a synced object; throws UnknownObjectError for any other name. */
export function definitionOf(ctx: ActivityContext, object: string): ObjectDefinition {
  return objectDefinition(ctx.objects, object);
}

function inActivity(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined; // called outside an activity (a script or a unit test)
  }
}

/** Heartbeats `details` when running as an activity; a no-op elsewhere. */
export function beat(details?: unknown): void {
  inActivity()?.heartbeat(details);
}

/** The heartbeat details of the previous attempt, when running as a retried activity. */
export function previousHeartbeat<T>(): T | undefined {
  return inActivity()?.info.heartbeatDetails as T | undefined;
}

/** Throws the cancellation reason if Temporal has cancelled this activity (delivered through heartbeats). */
export function throwIfCancelled(): void {
  const signal = inActivity()?.cancellationSignal;
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('Activity cancelled');
}

/** Persists the latest API usage the client saw (best effort: the next call records it again). */
export async function recordApiUsage(ctx: ActivityContext, client: SalesforceClient): Promise<void> {
  const usage = client.apiUsage;
  if (usage) await saveApiUsage(ctx.db, usage, ctx.now());
}
