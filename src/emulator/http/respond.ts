// Response helpers shared by route modules: JSON with Salesforce's content type, the REST
// error body `[{message, errorCode, fields}]`, and the API version in the path.
import type { ErrorRequestHandler, Request, Response } from 'express';
import { SalesforceError } from '../errors';
import { stringifyExact } from '../../sync/exact-json';

/** The content type Salesforce REST answers carry. */
export const JSON_TYPE = 'application/json;charset=UTF-8';

/** Sends `body` as JSON with status `status`. */
export function sendJson(res: Response, status: number, body: unknown): void {
  // setHeader + end, not res.set/res.send: express would rewrite the value to
  // `application/json; charset=utf-8`.
  res.status(status).setHeader('Content-Type', JSON_TYPE);
  res.end(stringifyExact(body)); // long numbers as exact literals, as Salesforce writes them
}

/** Sends a SalesforceError as its REST error body. */
export function sendError(res: Response, err: SalesforceError): void {
  sendJson(res, err.status, err.toBody());
}

/** Parses `v62.0` into `{ text: '62.0', number: 62 }`; throws NOT_FOUND for anything else, as Salesforce does. */
export function apiVersion(req: Request): { text: string; number: number } {
  const raw = String(req.params.version ?? '');
  const m = /^v(\d{2,3}\.\d)$/.exec(raw);
  if (!m) throw new SalesforceError(404, 'NOT_FOUND', 'The requested resource does not exist');
  return { text: m[1], number: Number(m[1]) };
}

/** Express error handler rendering SalesforceErrors and body-parser failures in Salesforce's shape. */
export const errorHandler: ErrorRequestHandler = (err: unknown, _req, res, _next) => {
  if (res.headersSent) return;
  if (err instanceof SalesforceError) {
    sendError(res, err);
    return;
  }
  const e = err as { type?: string; status?: number; message?: string };
  if (e.type === 'entity.parse.failed') {
    sendError(
      res,
      new SalesforceError(400, 'JSON_PARSER_ERROR', `The request body is not valid JSON: ${e.message ?? ''}`),
    );
    return;
  }
  if (e.type === 'entity.too.large') {
    sendError(res, new SalesforceError(413, 'REQUEST_ENTITY_TOO_LARGE', 'The request body is too large'));
    return;
  }
  sendError(
    res,
    new SalesforceError(500, 'UNKNOWN_EXCEPTION', `An unexpected error occurred: ${e.message ?? String(err)}`),
  );
};
