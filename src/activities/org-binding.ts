/**
 * The org guard every Salesforce-facing activity passes through (see src/sync/org-identity.ts):
 * on the first sync it binds the data schema to the org the credentials log into; afterwards it
 * checks each login — the first one of the worker and every session refresh — against the binding,
 * and throws OrgMismatchError before any request reaches another org.
 */
import type pg from 'pg';
import { bindOrgIfUnbound, readOrgBinding, refreshBoundOrgDetails } from '../db/org-binding';
import type { SalesforceClient, SessionIdentity } from '../salesforce/connection';
import { readOrganizationName } from '../salesforce/organization';
import { decideBinding, OrgMismatchError, type OrgBinding, type OrgIdentity } from '../sync/org-identity';

/** Checks logins against the binding of one data schema. */
export interface OrgGuard {
  /** Binds or checks the client's current session; resolves to the binding, or throws OrgMismatchError. */
  verify(client: SalesforceClient): Promise<OrgBinding>;
}

/** A guard for `schema` in `db`. Org names are read once per org id and worker (one API call each). */
export function createOrgGuard(db: pg.Pool, schema: string): OrgGuard {
  const names = new Map<string, Promise<string | null>>();
  const nameOf = (client: SalesforceClient, orgId: string): Promise<string | null> => {
    const key = orgId.slice(0, 15);
    let name = names.get(key);
    if (!name) {
      name = readOrganizationName(client);
      names.set(key, name);
    }
    return name;
  };

  // `withNames` is false inside a session refresh: a request made there would wait for the refresh itself.
  const check = async (client: SalesforceClient, session: SessionIdentity, withNames: boolean): Promise<OrgBinding> => {
    const bound = await readOrgBinding(db, schema);
    const connected: OrgIdentity = { orgId: session.orgId, name: null, instanceUrl: session.instanceUrl };
    const nameOrNull = (): Promise<string | null> =>
      withNames ? nameOf(client, session.orgId) : Promise.resolve(null);
    const decision = decideBinding(bound, connected);
    switch (decision.kind) {
      case 'bind':
        return bindOrgIfUnbound(db, schema, { ...connected, name: await nameOrNull() });
      case 'match':
        if (bound!.instanceUrl !== session.instanceUrl || (bound!.name === null && withNames)) {
          // Same org on another instance (an org migration), or a name never read: keep the messages current.
          await refreshBoundOrgDetails(db, schema, { ...connected, name: bound!.name ?? (await nameOrNull()) });
        }
        return bound!;
      case 'mismatch':
        throw new OrgMismatchError(bound!, { ...connected, name: await nameOrNull() }, schema);
    }
  };

  // Scoped views share their base client's connection and login check: arm each connection once.
  const armed = new WeakSet<object>();
  return {
    async verify(client) {
      if (!armed.has(client.conn)) {
        armed.add(client.conn);
        client.setLoginCheck(async (session) => {
          await check(client, session, false);
        });
      }
      try {
        return await check(client, client.identity, true);
      } catch (error) {
        if (!(error instanceof OrgMismatchError)) throw error;
        // The identity may be stale (a refused login leaves it behind): log in once more and look again,
        // so credentials that reach the bound org again resume the sync without a restart.
        await client.relogin().catch((e: unknown) => {
          if (!(e instanceof OrgMismatchError)) throw e;
        });
        return check(client, client.identity, true);
      }
    },
  };
}
