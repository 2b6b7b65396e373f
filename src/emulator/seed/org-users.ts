// The users every emulated org has (also with `--seed empty`), after its Organization row: the sync user (integration
// profile: field-level security hides some fields, no View All Data), a sales rep with full
// access, an executive whose records are private to others, and the lead intake queue.
import { makeId } from '../ids';
import type { SessionRegistry } from '../sessions';
import type { OrgStore } from '../store/org-store';
import { INTEGRATION_PROFILE, STANDARD_PROFILE, type OrgUser } from '../users';
import { DEMO_COMPANY_NAME, seedOrganization } from './organization';
import { RowFactory } from './rows';

/** Login details of one seeded user. */
export interface UserCredentials {
  userId: string;
  username: string;
  password: string;
  securityToken: string;
}

/** Everything a client needs to log in to the emulator. */
export interface SeededCredentials {
  /** jsforce `loginUrl` (the emulator's base URL). */
  loginUrl: string;
  /** The integration user Tandem syncs as; `refreshToken` works with the OAuth refresh_token grant. */
  sync: UserCredentials & { refreshToken: string };
  /** A sales rep with full access (stands for people editing in Salesforce). */
  rep: UserCredentials;
  /** An executive whose records the sync user cannot see. */
  exec: UserCredentials;
  /** The connected app; client_credentials tokens run as the sync user. */
  oauth: { clientId: string; clientSecret: string };
  /** The lead intake queue's Group id (a valid OwnerId for leads, tasks and subscriptions). */
  queueId: string;
}

const OAUTH = { clientId: '3MVG9Tandem.Emulator.ClientId', clientSecret: 'TandemEmulatorClientSecret' };
const SYNC_REFRESH_TOKEN = '5Aep861TandemSyncUserRefreshToken';

/** Creates the Organization row, the login users and the queue in `store`, registers the sync user's refresh token, and returns the credentials. */
export function seedUsers(store: OrgStore, sessions: SessionRegistry): SeededCredentials {
  const users = new RowFactory(store, 'User');
  const groups = new RowFactory(store, 'Group');
  const at = store.clock.nowSeconds() - 400 * 86_400;
  const audit = { created: at, modified: at, by: makeId('005', store.pod, 1) };
  const people: Array<Omit<OrgUser, 'id'> & { title: string; key: 'sync' | 'rep' | 'exec' }> = [
    {
      key: 'sync',
      username: 'tandem.sync@example.com',
      password: 'TandemSync1!',
      securityToken: 'SyncTokenA1b2C3',
      firstName: 'Tandem',
      lastName: 'Integration',
      email: 'tandem.sync@example.com',
      alias: 'tsync',
      profile: INTEGRATION_PROFILE,
      ownsPrivateRecords: false,
      title: 'Integration User',
    },
    {
      key: 'rep',
      username: 'riley.rep@example.com',
      password: 'RileyRep1!',
      securityToken: 'RepTokenD4e5F6',
      firstName: 'Riley',
      lastName: 'Morgan',
      email: 'riley.rep@example.com',
      alias: 'rmorg',
      profile: STANDARD_PROFILE,
      ownsPrivateRecords: false,
      title: 'Account Executive',
    },
    {
      key: 'exec',
      username: 'pat.exec@example.com',
      password: 'PatExec1!',
      securityToken: 'ExecTokenG7h8I9',
      firstName: 'Pat',
      lastName: 'Quinn',
      email: 'pat.exec@example.com',
      alias: 'pquin',
      profile: STANDARD_PROFILE,
      ownsPrivateRecords: true,
      title: 'Chief Revenue Officer',
    },
  ];
  seedOrganization(store, at);
  const creds: Partial<Record<'sync' | 'rep' | 'exec', UserCredentials>> = {};
  for (const p of people) {
    const id = users.insert(
      {
        Username: p.username,
        LastName: p.lastName,
        FirstName: p.firstName,
        Alias: p.alias,
        Email: p.email,
        Title: p.title,
        CompanyName: DEMO_COMPANY_NAME,
        IsActive: true,
        UserType: 'Standard',
        TimeZoneSidKey: 'America/Los_Angeles',
        ProfileName__c: p.profile.name,
      },
      audit,
    );
    store.users.add({ ...p, id });
    creds[p.key] = { userId: id, username: p.username, password: p.password, securityToken: p.securityToken };
  }
  const queueId = groups.insert(
    { Name: 'Lead Intake', DeveloperName: 'Lead_Intake', Type: 'Queue', Email: 'lead.intake@example.com' },
    audit,
  );
  const sync = store.users.get(creds.sync!.userId)!;
  sessions.addRefreshToken(SYNC_REFRESH_TOKEN, sync);
  return {
    loginUrl: '',
    sync: { ...creds.sync!, refreshToken: SYNC_REFRESH_TOKEN },
    rep: creds.rep!,
    exec: creds.exec!,
    oauth: OAUTH,
    queueId,
  };
}
