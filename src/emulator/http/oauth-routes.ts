// OAuth 2.0 token endpoint (password, client_credentials, refresh_token grants), revoke, and the
// identity URL jsforce parses the org and user ids from (https://help.salesforce.com/s/articleView?id=sf.remoteaccess_using_openid.htm&type=5).
import { createHmac } from 'node:crypto';
import express, { type Express, type Request, type Response } from 'express';
import type { EmulatorContext } from '../context';
import { SalesforceError } from '../errors';
import type { OrgUser } from '../users';
import { bearerToken, type Session } from '../sessions';
import { sendJson } from './respond';

/** The connected app the emulator trusts. */
export interface ConnectedApp {
  clientId: string;
  clientSecret: string;
  /** The user client_credentials tokens run as. */
  runAsUserId: string;
}

function oauthError(res: Response, status: number, error: string, description: string): void {
  sendJson(res, status, { error, error_description: description });
}

/** The token response body for a new session. */
export function tokenResponse(
  ctx: EmulatorContext,
  session: Session,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const base = ctx.baseUrl();
  const issuedAt = String(ctx.clock.now());
  const id = `${base}/id/${ctx.store.orgId}/${session.user.id}`;
  const signature = createHmac('sha256', ctx.store.orgId)
    .update(id + issuedAt)
    .digest('base64');
  return {
    access_token: session.token,
    ...extra,
    signature,
    scope: 'api refresh_token web',
    instance_url: base,
    id,
    token_type: 'Bearer',
    issued_at: issuedAt,
  };
}

/** Registers `/services/oauth2/*` and `/id/*`. */
export function registerOAuthRoutes(app: Express, ctx: EmulatorContext, connectedApp: ConnectedApp): void {
  const form = express.urlencoded({ extended: false });

  app.post('/services/oauth2/token', form, (req: Request, res: Response) => {
    const b = (req.body ?? {}) as Record<string, string | undefined>;
    const grant = b.grant_type;
    const clientOk = b.client_id === connectedApp.clientId;
    if (grant !== 'refresh_token' || b.client_id !== undefined) {
      if (!clientOk) return oauthError(res, 400, 'invalid_client_id', 'client identifier invalid');
    }
    const secretOk = b.client_secret === connectedApp.clientSecret;
    switch (grant) {
      case 'password': {
        if (!secretOk) return oauthError(res, 400, 'invalid_client', 'invalid client credentials');
        const user = ctx.store.users.verifyPassword(b.username ?? '', b.password ?? '');
        if (!user) return oauthError(res, 400, 'invalid_grant', 'authentication failure');
        return sendJson(res, 200, tokenResponse(ctx, ctx.sessions.issue(user, 'password')));
      }
      case 'client_credentials': {
        if (!secretOk) return oauthError(res, 400, 'invalid_client', 'invalid client credentials');
        const user = ctx.store.users.get(connectedApp.runAsUserId)!;
        return sendJson(res, 200, tokenResponse(ctx, ctx.sessions.issue(user, 'client_credentials')));
      }
      case 'refresh_token': {
        if (b.client_secret !== undefined && !secretOk)
          return oauthError(res, 400, 'invalid_client', 'invalid client credentials');
        const user = ctx.sessions.userForRefreshToken(b.refresh_token ?? '');
        if (!user) return oauthError(res, 400, 'invalid_grant', 'expired access/refresh token');
        return sendJson(res, 200, tokenResponse(ctx, ctx.sessions.issue(user, 'refresh_token')));
      }
      default:
        return oauthError(res, 400, 'unsupported_grant_type', 'grant type not supported');
    }
  });

  app.post('/services/oauth2/revoke', form, (req, res) => {
    const token = (req.body as Record<string, string | undefined>)?.token ?? String(req.query.token ?? '');
    ctx.sessions.revoke(token);
    res.status(200).end();
  });

  const identity = (user: OrgUser) => {
    const base = ctx.baseUrl();
    return {
      id: `${base}/id/${ctx.store.orgId}/${user.id}`,
      asserted_user: true,
      user_id: user.id,
      organization_id: ctx.store.orgId,
      username: user.username,
      nick_name: user.alias,
      display_name: `${user.firstName} ${user.lastName}`,
      email: user.email,
      first_name: user.firstName,
      last_name: user.lastName,
      active: true,
      user_type: 'STANDARD',
      language: 'en_US',
      locale: 'en_US',
      utcOffset: 0,
      urls: {
        enterprise: `${base}/services/Soap/c/{version}/${ctx.store.orgId}`,
        partner: `${base}/services/Soap/u/{version}/${ctx.store.orgId}`,
        rest: `${base}/services/data/v{version}/`,
        sobjects: `${base}/services/data/v{version}/sobjects/`,
        query: `${base}/services/data/v{version}/query/`,
        profile: `${base}/${user.id}`,
      },
    };
  };

  app.get('/id/:org/:user', (req, res) => {
    const session = ctx.sessions.check(bearerToken(req.header('authorization')));
    if (req.params.user !== session.user.id) throw new SalesforceError(403, 'Bad_Id', 'Bad_Id');
    sendJson(res, 200, identity(session.user));
  });

  app.get('/services/oauth2/userinfo', (req, res) => {
    const session = ctx.sessions.check(bearerToken(req.header('authorization')));
    const info = identity(session.user);
    sendJson(res, 200, {
      sub: info.id,
      user_id: info.user_id,
      organization_id: info.organization_id,
      preferred_username: info.username,
      email: info.email,
      name: info.display_name,
    });
  });
}
