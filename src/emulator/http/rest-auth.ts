// Authentication and metering of REST calls: every request under /services/data/vNN.N/… must
// carry a live session (401 INVALID_SESSION_ID otherwise) and counts once against the daily
// API allowance (403 REQUEST_LIMIT_EXCEEDED past it). Route modules read the user from
// `res.locals` via `userOf`, or call `ctx.authenticate(req)`, which is idempotent per request.
import type { RequestHandler, Response } from 'express';
import type { EmulatorContext } from '../context';
import type { OrgUser } from '../users';

/** Path prefix of metered REST calls (`GET /services/data/` itself is not metered). */
const METERED = /^\/services\/data\/v\d+\.\d(?:\/|$)/;

/** Middleware: authenticate and count every metered REST call once. */
export function restAuth(ctx: EmulatorContext): RequestHandler {
  return (req, res, next) => {
    if (!METERED.test(req.path)) {
      next();
      return;
    }
    res.locals.user = ctx.authenticate(req);
    ctx.apiUsage.consume();
    next();
  };
}

/** The authenticated user of a metered REST request. */
export function userOf(res: Response): OrgUser {
  return res.locals.user as OrgUser;
}
