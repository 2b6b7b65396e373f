/**
 * Which Salesforce org a database schema belongs to, and the decision made on every login: bind on
 * the first sync, go on when the org is the bound one, stop everything when it is another. Pure: the
 * I/O lives in src/db/org-binding.ts and src/activities/org-binding.ts.
 *
 * Why: a refreshed sandbox, credentials pointed at another org, or a re-seeded demo org hand out
 * record ids that look like the old ones, so nothing but the Organization Id tells two orgs apart
 * (https://help.salesforce.com/s/articleView?id=sf.data_sandbox_create.htm: a refreshed sandbox
 * gets a new Organization Id).
 */

/** A Salesforce org as Tandem names it: the Organization Id, and the name and instance for messages. */
export interface OrgIdentity {
  /** The 18-character Organization Id (`00D…`), from the login's identity URL. */
  orgId: string;
  /** Organization.Name, when it could be read. */
  name: string | null;
  /** The instance URL the session talks to, e.g. `https://acme.my.salesforce.com`. */
  instanceUrl: string;
}

/** The org a schema is bound to, with when it was bound. */
export interface OrgBinding extends OrgIdentity {
  /** ISO-8601. */
  boundAt: string;
}

/** A connected org that is not the bound one, as `status` reports it. */
export interface OrgMismatch {
  bound: OrgBinding;
  connected: OrgIdentity;
  /** ISO-8601: when the mismatch was first seen. */
  since: string;
  /** One line for the operator: both orgs and what to do. */
  message: string;
}

/** What a login into `connected` means for a schema bound to `bound` (null: never bound). */
export type BindingDecision = { kind: 'bind' } | { kind: 'match' } | { kind: 'mismatch' };

/**
 * 15- and 18-character ids name the same record when their first 15 characters agree
 * (https://help.salesforce.com/s/articleView?id=000385008&type=1); the 3-character suffix only
 * encodes the case of the first 15.
 */
export function sameOrgId(a: string, b: string): boolean {
  return a.length >= 15 && b.length >= 15 && a.slice(0, 15) === b.slice(0, 15);
}

/** Decides what to do with a login into `connected` for a schema bound to `bound`. */
export function decideBinding(bound: OrgIdentity | null, connected: OrgIdentity): BindingDecision {
  if (!bound) return { kind: 'bind' };
  return sameOrgId(bound.orgId, connected.orgId) ? { kind: 'match' } : { kind: 'mismatch' };
}

/** `00D… "Acme" at https://…` — how messages name an org. */
export function describeOrg(org: OrgIdentity): string {
  return `${org.orgId}${org.name ? ` "${org.name}"` : ''} at ${org.instanceUrl}`;
}

/** The operator's message for a mismatch: both orgs, what Tandem is doing, and the two ways out. */
export function mismatchMessage(bound: OrgIdentity, connected: OrgIdentity, schema: string): string {
  return (
    `schema "${schema}" belongs to Salesforce org ${describeOrg(bound)}, but the credentials log into org ` +
    `${describeOrg(connected)}; nothing is pulled, copied or pushed. Point the SF_* credentials back at the bound org ` +
    `(the sync resumes by itself), or bind the schema to the new org on purpose: \`npx tandem rebind\` shows what that does`
  );
}

/** Thrown by every Salesforce-facing activity when the session belongs to another org than the schema. */
export class OrgMismatchError extends Error {
  override readonly name = 'OrgMismatchError';
  constructor(
    readonly bound: OrgBinding,
    readonly connected: OrgIdentity,
    schema: string,
  ) {
    super(mismatchMessage(bound, connected, schema));
  }
}
