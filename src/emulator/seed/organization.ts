// The Organization row every emulated org has (also with `--seed empty`): its Id is the store's
// Organization Id, so `SELECT Id FROM Organization` agrees with the OAuth identity URL, userinfo
// and the SOAP login result, which all report `store.orgId`.
import { makeId } from '../ids';
import type { OrgStore } from '../store/org-store';

/** The demo org's company name (Organization.Name, and the seeded users' CompanyName). */
export const DEMO_COMPANY_NAME = 'Tandem Demo Co';

/** Inserts the org's Organization row, stamped `createdSeconds` (epoch seconds) by the org's first user. */
export function seedOrganization(store: OrgStore, createdSeconds: number): void {
  const def = store.schema.object('Organization')!;
  const row: unknown[] = new Array(def.rowLength).fill(null);
  const values: Record<string, unknown> = {
    Id: store.orgId,
    Name: DEMO_COMPANY_NAME,
    // Real instance names look like NA139 or USA684S; the pod makes this one recognisably emulated.
    InstanceName: `EM${store.pod.toUpperCase()}`,
    IsSandbox: false,
    OrganizationType: 'Enterprise Edition',
    NamespacePrefix: null,
    CreatedDate: createdSeconds,
    CreatedById: makeId('005', store.pod, 1),
    LastModifiedDate: createdSeconds,
    LastModifiedById: makeId('005', store.pod, 1),
    SystemModstamp: createdSeconds,
  };
  for (const [name, value] of Object.entries(values)) row[def.fieldMap.get(name.toLowerCase())!.slot] = value;
  store.insertRaw(def, row);
}
