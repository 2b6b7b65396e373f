// Builds the emulator's express app and starts it: the org (users always, demo data when
// seeded), sessions, limits, and the middleware chain
//   Sforce-Limit-Info hook → pre-auth middleware (faults) → JSON bodies → REST auth + metering
//   → route modules → 404 → Salesforce-shaped errors.
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import express, { type Express, type Request } from 'express';
import { ApiUsage } from './api-usage';
import { Clock } from './clock';
import type { EmulatorContext, ResolvedEmulatorOptions } from './context';
import { SalesforceError } from './errors';
import { limitInfoHeader } from './http/limit-info';
import { QueryCursors } from './http/query-cursors';
import { errorHandler, sendError } from './http/respond';
import { restAuth } from './http/rest-auth';
import { registerPreAuthMiddleware, registerRouteModules } from './routes';
import { seedDemoData } from './seed/demo';
import { seedUsers, type SeededCredentials } from './seed/org-users';
import { bearerToken, SessionRegistry } from './sessions';
import { OrgStore } from './store/org-store';
import type { OrgUser } from './users';

/** Options of `startEmulator` / `createEmulator`. */
export interface EmulatorOptions {
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  /** Interface to bind; always loopback by default. */
  host?: string;
  /** Enable the admin API (`/__emulator/…`); off unless true. */
  enableAdmin?: boolean;
  /** Daily API request allowance (default 100,000, an Enterprise org). */
  dailyApiLimit?: number;
  /** Idle lifetime of sessions in seconds (default 7,200). */
  sessionTtlSeconds?: number;
  /** Idle lifetime of query locators in seconds (default 900). */
  queryLocatorTtlSeconds?: number;
  /** `demo` (default) seeds a realistic org; `empty` only users and the queue. */
  seed?: 'demo' | 'empty';
  /** Demo seed size multiplier: 1 ≈ 2,000 records; 500 ≈ 1,000,000. */
  scale?: number;
  /** Serve HTTPS with this PEM certificate and key. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Clock to use (tests may pass one they advance). */
  clock?: Clock;
}

/** An emulator built but not listening: the app and its context. */
export interface EmulatorInstance {
  app: Express;
  context: EmulatorContext;
  credentials: SeededCredentials;
  /** Tells the context its public base URL once the server listens (OAuth `instance_url`, SOAP `serverUrl`). */
  setBaseUrl(url: string): void;
}

/** A running emulator. */
export interface RunningEmulator {
  /** Base URL, e.g. `http://127.0.0.1:8700` (instance URL and login URL alike). */
  url: string;
  /** jsforce `loginUrl`. */
  loginUrl: string;
  /** Seeded users, their passwords and security tokens, and the OAuth client. */
  credentials: SeededCredentials;
  /** The shared context (store, sessions, limits, clock) for tests and admin code. */
  context: EmulatorContext;
  /** Shortcut to `context.store`. */
  store: OrgStore;
  /** Closes the server (and open connections). */
  stop(): Promise<void>;
}

function resolveOptions(o: EmulatorOptions): ResolvedEmulatorOptions {
  return {
    host: o.host ?? '127.0.0.1',
    port: o.port ?? 0,
    enableAdmin: o.enableAdmin ?? false,
    dailyApiLimit: o.dailyApiLimit ?? 100_000,
    sessionTtlSeconds: o.sessionTtlSeconds ?? 7_200,
    queryLocatorTtlSeconds: o.queryLocatorTtlSeconds ?? 900,
    seed: o.seed ?? 'demo',
    scale: o.scale ?? 1,
    tls: o.tls ?? null,
  };
}

/** Builds the org and the express app without listening. */
export function createEmulator(options: EmulatorOptions = {}): EmulatorInstance {
  const resolved = resolveOptions(options);
  const clock = options.clock ?? new Clock();
  const store = new OrgStore({ clock });
  const sessions = new SessionRegistry(clock, store.users, resolved.sessionTtlSeconds, store.orgId);
  const credentials = seedUsers(store, sessions);
  if (resolved.seed === 'demo') seedDemoData(store, { scale: resolved.scale });
  for (const table of store.allTables()) table.indexModstamps();
  let baseUrl = `${resolved.tls ? 'https' : 'http'}://${resolved.host}:${resolved.port}`;
  const authenticated = new WeakMap<Request, OrgUser>();
  const context: EmulatorContext = {
    store,
    sessions,
    apiUsage: new ApiUsage(resolved.dailyApiLimit),
    clock,
    options: resolved,
    connectedApp: { clientId: credentials.oauth.clientId, clientSecret: credentials.oauth.clientSecret, runAsUserId: credentials.sync.userId },
    cursors: new QueryCursors(clock, store.pod, resolved.queryLocatorTtlSeconds),
    authenticate(req) {
      const cached = authenticated.get(req);
      if (cached) return cached;
      const user = sessions.check(bearerToken(req.header('authorization'))).user;
      authenticated.set(req, user);
      return user;
    },
    baseUrl: () => baseUrl,
  };
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'extended');
  app.use(limitInfoHeader(context));
  registerPreAuthMiddleware(app, context);
  app.use(express.json({ limit: '100mb', type: ['application/json', 'application/*+json'] }));
  app.use(restAuth(context));
  registerRouteModules(app, context);
  app.use((req, res) => {
    sendError(res, new SalesforceError(404, 'NOT_FOUND', 'The requested resource does not exist'));
    void req;
  });
  app.use(errorHandler);
  return {
    app,
    context,
    credentials: { ...credentials, loginUrl: baseUrl },
    setBaseUrl: (url) => {
      baseUrl = url;
    },
  };
}

/** Starts the emulator and resolves once it listens. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const instance = createEmulator(options);
  const { app, context } = instance;
  const o = context.options;
  const server: Server = o.tls ? createHttpsServer({ cert: o.tls.cert, key: o.tls.key }, app) : createHttpServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `${o.tls ? 'https' : 'http'}://${o.host}:${port}`;
  instance.setBaseUrl(url);
  return {
    url,
    loginUrl: url,
    credentials: { ...instance.credentials, loginUrl: url },
    context,
    store: context.store,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
