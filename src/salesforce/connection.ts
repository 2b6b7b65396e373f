/**
 * The Salesforce connection: jsforce 3 with an explicit API version, one of three logins, a guarded
 * session refresh, API-call counting and `Sforce-Limit-Info` tracking. Every Salesforce request Tandem
 * makes goes through `SalesforceClient.request` (JSON) or `SalesforceClient.fetchRaw` (streamed bodies).
 */
import { Connection } from 'jsforce';
import type { SalesforceCredentials } from './credentials';
import { secretValues } from './credentials';
import { parseLimitInfo, type ApiUsage } from './limits';
import { parseExactJson } from '../sync/exact-json';

/** Thrown when the session expires again right after a refresh: jsforce would otherwise refresh forever. */
export class SessionRefreshError extends Error {
  override readonly name = 'SessionRefreshError';
}

/** Thrown by `fetchRaw` for a non-2xx reply; carries Salesforce's errorCode and the HTTP status. */
export class SalesforceApiError extends Error {
  override readonly name = 'SalesforceApiError';
  constructor(
    message: string,
    readonly errorCode: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** True for Salesforce's "session expired or invalid" answer (HTTP 401 INVALID_SESSION_ID), however jsforce wrapped it. */
function isSessionError(error: unknown): boolean {
  const e = error as { errorCode?: unknown; name?: unknown; message?: unknown } | null;
  return (
    e?.errorCode === 'INVALID_SESSION_ID' ||
    e?.name === 'INVALID_SESSION_ID' ||
    (typeof e?.message === 'string' && e.message.includes('INVALID_SESSION_ID'))
  );
}

/**
 * With the body read as text, jsforce reports an error answer as `ERROR_HTTP_<status>` with the raw body
 * as its message; this restores Salesforce's errorCode and message from the JSON body, as jsforce
 * does when it parses the body itself (one error: its code; several: MULTIPLE_API_ERRORS).
 */
function restoreErrorBody(error: unknown): void {
  const e = error as { errorCode?: unknown; name?: unknown; message?: unknown; data?: unknown } | null;
  if (!e || typeof e.errorCode !== 'string' || !/^ERROR_HTTP_\d+$/.test(e.errorCode) || typeof e.message !== 'string')
    return;
  let parsed: unknown;
  try {
    parsed = parseExactJson(e.message);
  } catch {
    return; // not JSON (an HTML error page): keep the HTTP status as the code
  }
  const list = Array.isArray(parsed) ? (parsed as unknown[]) : [parsed];
  if (list.length > 1) {
    e.name = e.errorCode = 'MULTIPLE_API_ERRORS';
    e.message = 'Multiple errors returned.\n  Check `error.data` for the error details';
    e.data = list;
    return;
  }
  const first = list[0] as { errorCode?: unknown; message?: unknown } | null;
  if (!first || typeof first.message !== 'string') return;
  if (typeof first.errorCode === 'string') e.name = e.errorCode = first.errorCode;
  e.message = first.message;
  e.data = first;
}

/** Options of `SalesforceClient.connect`. */
export interface SalesforceClientOptions {
  credentials: SalesforceCredentials;
  /** API version without the `v`, e.g. `62.0`. jsforce would default to 50.0 (its `defaultConnectionConfig`, jsforce/src/connection.ts). */
  apiVersion: string;
  /**
   * How often jsforce itself retries a GET on 5xx/network errors before failing the call. jsforce's
   * default of 5 blocks ~15 s; Tandem keeps it short because the activity retry resumes from PostgreSQL.
   */
  transportRetries?: number;
  /** Called for every API call this client (or any scoped view) sends: the worker's metrics count them here. */
  onApiCall?: () => void;
}

/** A request through jsforce; `url` is relative to `/services/data/vXX.X` or absolute. */
export interface SalesforceRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  url: string;
  body?: string;
  headers?: Record<string, string>;
}

type RefreshCallback = (err: Error | null, accessToken?: string, res?: never) => void;

/** Who a session belongs to, from the login's identity URL (`/id/<orgId>/<userId>`): no API call. */
export interface SessionIdentity {
  orgId: string;
  userId: string;
  instanceUrl: string;
}

/** Run after every login (the first and each session refresh); throwing fails the login and the call that needed it. */
export type LoginCheck = (identity: SessionIdentity) => Promise<void>;

/** An authenticated Salesforce API client; one per worker, shared by all activities. */
export class SalesforceClient {
  // Shared by every scoped view of this client (see `scoped`): one session, one refresh guard.
  private readonly shared: {
    refreshesSinceSuccess: number;
    refreshLoop: boolean;
    usage: ApiUsage | undefined;
    loginCheck: LoginCheck | undefined;
    /** The login check's error from the latest refresh: jsforce rewraps it as a plain Error, `redactError` restores it. */
    loginRefusal: Error | undefined;
  } = {
    refreshesSinceSuccess: 0,
    refreshLoop: false,
    usage: undefined,
    loginCheck: undefined,
    loginRefusal: undefined,
  };
  // The counters this view increments: the client's own, plus one per enclosing scope.
  private counters: { calls: number }[] = [{ calls: 0 }];
  private readonly secrets: string[];

  private constructor(
    /** The jsforce connection (for calls Tandem does not wrap). */
    readonly conn: Connection,
    private readonly options: SalesforceClientOptions,
  ) {
    this.secrets = secretValues(options.credentials);
  }

  /** Logs in with the given credentials and returns a client; login errors are redacted. */
  static async connect(options: SalesforceClientOptions): Promise<SalesforceClient> {
    const { credentials } = options;
    // The refresh function must exist before the connection, and the client after it: a holder joins them.
    const holder: { client?: SalesforceClient } = {};
    const refreshFn = (conn: Connection, callback: RefreshCallback): void => {
      holder.client!.refreshSession(conn).then(
        (token) => callback(null, token),
        (error: Error) => callback(error),
      );
    };
    const conn = new Connection({
      loginUrl: credentials.loginUrl,
      version: options.apiVersion,
      oauth2:
        'clientId' in credentials
          ? { loginUrl: credentials.loginUrl, clientId: credentials.clientId, clientSecret: credentials.clientSecret }
          : undefined,
      // Always our own refresh: jsforce's default needs a refresh token, which the client-credentials
      // flow never returns (https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_client_credentials_flow.htm:
      // no refresh token is issued), and it has no cap on repeated 401s.
      refreshFn: refreshFn as never,
    });
    const client = new SalesforceClient(conn, options);
    holder.client = client;
    try {
      await client.login(conn);
    } catch (error) {
      throw client.redactError(error);
    }
    return client;
  }

  /** Salesforce API calls made through this client (or this scoped view) so far. */
  get apiCalls(): number {
    return this.counters[this.counters.length - 1]!.calls;
  }

  /** A view of this client sharing its session but counting its own API calls (one per activity call). */
  scoped(): SalesforceClient {
    const view = Object.create(this) as SalesforceClient;
    view.counters = [...this.counters, { calls: 0 }];
    return view;
  }

  private count(): void {
    for (const counter of this.counters) counter.calls++;
    this.options.onApiCall?.();
  }

  /** The API version requests use (`62.0`). */
  get apiVersion(): string {
    return this.options.apiVersion;
  }

  /** Daily API usage from the latest `Sforce-Limit-Info` header, when one was seen. */
  get apiUsage(): ApiUsage | undefined {
    return this.shared.usage;
  }

  /** The org, user and instance of the current session. */
  get identity(): SessionIdentity {
    const info = this.conn.userInfo;
    if (!info?.organizationId) throw new Error('Salesforce login returned no organization id');
    return { orgId: info.organizationId, userId: info.id, instanceUrl: this.conn.instanceUrl };
  }

  /**
   * Sets the check every later login (a session refresh) must pass before its session is used, so a
   * refresh that lands in another org (a re-seeded or refreshed org behind the same login URL) cannot
   * send one more request there. Shared by every scoped view.
   */
  setLoginCheck(check: LoginCheck): void {
    this.shared.loginCheck = check;
  }

  /**
   * Logs in again now, with the login check. For a session whose identity may be stale: one refused
   * by the check leaves the other org's identity behind until the next login.
   */
  async relogin(): Promise<void> {
    try {
      await this.login(this.conn);
    } catch (error) {
      this.shared.loginRefusal = undefined; // thrown here directly, not through jsforce
      throw this.redactError(error);
    }
  }

  private async login(conn: Connection): Promise<string> {
    const { credentials } = this.options;
    switch (credentials.flow) {
      case 'client-credentials':
        await conn.authorize({ grant_type: 'client_credentials' });
        break;
      case 'oauth-password':
        await conn.loginByOAuth2(credentials.username, credentials.password);
        break;
      case 'soap':
        await conn.loginBySoap(credentials.username, credentials.password);
        break;
    }
    if (!conn.accessToken) throw new Error('Salesforce login returned no session');
    const token = conn.accessToken;
    if (this.shared.loginCheck) {
      try {
        await this.shared.loginCheck(this.identity);
      } catch (error) {
        // Forget the session: no request may use a login that failed its check.
        conn.accessToken = null;
        this.shared.loginRefusal = error instanceof Error ? error : new Error(String(error));
        throw error;
      }
    }
    return token;
  }

  /** Re-runs the login once; a second refresh with no successful call in between fails instead of looping. */
  private async refreshSession(conn: Connection): Promise<string> {
    if (this.shared.refreshesSinceSuccess >= 1) {
      this.shared.refreshLoop = true;
      // This call fails clearly, but the guard re-arms: the next call may log in again. Otherwise a
      // session that expired twice for unrelated reasons (an admin expiring all sessions, a retried
      // call failing on a 5xx in between) would leave the worker unable to log in until it restarts.
      this.shared.refreshesSinceSuccess = 0;
      throw new SessionRefreshError('Salesforce session expired again right after a refresh');
    }
    this.shared.refreshesSinceSuccess++;
    try {
      return await this.login(conn);
    } catch (error) {
      // A login that failed (Salesforce down, a 5xx) used no session: the next call may try again.
      this.shared.refreshesSinceSuccess = 0;
      throw error;
    }
  }

  private succeeded(): void {
    this.shared.refreshesSinceSuccess = 0;
    this.shared.refreshLoop = false;
    const usage = this.conn.limitInfo.apiUsage;
    if (usage) this.shared.usage = { used: usage.used, limit: usage.limit };
  }

  /**
   * Sends one REST request through jsforce (JSON in/out), counting it and tracking the API usage.
   * Bodies are read as text and parsed here with `parseExactJson`, so numbers beyond a double's 15
   * digits arrive exact (as ExactNumber); other bodies (Bulk CSV results) are returned as text.
   */
  async request<T>(request: SalesforceRequest): Promise<T> {
    this.count();
    try {
      const body = (await this.conn.request<unknown>(
        request as never,
        {
          retry: { maxRetries: this.options.transportRetries ?? 2 },
          // jsforce would JSON.parse the body itself (rounding long numbers); as text it is left alone.
          responseType: 'text/plain',
        } as never,
      )) as unknown;
      const result = (typeof body === 'string' && /^\s*[[{]/.test(body) ? parseExactJson(body) : body) as T;
      this.succeeded();
      return result;
    } catch (error) {
      restoreErrorBody(error);
      const usage = this.conn.limitInfo.apiUsage;
      if (usage) this.shared.usage = { used: usage.used, limit: usage.limit };
      // Any answer but "session invalid" (a 5xx, a validation error) means the refreshed session was not
      // rejected: a later expiry deserves a fresh refresh, not the loop guard.
      if (!this.shared.refreshLoop && !isSessionError(error)) this.shared.refreshesSinceSuccess = 0;
      throw this.redactError(error);
    }
  }

  /**
   * Sends a raw GET (relative to `/services/data/vXX.X`) and returns the response with its body unread,
   * for streaming large bodies such as Bulk API 2.0 result pages. Refreshes the session once on 401.
   * Throws SalesforceApiError on a non-2xx reply.
   */
  async fetchRaw(path: string, headers: Record<string, string> = {}): Promise<Response> {
    this.count();
    const url = `${this.conn.instanceUrl}/services/data/v${this.options.apiVersion}${path}`;
    for (;;) {
      const requestTime = Date.now();
      let response: Response;
      try {
        response = await fetch(url, {
          headers: { ...headers, Authorization: `Bearer ${this.conn.accessToken ?? ''}` },
        });
      } catch (error) {
        throw this.redactError(error);
      }
      const usage = parseLimitInfo(response.headers.get('sforce-limit-info'));
      if (usage) this.shared.usage = usage;
      if (response.status === 401) {
        await response.body?.cancel();
        const delegate = this.conn._refreshDelegate;
        if (!delegate)
          throw new SalesforceApiError('Salesforce session expired and cannot be refreshed', 'INVALID_SESSION_ID', 401);
        try {
          await delegate.refresh(requestTime);
        } catch (error) {
          throw this.redactError(error);
        }
        continue;
      }
      if (!response.ok) {
        this.shared.refreshesSinceSuccess = 0; // answered, and not with 401: the session was accepted
        const text = await response.text();
        let errorCode = `ERROR_HTTP_${response.status}`;
        let message = text.slice(0, 500);
        try {
          const parsed = JSON.parse(text) as
            { errorCode?: string; message?: string }[] | { errorCode?: string; message?: string };
          const first = Array.isArray(parsed) ? parsed[0] : parsed;
          if (first?.errorCode) errorCode = first.errorCode;
          if (first?.message) message = first.message;
        } catch {
          // not JSON: keep the HTTP status as the code
        }
        throw this.redactError(new SalesforceApiError(message, errorCode, response.status));
      }
      this.succeeded();
      return response;
    }
  }

  /**
   * Returns the error with every credential secret and the session token removed from its message;
   * a refresh loop caught by the guard becomes a SessionRefreshError whatever jsforce wrapped it in.
   */
  redactError(error: unknown): Error {
    const refusal = this.shared.loginRefusal;
    if (refusal) {
      this.shared.loginRefusal = undefined;
      return refusal;
    }
    if (this.shared.refreshLoop) {
      this.shared.refreshLoop = false;
      return new SessionRefreshError(
        'Salesforce session expired again right after a refresh; check the credentials and the session policy',
      );
    }
    const err = error instanceof Error ? error : new Error(String(error));
    const secrets = [...this.secrets, this.conn.accessToken ?? ''].filter((s) => s.length >= 4);
    for (const secret of secrets) {
      if (err.message.includes(secret)) err.message = err.message.split(secret).join('[redacted]');
    }
    return err;
  }
}
