// The emulator's reliability kit: the fault engine, the counters and the late-commit plan,
// created once per emulator and shared by the fault middleware (mounted first), the admin API
// (mounted only when enabled), the store's write path and the Bulk routes.
import { randomBytes } from 'node:crypto';
import type { Express } from 'express';
import { EmulatorCounters } from './admin-counters';
import { LateCommitPlan } from './admin-late-commits';
import { adminRouter, type ApiLimitControl } from './admin-routes';
import type { ApiUsage } from './api-usage';
import type { Clock } from './clock';
import type { EmulatorContext } from './context';
import { recordError } from './errors';
import { ADMIN_PATH_PREFIX, faultMiddleware } from './fault-middleware';
import { FaultEngine } from './fault-rules';
import type { SaveResult, WriteOp } from './store/org-store';

/** Options of {@link createReliabilityKit}. */
export interface ReliabilityKitOptions {
  /** Seed of the fault engine's random sequence (default 1), so probabilistic rules repeat. */
  readonly faultSeed?: number;
  /** The admin token; a random one is made when omitted. */
  readonly adminToken?: string;
}

/** Fault injection, counters and late commits of one emulator. */
export interface ReliabilityKit {
  readonly faults: FaultEngine;
  readonly counters: EmulatorCounters;
  readonly lateCommits: LateCommitPlan;
  readonly faultSeed: number;
  /** The secret admin calls must send in `X-Emulator-Admin-Token`. */
  readonly adminToken: string;
}

/** Creates the kit; faults injected are counted by kind in its counters. */
export function createReliabilityKit(options: ReliabilityKitOptions = {}): ReliabilityKit {
  const counters = new EmulatorCounters();
  const faultSeed = options.faultSeed ?? 1;
  return {
    faults: new FaultEngine(faultSeed, (kind) => counters.countFault(kind)),
    counters,
    lateCommits: new LateCommitPlan(),
    faultSeed,
    adminToken: options.adminToken ?? randomBytes(24).toString('base64url'),
  };
}

/** Mounts the fault middleware; call before any other middleware or route. */
export function installFaultMiddleware(app: Express, kit: ReliabilityKit): void {
  app.use(faultMiddleware({ engine: kit.faults, counters: kit.counters }));
}

/** Adapts the core's API usage counter to the admin API's limit control. */
export function apiLimitControl(usage: ApiUsage): ApiLimitControl {
  return {
    usage: () => ({ used: usage.used, limit: usage.limit }),
    set: (limit, used) => {
      usage.limit = limit;
      if (used !== undefined) usage.used = used;
    },
    resetUsage: () => usage.reset(),
  };
}

/** Mounts the admin API at /__emulator; only call when the emulator was started with enableAdmin. */
export function registerAdminRoutes(app: Express, kit: ReliabilityKit, clock: Clock, usage: ApiUsage): void {
  app.use(
    ADMIN_PATH_PREFIX,
    adminRouter({
      token: kit.adminToken,
      faults: kit.faults,
      faultSeed: kit.faultSeed,
      counters: kit.counters,
      lateCommits: kit.lateCommits,
      clock,
      apiLimit: apiLimitControl(usage),
    }),
  );
}

// One kit per emulator, found from its context, so the core's context type need not know it.
const kits = new WeakMap<EmulatorContext, ReliabilityKit>();

/**
 * The reliability kit of the emulator owning `ctx`, created on first use. The admin token of
 * a running emulator is `reliabilityOf(emulator.context).adminToken`.
 */
export function reliabilityOf(ctx: EmulatorContext): ReliabilityKit {
  let kit = kits.get(ctx);
  if (!kit) {
    const created = createReliabilityKit();
    ctx.store.lateCommitStamp = (op, now) =>
      created.lateCommits.stampFor(
        { object: 'type' in op ? op.type : undefined, id: 'id' in op ? op.id : undefined },
        now,
      );
    kits.set(ctx, created);
    kit = created;
  }
  return kit;
}

/**
 * Replaces the writes of a collection request that a lock fault rule hits with UNABLE_TO_LOCK_ROW
 * results, as Salesforce reports a row it could not lock: per record, HTTP 200 for the request.
 * Already-failed entries pass through; allOrNone handling then treats these like any failure.
 */
export function injectLockFaults(
  kit: ReliabilityKit,
  method: string,
  path: string,
  prepared: Array<WriteOp | SaveResult>,
): Array<WriteOp | SaveResult> {
  return prepared.map((entry) => {
    if (!('op' in entry) || !kit.faults.recordFault(method, path)) return entry;
    const id = 'id' in entry ? entry.id : null;
    const message = `unable to obtain exclusive access to this record or 1 records: ${id ?? 'new record'}`;
    return { id, success: false, errors: [recordError('UNABLE_TO_LOCK_ROW', message)] };
  });
}
