// The partner SOAP endpoint `/services/Soap/u/{version}[/orgId]`: `login` (username +
// password + security token; refused from API 65.0 on, https://developer.salesforce.com/docs/platform/api/guide/sforce-api-calls-login.html) and the calls jsforce's
// `conn.soap` makes (convertLead, merge, undelete, emptyRecycleBin, create/update/upsert/
// delete, getUserInfo, getServerTimestamp). Faults are HTTP 500, as Salesforce sends them.
import express, { type Express, type Request, type Response } from 'express';
import type { EmulatorContext } from '../context';
import { SalesforceError } from '../errors';
import type { OrgUser } from '../users';
import { formatDateTime } from '../values';
import { SOAP_OPERATIONS } from './soap-operations';
import { parseSoap, soapFault, soapResponse, type SoapRequest } from './soap-xml';

/** SOAP `login()` works only on API 64.0 and earlier (https://developer.salesforce.com/docs/platform/api/guide/sforce-api-calls-login.html). */
const LAST_SOAP_LOGIN_VERSION = 64.0;

function sendXml(res: Response, status: number, xml: string): void {
  res.status(status).setHeader('Content-Type', 'text/xml;charset=UTF-8');
  res.end(xml);
}

/** Registers the partner SOAP endpoint. */
export function registerSoapRoutes(app: Express, ctx: EmulatorContext): void {
  const xml = express.text({ type: ['text/xml', 'application/soap+xml', 'application/xml'], limit: '50mb' });
  const handler = (req: Request, res: Response) => {
    const m = /^(\d{2,3}\.\d)$/.exec(String(req.params.version));
    if (!m)
      return sendXml(
        res,
        404,
        soapFault('UNSUPPORTED_API_VERSION', `Invalid Api version specified on URL: ${String(req.params.version)}`),
      );
    const version = Number(m[1]);
    const call = parseSoap(typeof req.body === 'string' ? req.body : '');
    if (!call) return sendXml(res, 500, soapFault('INVALID_OPERATION', 'The request is not a SOAP envelope'));
    if (call.operation === 'login') return login(ctx, res, call, m[1], version);
    let user: OrgUser;
    try {
      user = ctx.sessions.check(call.sessionId).user;
      ctx.apiUsage.consume();
    } catch (err) {
      if (err instanceof SalesforceError) {
        const code = err.errorCode;
        const message =
          code === 'INVALID_SESSION_ID' ? 'Invalid Session ID found in SessionHeader: Illegal Session' : err.message;
        return sendXml(res, 500, soapFault(code, message));
      }
      throw err;
    }
    const op = SOAP_OPERATIONS[call.operation];
    if (call.operation === 'getServerTimestamp') {
      return sendXml(
        res,
        200,
        soapResponse('getServerTimestamp', { timestamp: formatDateTime(ctx.clock.nowSeconds()).replace('+0000', 'Z') }),
      );
    }
    if (call.operation === 'getUserInfo') {
      return sendXml(res, 200, soapResponse('getUserInfo', userInfo(ctx, user)));
    }
    if (!op)
      return sendXml(
        res,
        500,
        soapFault(
          'INVALID_OPERATION',
          `No operation available for request {urn:partner.soap.sforce.com}${call.operation}`,
        ),
      );
    try {
      const results = op(ctx, user, call);
      return sendXml(res, 200, soapResponse(call.operation, results));
    } catch (err) {
      if (err instanceof SalesforceError) return sendXml(res, 500, soapFault(err.errorCode, err.message));
      throw err;
    }
  };
  app.post('/services/Soap/u/:version', xml, handler);
  app.post('/services/Soap/u/:version/:org', xml, handler);
}

function login(ctx: EmulatorContext, res: Response, call: SoapRequest, versionText: string, version: number): void {
  if (version > LAST_SOAP_LOGIN_VERSION) {
    return sendXml(
      res,
      500,
      soapFault(
        'UNSUPPORTED_API_VERSION',
        `login() is not supported in API version ${versionText}; SOAP login works up to API 64.0, use OAuth`,
      ),
    );
  }
  const username = String(call.args.username ?? '');
  const password = String(call.args.password ?? '');
  const user = ctx.store.users.verifyPassword(username, password);
  if (!user) {
    return sendXml(
      res,
      500,
      soapFault('INVALID_LOGIN', 'Invalid username, password, security token; or user locked out.', 'LoginFault'),
    );
  }
  const session = ctx.sessions.issue(user, 'soap');
  const base = ctx.baseUrl();
  sendXml(
    res,
    200,
    soapResponse('login', {
      metadataServerUrl: `${base}/services/Soap/m/${versionText}/${ctx.store.orgId}`,
      passwordExpired: false,
      sandbox: false,
      serverUrl: `${base}/services/Soap/u/${versionText}/${ctx.store.orgId}`,
      sessionId: session.token,
      userId: user.id,
      userInfo: userInfo(ctx, user),
    }),
  );
}

function userInfo(ctx: EmulatorContext, user: OrgUser): Record<string, unknown> {
  return {
    accessibilityMode: false,
    currencySymbol: '$',
    orgAttachmentFileSizeLimit: 5242880,
    orgDefaultCurrencyIsoCode: 'USD',
    orgDisallowHtmlAttachments: false,
    orgHasPersonAccounts: false,
    organizationId: ctx.store.orgId,
    organizationMultiCurrency: false,
    organizationName: 'Tandem Emulated Org',
    profileId: '00e5g000000AbcdAAC',
    roleId: null,
    sessionSecondsValid: ctx.sessions.ttlSeconds,
    userDefaultCurrencyIsoCode: null,
    userEmail: user.email,
    userFullName: `${user.firstName} ${user.lastName}`,
    userId: user.id,
    userLanguage: 'en_US',
    userLocale: 'en_US',
    userName: user.username,
    userTimeZone: 'GMT',
    userType: 'Standard',
    userUiSkin: 'Theme3',
  };
}
