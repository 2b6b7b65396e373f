// Builds the org an emulator serves: loaded from its persist directory when one holds an org,
// otherwise freshly seeded (and, with a persist directory, written there as the first snapshot).
// Either way the result is the same set of live objects, so the server does not care which.
import { ApiUsage } from './api-usage';
import type { Clock } from './clock';
import type { ResolvedEmulatorOptions } from './context';
import { QueryCursors } from './http/query-cursors';
import { normalizeId } from './ids';
import { persistUsers, restoreUsers, type OrgParts } from './persist/org-image';
import { hasPersistedOrg, persistNewOrg, readPersistedMeta, restoreOrg, type OrgJournal } from './persist/org-journal';
import { seedDemoData } from './seed/demo';
import { seedUsers, type SeededCredentials } from './seed/org-users';
import type { EmulatorOptions } from './server';
import { SessionRegistry } from './sessions';
import { OrgStore } from './store/org-store';

/** The org's live objects, its credentials, and its journal when persisted. */
export interface OpenedOrg {
  parts: OrgParts;
  credentials: SeededCredentials;
  journal: OrgJournal | null;
}

/** Loads the persisted org of `options.persistDir`, or seeds a fresh one (persisting it when a directory is given). */
export function openOrg(options: EmulatorOptions, resolved: ResolvedEmulatorOptions, clock: Clock): OpenedOrg {
  const persistDir = options.persistDir ?? null;
  const meta = persistDir !== null && hasPersistedOrg(persistDir) ? readPersistedMeta(persistDir) : null;
  if (meta && options.orgId !== undefined && normalizeId(options.orgId) !== meta.orgId) {
    throw new Error(
      `${persistDir}: the persisted org has Organization Id ${meta.orgId}, but orgId ${options.orgId} was asked for`,
    );
  }
  const store = new OrgStore({ clock, pod: meta?.pod, orgId: meta?.orgId ?? options.orgId });
  const parts: OrgParts = {
    store,
    sessions: new SessionRegistry(clock, store.users, resolved.sessionTtlSeconds, store.orgId),
    apiUsage: new ApiUsage(resolved.dailyApiLimit),
    cursors: new QueryCursors(clock, store.pod, resolved.queryLocatorTtlSeconds),
    clock,
  };
  if (meta && persistDir !== null) {
    restoreUsers(store, meta.users, persistDir);
    const journal = restoreOrg(persistDir, parts, meta, options.onWarning ?? ((m) => console.warn(m)));
    // An explicit limit is the operator's choice for this run; otherwise the org keeps its own.
    if (options.dailyApiLimit !== undefined) parts.apiUsage.limit = options.dailyApiLimit;
    return { parts, credentials: { ...meta.credentials, loginUrl: '' }, journal };
  }
  const credentials = seedUsers(store, parts.sessions);
  if (resolved.seed === 'demo') seedDemoData(store, { scale: resolved.scale });
  for (const table of store.allTables()) table.indexModstamps();
  if (persistDir === null) return { parts, credentials, journal: null };
  const { loginUrl: _baseUrlIsPerRun, ...fixed } = credentials;
  const journal = persistNewOrg(persistDir, parts, {
    orgId: store.orgId,
    pod: store.pod,
    seededAt: new Date(clock.now()).toISOString(),
    seed: { kind: resolved.seed, scale: resolved.scale },
    credentials: fixed,
    users: persistUsers(store),
  });
  return { parts, credentials, journal };
}
