// The persisted org's shapes and the pure conversions between them and the live objects: what a
// snapshot header and a journal batch hold, row layouts (rows are stored as arrays, so a file
// names its columns and a newer schema maps them by name), users and sessions by id.
import type { ApiUsage } from '../api-usage';
import type { Clock } from '../clock';
import type { QueryCursors } from '../http/query-cursors';
import type { ObjectDef, Row } from '../schema';
import type { SeededCredentials } from '../seed/org-users';
import type { Session, SessionRegistry } from '../sessions';
import type { OrgStore } from '../store/org-store';
import type { PurgedRecord } from '../store/table';
import { INTEGRATION_PROFILE, STANDARD_PROFILE, type OrgUser, type Profile } from '../users';

/** Format tags and version, checked on load so a stray file is refused by name. */
export const SNAPSHOT_FORMAT = 'tandem-emulator-org-snapshot';
export const JOURNAL_FORMAT = 'tandem-emulator-org-journal';
export const FORMAT_VERSION = 1;

/** The live objects an org's persisted state lives in. */
export interface OrgParts {
  store: OrgStore;
  sessions: SessionRegistry;
  apiUsage: ApiUsage;
  cursors: QueryCursors;
  clock: Clock;
}

/** What is fixed when the org is seeded. */
export interface OrgMeta {
  orgId: string;
  pod: string;
  /** ISO time of the fresh seed. */
  seededAt: string;
  seed: { kind: 'demo' | 'empty'; scale: number };
  credentials: Omit<SeededCredentials, 'loginUrl'>;
  users: PersistedUser[];
}

/** A login user with its profile by name (profiles are code, not data). */
export type PersistedUser = Omit<OrgUser, 'profile'> & { profile: string };

/** A session as persisted: its user by id. */
export interface PersistedSession {
  token: string;
  userId: string;
  expiresAt: number;
  via: Session['via'];
}

/** The org's small mutable state besides rows; a journal batch carries the fields that changed. */
export interface OrgState {
  clockOffsetMs: number;
  apiUsed: number;
  apiLimit: number;
  deleteLogStart: number;
  cursorCounter: number;
  sessions: PersistedSession[];
  refreshTokens: Array<[string, string]>;
}

/** A table's header line in a snapshot; `rows` row lines follow it. */
export interface SnapshotTable {
  table: string;
  fields: string[];
  counter: number;
  purged: PurgedRecord[];
  rows: number;
}

/** One journal line: what one request (or one turn of background work) changed. */
export interface JournalBatch {
  seq: number;
  /** [object, id, row image] — null when the row was removed (hard delete). */
  rows?: Array<[string, string, Row | null]>;
  counters?: Record<string, number>;
  purged?: Record<string, PurgedRecord[]>;
  state?: Partial<OrgState>;
}

const PROFILES: Profile[] = [INTEGRATION_PROFILE, STANDARD_PROFILE];

/** Name of each row slot of `def`, in slot order; the slot after the fields remembers a cascade delete's root. */
export function slotNames(def: ObjectDef): string[] {
  const names = new Array<string>(def.rowLength).fill('');
  for (const f of def.fields) if (f.slot >= 0) names[f.slot] = f.name;
  names[def.deleteRootSlot] = '$deleteRoot';
  return names;
}

/**
 * A function turning rows stored with `fields` into rows of `def`'s current layout, or null when
 * they are the same (the usual case: no copy). Columns the schema no longer has are dropped;
 * new fields take their default.
 */
export function rowMapper(def: ObjectDef, fields: string[]): ((row: Row) => Row) | null {
  const current = slotNames(def);
  if (current.length === fields.length && current.every((name, i) => name === fields[i])) return null;
  const from = new Map(fields.map((name, i) => [name.toLowerCase(), i]));
  const sources = current.map((name) => from.get(name.toLowerCase()) ?? -1);
  const defaults: Row = current.map((name) => def.fieldMap.get(name.toLowerCase())?.defaultValue ?? null);
  return (row) => sources.map((src, i) => (src >= 0 ? (row[src] ?? null) : defaults[i]));
}

/** The users of `store` for persisting. */
export function persistUsers(store: OrgStore): PersistedUser[] {
  return store.users.all().map((u) => ({ ...u, profile: u.profile.name }));
}

/** Registers persisted users in `store`; throws when a profile is unknown to this emulator. */
export function restoreUsers(store: OrgStore, users: PersistedUser[], where: string): void {
  for (const u of users) {
    const profile = PROFILES.find((p) => p.name === u.profile);
    if (!profile) throw new Error(`${where}: user ${u.username} has unknown profile ${JSON.stringify(u.profile)}`);
    store.users.add({ ...u, profile });
  }
}

/** The current mutable state. */
export function captureState(parts: OrgParts): OrgState {
  return {
    clockOffsetMs: parts.clock.offset(),
    apiUsed: parts.apiUsage.used,
    apiLimit: parts.apiUsage.limit,
    deleteLogStart: parts.store.deleteLogStart,
    cursorCounter: parts.cursors.counter,
    sessions: parts.sessions
      .live()
      .map((s) => ({ token: s.token, userId: s.user.id, expiresAt: s.expiresAt, via: s.via })),
    refreshTokens: parts.sessions.refreshTokenEntries(),
  };
}

/** Applies (part of) a persisted state; sessions and refresh tokens of unknown users are an error. */
export function applyState(parts: OrgParts, state: Partial<OrgState>, where: string): void {
  if (state.clockOffsetMs !== undefined) parts.clock.setOffset(state.clockOffsetMs);
  if (state.apiUsed !== undefined) parts.apiUsage.used = state.apiUsed;
  if (state.apiLimit !== undefined) parts.apiUsage.limit = state.apiLimit;
  if (state.deleteLogStart !== undefined) parts.store.deleteLogStart = state.deleteLogStart;
  if (state.cursorCounter !== undefined) parts.cursors.counter = state.cursorCounter;
  const user = (id: string) => {
    const found = parts.store.users.get(id);
    if (!found) throw new Error(`${where}: session of unknown user ${id}`);
    return found;
  };
  if (state.sessions) {
    parts.sessions.expireAll();
    for (const s of state.sessions)
      parts.sessions.restore({ token: s.token, user: user(s.userId), expiresAt: s.expiresAt, via: s.via });
  }
  if (state.refreshTokens)
    for (const [token, userId] of state.refreshTokens) parts.sessions.addRefreshToken(token, user(userId));
}
