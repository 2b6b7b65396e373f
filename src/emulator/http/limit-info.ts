// The single point where `Sforce-Limit-Info` is set: every response under /services/data/vNN.N
// and /services/async gets the header just before its head is written, whatever module
// produced it (REST, Bulk, errors, faults). `GET /services/data/` itself carries none, as in
// Salesforce (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_api_usage.htm).
import type { RequestHandler, Response } from 'express';
import type { EmulatorContext } from '../context';

const METERED = /^\/services\/(?:data\/v\d|async\/)/;

/** Middleware that stamps `Sforce-Limit-Info: api-usage=N/M` on metered responses. */
export function limitInfoHeader(ctx: EmulatorContext): RequestHandler {
  return (req, res, next) => {
    if (METERED.test(req.path)) {
      const writeHead = res.writeHead as (...args: unknown[]) => Response;
      res.writeHead = function (this: Response, ...args: unknown[]) {
        if (!this.headersSent) this.setHeader('Sforce-Limit-Info', ctx.apiUsage.header());
        return writeHead.apply(this, args);
      } as typeof res.writeHead;
    }
    next();
  };
}
