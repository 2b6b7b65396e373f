// Sessions (access tokens) and OAuth refresh tokens. Sessions expire after a configurable
// idle time; an expired or unknown token is a 401 INVALID_SESSION_ID, which is what makes
// jsforce run its refresh path (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm).
import { randomBytes } from 'node:crypto';
import type { Clock } from './clock';
import { invalidSession } from './errors';
import type { OrgUser, UserDirectory } from './users';

/** An issued session. */
export interface Session {
  token: string;
  user: OrgUser;
  /** Epoch ms after which the session is invalid unless used again first. */
  expiresAt: number;
  /** How it was obtained (for diagnostics). */
  via: 'soap' | 'password' | 'client_credentials' | 'refresh_token';
}

/** Issues and checks access tokens and refresh tokens. */
export class SessionRegistry {
  private readonly sessions = new Map<string, Session>();
  private readonly refreshTokens = new Map<string, OrgUser>();
  /**
   * Bumped whenever a session or refresh token is added or removed, so the persistence journal
   * knows when to record them; idle-timeout extensions do not bump it (a read is no disk write).
   */
  version = 0;

  constructor(
    private readonly clock: Clock,
    private readonly users: UserDirectory,
    /** Idle lifetime of a session, in seconds. */
    public ttlSeconds: number,
    private readonly orgId: string,
  ) {}

  /** Issues a new session for `user`. Tokens look like Salesforce's `00D…!AQ…`. */
  issue(user: OrgUser, via: Session['via']): Session {
    const token = `${this.orgId.slice(0, 15)}!AQ${randomBytes(36).toString('base64url')}`;
    const session: Session = { token, user, expiresAt: this.clock.now() + this.ttlSeconds * 1000, via };
    this.sessions.set(token, session);
    this.version++;
    return session;
  }

  /** Puts back a session issued before a restart (persisted org), under its original token. */
  restore(session: Session): void {
    this.sessions.set(session.token, session);
  }

  /** Sessions still valid now, for persisting. */
  live(): Session[] {
    const now = this.clock.now();
    return [...this.sessions.values()].filter((s) => s.expiresAt > now);
  }

  /** Refresh tokens and the ids of their users, for persisting. */
  refreshTokenEntries(): Array<[string, string]> {
    return [...this.refreshTokens].map(([token, user]) => [token, user.id]);
  }

  /** Registers a long-lived refresh token for `user` (as a connected app's web flow would have issued). */
  addRefreshToken(token: string, user: OrgUser): void {
    this.refreshTokens.set(token, user);
    this.version++;
  }

  /** The user a refresh token belongs to, or undefined. */
  userForRefreshToken(token: string): OrgUser | undefined {
    return this.refreshTokens.get(token);
  }

  /** The live session for `token`, extending its idle timeout; throws the 401 INVALID_SESSION_ID error otherwise. */
  check(token: string | undefined): Session {
    const session = token ? this.sessions.get(token) : undefined;
    const now = this.clock.now();
    if (!session || session.expiresAt <= now) {
      if (session) this.sessions.delete(session.token);
      throw invalidSession();
    }
    session.expiresAt = now + this.ttlSeconds * 1000;
    return session;
  }

  /** Invalidates one session (logout / revoke). */
  revoke(token: string): void {
    if (this.sessions.delete(token)) this.version++;
  }

  /** Invalidates every session (tests use this to force a refresh). */
  expireAll(): void {
    this.sessions.clear();
    this.version++;
  }

  /** The users directory sessions are issued from. */
  get directory(): UserDirectory {
    return this.users;
  }
}

/** Extracts the bearer token from an `Authorization: Bearer …` (or `OAuth …`) header. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^(?:Bearer|OAuth)\s+(.+)$/i.exec(header.trim());
  return m ? m[1] : undefined;
}
