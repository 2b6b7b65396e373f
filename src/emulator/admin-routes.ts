// The emulator's admin API under /__emulator, for reliability tests: fault rules, late commits,
// the daily API limit, the clock, counters and a reset. Mounted only when the emulator is
// started with `enableAdmin` (otherwise these paths are unknown, 404), and every call needs the
// admin token in `X-Emulator-Admin-Token` — a Salesforce session token is never accepted, so
// code under test holding an ordinary session cannot reach it. The token is printed by
// `npm run emulator -- --enable-admin` and is `reliabilityOf(emulator.context).adminToken` in
// process. Endpoints (JSON in and out; errors as `[{message, errorCode}]`):
//   GET    /__emulator                  everything below in one snapshot
//   GET    /__emulator/faults           { rules }          POST a rule (fault-rules.ts schema) → 201 rule
//   DELETE /__emulator/faults           clear all          DELETE /__emulator/faults/{id}
//   POST   /__emulator/faults/reseed    { seed }           restart the random sequence
//   GET    /__emulator/counters         calls by endpoint, faults by kind, Bulk result pages
//   POST   /__emulator/counters/reset
//   GET    /__emulator/late-commits     { rules }          POST { lagSeconds, count?, object?, recordId? } → 201
//   DELETE /__emulator/late-commits
//   GET    /__emulator/api-limit        { used, limit }    PUT { dailyLimit, used? }
//   GET    /__emulator/clock            { now, iso, offsetMs }   POST { advanceMs } | { reset: true }
//   POST   /__emulator/reset            faults, late commits, counters, API usage and clock
import { timingSafeEqual } from 'node:crypto';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { ZodError, z } from 'zod';
import type { EmulatorCounters } from './admin-counters';
import type { LateCommitPlan } from './admin-late-commits';
import type { Clock } from './clock';
import { ADMIN_PATH_PREFIX } from './fault-middleware';
import type { FaultEngine } from './fault-rules';

/** The request header carrying the admin token. */
export const ADMIN_TOKEN_HEADER = 'X-Emulator-Admin-Token';

/** The daily API request allowance the admin API can read and change. */
export interface ApiLimitControl {
  /** Calls counted today and the allowance. */
  usage(): { used: number; limit: number };
  /** Sets the allowance and, when given, the number of calls already used. */
  set(limit: number, used?: number): void;
  /** Forgets the calls counted so far. */
  resetUsage(): void;
}

/** What the admin API controls. */
export interface AdminTargets {
  /** The secret every admin call must present. */
  readonly token: string;
  readonly faults: FaultEngine;
  /** Seed the fault engine restarts from on reset. */
  readonly faultSeed: number;
  readonly counters: EmulatorCounters;
  readonly lateCommits: LateCommitPlan;
  readonly clock: Clock;
  readonly apiLimit: ApiLimitControl;
}

const JSON_TYPE = 'application/json;charset=UTF-8';

function sendJson(res: Response, status: number, body: unknown): void {
  res.status(status).type(JSON_TYPE).send(JSON.stringify(body));
}

function sendError(res: Response, status: number, errorCode: string, message: string): void {
  sendJson(res, status, [{ message, errorCode }]);
}

function tokenMatches(expected: string, presented: string | undefined): boolean {
  if (presented === undefined) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}

const apiLimitSchema = z
  .object({ dailyLimit: z.number().int().positive(), used: z.number().int().min(0).optional() })
  .strict();
const clockSchema = z
  .object({ advanceMs: z.number().int().optional(), reset: z.literal(true).optional() })
  .strict()
  .refine((b) => (b.advanceMs === undefined) !== (b.reset === undefined), 'Send exactly one of advanceMs or reset');
const reseedSchema = z.object({ seed: z.number().int() }).strict();

function clockBody(clock: Clock): unknown {
  const now = clock.now();
  return { now, iso: new Date(now).toISOString(), offsetMs: now - Date.now() };
}

/** Builds the router to mount at `/__emulator` (see ADMIN_PATH_PREFIX). */
export function adminRouter(targets: AdminTargets): Router {
  const router = express.Router();
  router.use((req, res, next) => {
    const presented = req.get(ADMIN_TOKEN_HEADER);
    if (presented === undefined) {
      return sendError(
        res,
        401,
        'ADMIN_TOKEN_REQUIRED',
        `The emulator admin API needs the ${ADMIN_TOKEN_HEADER} header; Salesforce sessions are not accepted here`,
      );
    }
    if (!tokenMatches(targets.token, presented)) {
      return sendError(
        res,
        403,
        'ADMIN_TOKEN_INVALID',
        `The ${ADMIN_TOKEN_HEADER} header does not match this emulator's admin token`,
      );
    }
    next();
  });
  router.use(express.json({ type: () => true, limit: '100kb' }));

  router.get('/', (_req, res) =>
    sendJson(res, 200, {
      faults: targets.faults.list(),
      lateCommits: targets.lateCommits.list(),
      counters: targets.counters.snapshot(),
      apiUsage: targets.apiLimit.usage(),
      clock: clockBody(targets.clock),
    }),
  );

  router.get('/faults', (_req, res) => sendJson(res, 200, { rules: targets.faults.list() }));
  router.post('/faults', (req, res) => sendJson(res, 201, targets.faults.add(req.body)));
  router.delete('/faults', (_req, res) => {
    targets.faults.clear();
    res.status(204).end();
  });
  router.post('/faults/reseed', (req, res) => {
    targets.faults.reseed(reseedSchema.parse(req.body).seed);
    res.status(204).end();
  });
  router.delete('/faults/:id', (req, res) => {
    if (!targets.faults.remove(String(req.params.id))) {
      return sendError(res, 404, 'NOT_FOUND', `No fault rule with id ${String(req.params.id)}`);
    }
    res.status(204).end();
  });

  router.get('/counters', (_req, res) => sendJson(res, 200, targets.counters.snapshot()));
  router.post('/counters/reset', (_req, res) => {
    targets.counters.reset();
    res.status(204).end();
  });

  router.get('/late-commits', (_req, res) => sendJson(res, 200, { rules: targets.lateCommits.list() }));
  router.post('/late-commits', (req, res) => sendJson(res, 201, targets.lateCommits.arm(req.body)));
  router.delete('/late-commits', (_req, res) => {
    targets.lateCommits.clear();
    res.status(204).end();
  });

  router.get('/api-limit', (_req, res) => sendJson(res, 200, targets.apiLimit.usage()));
  router.put('/api-limit', (req, res) => {
    const body = apiLimitSchema.parse(req.body);
    targets.apiLimit.set(body.dailyLimit, body.used);
    sendJson(res, 200, targets.apiLimit.usage());
  });

  router.get('/clock', (_req, res) => sendJson(res, 200, clockBody(targets.clock)));
  router.post('/clock', (req, res) => {
    const body = clockSchema.parse(req.body);
    if (body.reset) targets.clock.reset();
    else targets.clock.advance(body.advanceMs!);
    sendJson(res, 200, clockBody(targets.clock));
  });

  router.post('/reset', (_req, res) => {
    targets.faults.clear(targets.faultSeed);
    targets.lateCommits.clear();
    targets.counters.reset();
    targets.apiLimit.resetUsage();
    targets.clock.reset();
    res.status(204).end();
  });

  router.use((req, res) =>
    sendError(res, 404, 'NOT_FOUND', `No admin endpoint ${req.method} ${ADMIN_PATH_PREFIX}${req.path}`),
  );
  router.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (error instanceof ZodError) {
      const issue = error.issues[0];
      const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
      return sendError(res, 400, 'INVALID_ADMIN_REQUEST', `${where}${issue.message}`);
    }
    if (error instanceof SyntaxError)
      return sendError(res, 400, 'JSON_PARSER_ERROR', `Malformed JSON body: ${error.message}`);
    sendError(res, 500, 'UNKNOWN_EXCEPTION', error instanceof Error ? error.message : String(error));
  });
  return router;
}
