// The shared context every route module receives: the org, sessions, limits, clock and
// options. Route modules (REST, SOAP, Bulk, admin, faults) depend on this and nothing else.
import type { Request } from 'express';
import type { ApiUsage } from './api-usage';
import type { Clock } from './clock';
import type { ConnectedApp } from './http/oauth-routes';
import type { QueryCursors } from './http/query-cursors';
import type { OrgStore } from './store/org-store';
import type { OrgUser } from './users';
import type { SessionRegistry } from './sessions';

/** Options the emulator was started with, defaults applied. */
export interface ResolvedEmulatorOptions {
  host: string;
  port: number;
  /** Admin API (`/__emulator/…`) enabled; off unless asked for. */
  enableAdmin: boolean;
  dailyApiLimit: number;
  sessionTtlSeconds: number;
  /** Idle lifetime of REST query locators, in seconds (Salesforce: about 15 minutes). */
  queryLocatorTtlSeconds: number;
  seed: 'demo' | 'empty';
  scale: number;
  tls: { cert: string | Buffer; key: string | Buffer } | null;
}

/** Everything a route module needs. */
export interface EmulatorContext {
  /** The org's data and metadata; all reads and writes go through it. */
  readonly store: OrgStore;
  /** Access tokens and refresh tokens. */
  readonly sessions: SessionRegistry;
  /** The daily API call counter (`Sforce-Limit-Info`, `/limits`, REQUEST_LIMIT_EXCEEDED). */
  readonly apiUsage: ApiUsage;
  /** The clock every timestamp comes from; tests may advance it. */
  readonly clock: Clock;
  /** Start options with defaults applied. */
  readonly options: ResolvedEmulatorOptions;
  /** The connected app (OAuth client id/secret) the token endpoint accepts. */
  readonly connectedApp: ConnectedApp;
  /** Open REST query cursors (queryMore locators). */
  readonly cursors: QueryCursors;
  /**
   * The user of the request's `Authorization: Bearer` session; throws the 401
   * INVALID_SESSION_ID SalesforceError when it is missing, unknown or expired.
   */
  authenticate(req: Request): OrgUser;
  /** The externally visible base URL (e.g. `http://127.0.0.1:8700`), known once listening. */
  baseUrl(): string;
}
