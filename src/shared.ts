/**
 * Names and serialisable types shared by workflows, activities, the worker and clients.
 * Nothing here may import Node built-ins, directly or through what it imports: workflow code imports
 * this module.
 */
import { defineSearchAttributeKey } from '@temporalio/common';
// Pure data (no I/O), so workflow code may import it through this module.
import { STANDARD_OBJECTS, syncedObjects } from './objects';
import type { Direction } from './objects/types';

/** The task queue Tandem's workers poll unless configured otherwise. */
export const DEFAULT_TASK_QUEUE = 'tandem';

/** The workflow id operators use for the (single-org) continuous sync. */
export const DEFAULT_WORKFLOW_ID = 'tandem-sync';

/** The initial-copy child's id: deterministic, so the parent finds it again after continue-as-new. */
export function initialCopyWorkflowId(parentWorkflowId: string): string {
  return `${parentWorkflowId}/initial-copy`;
}

/** Which way an object's data flows (defined with the object definitions, which need it). */
export type { Direction };

/** One synced Salesforce object as the workflow sees it. */
export interface SyncObject {
  /** Salesforce API name, e.g. `Lead` or `Subscription__c`. */
  name: string;
  direction: Direction;
}

/** Why an object needs a full copy rather than an incremental pull. */
export type CopyReason = 'never-copied' | 'resync-requested' | 'watermark-too-old' | 'schema-changed' | 'org-rebound';

/** A Salesforce org as status shows it (see src/sync/org-identity.ts). */
export interface OrgInfo {
  orgId: string;
  name: string | null;
  instanceUrl: string;
}

/** What the pre-cycle check found: objects to copy in full, the API budget, and which org is connected. */
export interface CyclePlan {
  /** The org the data schema is bound to, when the check could log in. */
  org?: OrgInfo & { boundAt: string };
  /**
   * Set when the credentials log into another org than the bound one: the cycle pulls, copies and
   * pushes nothing, and the next plan checks again.
   */
  orgMismatch?: { bound: OrgInfo & { boundAt: string }; connected: OrgInfo; message: string };
  /** Objects whose initial copy must (re)start, each with the reason. */
  needsCopy: { object: string; reason: CopyReason }[];
  /** Daily API usage as last reported by Salesforce (`Sforce-Limit-Info`), when known. */
  apiUsage?: { used: number; limit: number };
  /** True when usage is above the configured share of the daily limit: cycles slow down. */
  throttled?: boolean;
}

/** The outcome of one incremental pull of one object. */
export interface PullResult {
  object: string;
  /** Rows inserted or changed locally (a re-read row with nothing changed is not counted). */
  rowsPulled: number;
  /** Rows marked deleted (or removed, with hard delete). */
  rowsDeleted: number;
  /** Rows the pull read, changed or not (the overlap window re-reads rows already synced). */
  rowsRead?: number;
  /** Rows read again with nothing changed: not rewritten, and not in rowsPulled or rowsDeleted. */
  rowsUnchanged?: number;
  /** Records skipped because a value cannot be stored (tandem.pull_quarantine); retried when they change or on resync. */
  rowsQuarantined?: number;
  /** The watermark committed with the rows, ISO-8601, or null when the object has none yet. */
  watermark: string | null;
  /** Salesforce API calls the pull made. */
  apiCalls: number;
}

/** The outcome of one push of one two-way object's outbox. */
export interface PushResult {
  object: string;
  rowsPushed: number;
  /** Records Salesforce refused permanently this cycle (now in `tandem.sync_error`). */
  rowsFailed: number;
  /** Outbox rows still pending after the push (transient failures, or work left for the next cycle). */
  backlog: number;
  apiCalls: number;
  /** Age in seconds of the oldest change still pending, or null when nothing is pending. */
  oldestPendingSeconds?: number | null;
  /** Same-field conflicts logged (tandem.conflict_log) since the object's previous push. */
  conflicts?: number;
  /** Sync errors still open for the object (tandem.sync_error, unresolved). */
  openErrors?: number;
  /** Marketing-side deletes kept local this push because sync.pushDeletes is off for the object. */
  deletesNotPropagated?: number;
  /** New rows linked to an existing Salesforce record (match by email, duplicate rule, existing member) instead of created. */
  linked?: number;
  /** Rows whose edits went to another record: a converted lead's contact, a merge master, a linked record. */
  redirected?: number;
  /** Set when a call failed as a whole with a transient error: the rest waits for the next cycle. */
  interrupted?: string;
}

/** Progress of one object's full copy, reported by the page-copy activity. */
export interface CopyProgress {
  object: string;
  /** True once every page is in PostgreSQL and the watermark is set. */
  done: boolean;
  rowsCopied: number;
  /** Total rows Salesforce reported for the copy, when known. */
  totalRows: number | null;
  pagesCopied: number;
}

/** Input of the page-copy activity: the object, and a page budget so the child can continue-as-new. */
export interface CopyPagesInput {
  object: string;
  reason: CopyReason;
  /** Stop and return after this many pages (the copy resumes on the next call from its checkpoint). */
  maxPages: number;
}

/**
 * The objects Tandem syncs by default, in dependency order, with their directions — as the object
 * definitions in src/objects state them (people and campaigns both ways, the rest from Salesforce).
 */
export const DEFAULT_SYNC_OBJECTS: readonly SyncObject[] = STANDARD_OBJECTS.map(({ name, direction }) => ({
  name,
  direction,
}));

/** The default objects followed by the configured custom objects (synced from Salesforce). */
export function syncObjectsFor(customObjects: readonly string[] = []): SyncObject[] {
  return syncedObjects(customObjects).map(({ name, direction }) => ({ name, direction }));
}

/**
 * Search attributes on Tandem's workflows, so operators filter them in the Web UI and with
 * `temporal workflow list --query "TandemOrg='acme'"`. They must be registered on the namespace first
 * (`temporal operator search-attribute create --name TandemOrg --type Keyword`; the dev server
 * `npm start` runs registers them itself).
 */
export const TANDEM_ORG = defineSearchAttributeKey('TandemOrg', 'KEYWORD');
/** Coarse phase of the continuous sync: `initial-copy`, `syncing` or `paused`. */
export const TANDEM_PHASE = defineSearchAttributeKey('TandemPhase', 'KEYWORD');
/** The Organization Id of the Salesforce org the sync's schema is bound to (`TandemOrgId='00D…'`). */
export const TANDEM_ORG_ID = defineSearchAttributeKey('TandemOrgId', 'KEYWORD');
