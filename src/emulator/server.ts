// Builds the emulator's express app and starts it: the org (seeded, or loaded from its persist
// directory: org-setup.ts), sessions, limits, and the middleware chain
//   [journal flush before each response] → Sforce-Limit-Info hook → pre-auth middleware (faults)
//   → JSON bodies → REST auth + metering → route modules → 404 → Salesforce-shaped errors.
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { parseExactJson } from '../sync/exact-json';
import express, { type Express, type Request, type Response } from 'express';
import { Clock } from './clock';
import type { EmulatorContext, ResolvedEmulatorOptions } from './context';
import { SalesforceError } from './errors';
import { limitInfoHeader } from './http/limit-info';
import { errorHandler, sendError } from './http/respond';
import { restAuth } from './http/rest-auth';
import { openOrg } from './org-setup';
import type { OrgJournal, PersistenceInfo } from './persist/org-journal';
import { registerPreAuthMiddleware, registerRouteModules } from './routes';
import type { SeededCredentials } from './seed/org-users';
import { bearerToken } from './sessions';
import type { OrgStore } from './store/org-store';
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
  /**
   * Keep the org on disk in this directory: the first start seeds it there, later starts load it
   * and continue (records, recycle bin, id counters, sessions, API usage, clock offset). `seed` and
   * `scale` apply only to that first seed. Omitted: the org lives in memory only (the default).
   */
  persistDir?: string;
  /** Organization Id of a freshly seeded org (15 or 18 characters, `00D…`); random when omitted. */
  orgId?: string;
  /** Where start-up warnings go (a dropped torn journal line); default console.warn. */
  onWarning?: (message: string) => void;
}

/** An emulator built but not listening: the app and its context. */
export interface EmulatorInstance {
  app: Express;
  context: EmulatorContext;
  credentials: SeededCredentials;
  /** The persisted org's start-up facts (restored or freshly seeded), or null when in memory only. */
  persistence: PersistenceInfo | null;
  /** Appends pending changes to the journal now (persisted orgs; requests do this themselves before responding). */
  flushPersistence(): void;
  /** Folds the journal into a fresh snapshot now (persisted orgs; start-up and a growing journal do this on their own). */
  compactPersistence(): void;
  /** Writes pending changes and closes the journal (persisted orgs); the org stays usable in memory. */
  closePersistence(): void;
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
  /** The persisted org's start-up facts (`restored` tells a loaded org from a fresh seed), or null when in memory only. */
  persistence: PersistenceInfo | null;
  /** Folds the persisted org's journal into a fresh snapshot now (no-op in memory). */
  compactPersistence(): void;
  /** Closes the server (and open connections), then writes and closes the persisted org's journal. */
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
  const { parts, credentials, journal } = openOrg(options, resolved, clock);
  const { store, sessions } = parts;
  let baseUrl = `${resolved.tls ? 'https' : 'http'}://${resolved.host}:${resolved.port}`;
  const authenticated = new WeakMap<Request, OrgUser>();
  const context: EmulatorContext = {
    store,
    sessions,
    apiUsage: parts.apiUsage,
    clock,
    options: resolved,
    connectedApp: {
      clientId: credentials.oauth.clientId,
      clientSecret: credentials.oauth.clientSecret,
      runAsUserId: credentials.sync.userId,
    },
    cursors: parts.cursors,
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
  if (journal) app.use(flushBeforeResponse(journal));
  app.use(limitInfoHeader(context));
  registerPreAuthMiddleware(app, context);
  // The raw body is kept so a body with long numbers can be parsed again exactly: Salesforce holds
  // 18 significant digits, a double only 15 (see src/sync/exact-json.ts).
  app.use(
    express.json({
      limit: '100mb',
      type: ['application/json', 'application/*+json'],
      verify: (req, _res, buf) => void ((req as { rawBody?: Buffer }).rawBody = buf),
    }),
  );
  app.use((req, _res, next) => {
    const raw = (req as { rawBody?: Buffer }).rawBody;
    // Not for the admin API: its numbers (fault probabilities, clock offsets) are the emulator's own doubles.
    const salesforceApi = !req.path.startsWith('/__emulator');
    if (raw && salesforceApi && /\d{16}/.test(raw.toString('latin1'))) req.body = parseExactJson(raw.toString('utf8'));
    next();
  });
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
    persistence: journal?.info ?? null,
    flushPersistence: () => journal?.flush(),
    compactPersistence: () => journal?.compact(),
    closePersistence: () => journal?.close(),
    setBaseUrl: (url) => {
      baseUrl = url;
    },
  };
}

/**
 * Appends the request's changes to the journal before its response goes out, so a write the
 * client saw acknowledged is on disk (see persist/org-journal.ts for the durability policy).
 */
function flushBeforeResponse(journal: OrgJournal): express.RequestHandler {
  return (_req, res, next) => {
    const end = res.end.bind(res) as (...args: unknown[]) => Response;
    res.end = ((...args: unknown[]) => {
      journal.flush();
      return end(...args);
    }) as Response['end'];
    next();
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
    persistence: instance.persistence,
    compactPersistence: instance.compactPersistence,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => {
          try {
            instance.closePersistence();
          } catch (closeError) {
            return reject(closeError as Error);
          }
          return err ? reject(err) : resolve();
        });
      }),
  };
}

export { hasPersistedOrg, wipePersistedOrg, type PersistenceInfo } from './persist/org-journal';
