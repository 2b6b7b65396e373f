// Two emulated orgs behind one login URL, as after a sandbox refresh or a re-seeded demo org: the
// test swaps which org answers on the port, while Tandem's credentials stay the same.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type pg from 'pg';
import { createActivities, type SyncActivities } from '../../src/activities';
import { migrate } from '../../src/db/migrations';
import { createEmulator, type EmulatorInstance } from '../../src/emulator/server';
import { SalesforceClient } from '../../src/salesforce/connection';
import { API_VERSION, testConfig } from '../../chaos/org-kit';

/** One port, and whichever org is currently serving it. */
export interface SwappableOrg {
  url: string;
  /** The org that answered first (the one Tandem binds to). */
  first: EmulatorInstance;
  /** Another org, with its own Organization Id. */
  second: EmulatorInstance;
  /** Serves `org` on the port from now on (open connections are closed). */
  serve(org: EmulatorInstance): Promise<void>;
  /** Migrates `pool`'s database and builds the real activities on a sync client logged in at the shared URL. */
  activities(pool: pg.Pool): Promise<SyncActivities>;
  stop(): Promise<void>;
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Starts two empty-seeded orgs (users only) and serves the first. */
export async function startSwappableOrg(seed: 'demo' | 'empty' = 'empty'): Promise<SwappableOrg> {
  const first = createEmulator({ seed });
  const second = createEmulator({ seed });
  if (second.context.store.orgId === first.context.store.orgId)
    throw new Error('the emulator gave two fresh orgs the same Organization Id');
  let server = createServer(first.app);
  const port = await listen(server, 0);
  const url = `http://127.0.0.1:${port}`;
  first.setBaseUrl(url);
  second.setBaseUrl(url);
  return {
    url,
    first,
    second,
    async serve(org) {
      await close(server);
      server = createServer(org.app);
      await listen(server, port);
      // Let clients see their kept-alive sockets closed, so the next request opens a new one.
      await new Promise((resolve) => setTimeout(resolve, 100));
    },
    async activities(pool) {
      await migrate(pool);
      const { oauth } = first.credentials;
      const client = await SalesforceClient.connect({
        credentials: {
          flow: 'client-credentials',
          loginUrl: url,
          clientId: oauth.clientId,
          clientSecret: oauth.clientSecret,
        },
        apiVersion: API_VERSION,
      });
      return createActivities({ salesforce: client, db: pool, config: testConfig({ customObjects: [] }) });
    },
    stop: () => close(server),
  };
}
