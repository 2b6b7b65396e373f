// The org's login-capable users and their profiles. The sync user's profile hides some fields
// (field-level security) and lacks "View All Data", so it cannot see records owned by users
// whose records are private to them; the sales rep and the executive have full access.

/** A profile: which fields it hides and whether it sees every record. */
export interface Profile {
  name: string;
  /** Lower-cased object name → lower-cased names of fields hidden by field-level security. */
  hiddenFields: Map<string, Set<string>>;
  /** "View All Data": sees records other users keep private. */
  viewAll: boolean;
}

/** A user who can log in, with the credentials the emulator accepts. */
export interface OrgUser {
  id: string;
  username: string;
  password: string;
  securityToken: string;
  firstName: string;
  lastName: string;
  email: string;
  alias: string;
  profile: Profile;
  /** Records this user owns are invisible to users without View All Data (a private role). */
  ownsPrivateRecords: boolean;
}

/** The integration profile the sync user has. */
export const INTEGRATION_PROFILE: Profile = {
  name: 'Tandem Integration',
  hiddenFields: new Map([
    ['lead', new Set(['annualrevenue'])],
    ['account', new Set(['annualrevenue'])],
    ['contact', new Set(['birthdate'])],
  ]),
  viewAll: false,
};

/** The profile of people working in Salesforce (full access). */
export const STANDARD_PROFILE: Profile = { name: 'Standard User', hiddenFields: new Map(), viewAll: true };

/** True when `profile` hides `field` of `objectName` (both any case). */
export function isFieldHidden(profile: Profile, objectName: string, field: string): boolean {
  return profile.hiddenFields.get(objectName.toLowerCase())?.has(field.toLowerCase()) ?? false;
}

/** The login-capable users, by id and by username. */
export class UserDirectory {
  private readonly byId = new Map<string, OrgUser>();
  private readonly byUsername = new Map<string, OrgUser>();
  /** Ids of users whose records are private to them. */
  readonly privateOwners = new Set<string>();

  /** Registers a user. */
  add(user: OrgUser): void {
    this.byId.set(user.id, user);
    this.byUsername.set(user.username.toLowerCase(), user);
    if (user.ownsPrivateRecords) this.privateOwners.add(user.id);
  }

  /** The user with this id, or undefined. */
  get(id: string): OrgUser | undefined {
    return this.byId.get(id);
  }

  /** The user with this username (any case), or undefined. */
  byName(username: string): OrgUser | undefined {
    return this.byUsername.get(username.toLowerCase());
  }

  /** Every login-capable user. */
  all(): OrgUser[] {
    return [...this.byId.values()];
  }

  /** Checks a SOAP/OAuth password login; Salesforce expects the password followed by the security token. */
  verifyPassword(username: string, passwordAndToken: string): OrgUser | undefined {
    const user = this.byName(username);
    if (!user) return undefined;
    return passwordAndToken === user.password + user.securityToken ? user : undefined;
  }
}
