// The first middleware of the emulator's chain: counts the call, asks the fault engine whether
// this request fails, and if so answers the way Salesforce does (or drops the socket) before
// any route runs. Errors are JSON `[{message, errorCode}]` on REST paths and SOAP faults on
// /services/Soap, because jsforce detects an expired SOAP session only from the fault code.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { EmulatorCounters } from './admin-counters';
import type { FaultDecision, FaultEngine } from './fault-rules';

/** Paths under this prefix are the admin API: never faulted, never counted. */
export const ADMIN_PATH_PREFIX = '/__emulator';

interface ErrorReply {
  readonly status: number;
  readonly errorCode: string;
  readonly message: string;
}

// Messages as Salesforce words them (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm).
function errorReply(decision: FaultDecision, path: string): ErrorReply | undefined {
  switch (decision.kind) {
    case 'server-unavailable':
      return {
        status: 503,
        errorCode: 'SERVER_UNAVAILABLE',
        message: 'Server is unavailable. Please try again later.',
      };
    case 'internal-error':
      return {
        status: 500,
        errorCode: 'UNKNOWN_EXCEPTION',
        message: 'An unexpected error occurred. Please include this ErrorId if you contact support: 1938422705-1 (-1)',
      };
    case 'request-limit-exceeded':
      return { status: 403, errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'TotalRequests Limit exceeded.' };
    case 'invalid-session':
      return { status: 401, errorCode: 'INVALID_SESSION_ID', message: 'Session expired or invalid' };
    case 'unable-to-lock-row': {
      const id = path.split('/').find((s) => /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/.test(s) && /\d/.test(s));
      const message = id
        ? `unable to obtain exclusive access to this record or 1 records: ${id}`
        : 'unable to obtain exclusive access to this record';
      return { status: 400, errorCode: 'UNABLE_TO_LOCK_ROW', message };
    }
    case 'slow':
    case 'drop-connection':
      return undefined;
  }
}

function sendSoapFault(res: Response, reply: ErrorReply): void {
  // SOAP reports every fault as HTTP 500 except an unavailable server, which fails before SOAP.
  const status = reply.status === 503 ? 503 : 500;
  const body =
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:sf="urn:fault.partner.soap.sforce.com">' +
    '<soapenv:Body><soapenv:Fault>' +
    `<faultcode>sf:${reply.errorCode}</faultcode><faultstring>${reply.errorCode}: ${reply.message}</faultstring>` +
    '</soapenv:Fault></soapenv:Body></soapenv:Envelope>';
  res.status(status).type('text/xml; charset=utf-8').send(body);
}

/** Applies one fault decision to the exchange; calls `next` only for `slow`. */
export function applyFault(decision: FaultDecision, req: Request, res: Response, next: NextFunction): void {
  if (decision.kind === 'slow') {
    setTimeout(next, decision.delayMs);
    return;
  }
  if (decision.kind === 'drop-connection') {
    // No response at all: the client sees ECONNRESET / "socket hang up", as on a network cut.
    req.socket.destroy();
    return;
  }
  const reply = errorReply(decision, req.path);
  if (!reply) return next();
  if (req.path.startsWith('/services/Soap/')) return sendSoapFault(res, reply);
  res
    .status(reply.status)
    .type('application/json;charset=UTF-8')
    .send(JSON.stringify([{ message: reply.message, errorCode: reply.errorCode }]));
}

/** Options of {@link faultMiddleware}. */
export interface FaultMiddlewareOptions {
  readonly engine: FaultEngine;
  readonly counters: EmulatorCounters;
}

/**
 * Returns the middleware to mount first: it counts every Salesforce API call and injects the
 * fault the engine decides on, if any.
 */
export function faultMiddleware({ engine, counters }: FaultMiddlewareOptions): RequestHandler {
  return (req, res, next) => {
    if (req.path.startsWith(ADMIN_PATH_PREFIX)) return next();
    counters.countCall(req.method, req.path);
    const decision = engine.decideRequest(req.method, req.path);
    if (!decision) return next();
    applyFault(decision, req, res, next);
  };
}
