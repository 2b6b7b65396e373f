// The one place route modules are registered, in the order they see requests. Other modules
// (Bulk API 2.0, the admin API, fault injection) add their lines here with targeted edits.
import type { Express } from 'express';
import type { EmulatorContext } from './context';
import { registerCollectionRoutes } from './http/rest-collections';
import { registerRestDataRoutes } from './http/rest-data';
import { registerSObjectRoutes } from './http/rest-sobjects';
import { registerOAuthRoutes } from './http/oauth-routes';
import { registerSoapRoutes } from './http/soap-routes';
import { installBulkApi } from './bulk';
import { installFaultMiddleware, registerAdminRoutes, reliabilityOf } from './fault-kit';

/**
 * Middleware that must run before authentication and every route (after only the
 * `Sforce-Limit-Info` hook): the Bulk helper registers the fault middleware here.
 */
export function registerPreAuthMiddleware(app: Express, ctx: EmulatorContext): void {
  installFaultMiddleware(app, reliabilityOf(ctx));
}

/**
 * Registers every route module. Requests under /services/data/vNN.N/ arrive authenticated and
 * metered (`res.locals.user`, see http/rest-auth.ts) with JSON bodies parsed.
 * Bulk helper registers bulk + admin routes here.
 */
export function registerRouteModules(app: Express, ctx: EmulatorContext): void {
  registerOAuthRoutes(app, ctx, ctx.connectedApp);
  registerSoapRoutes(app, ctx);
  registerRestDataRoutes(app, ctx);
  registerSObjectRoutes(app, ctx);
  registerCollectionRoutes(app, ctx);
  installBulkApi(app, ctx, reliabilityOf(ctx));
  if (ctx.options.enableAdmin) registerAdminRoutes(app, reliabilityOf(ctx), ctx.clock, ctx.apiUsage);
}
