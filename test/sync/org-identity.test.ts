import { describe, expect, it } from 'vitest';
import { decideBinding, mismatchMessage, OrgMismatchError, sameOrgId } from '../../src/sync/org-identity';

const acme = { orgId: '00D5g000000AbCdEAF', name: 'Acme', instanceUrl: 'https://acme.my.salesforce.com' };
const sandbox = {
  orgId: '00D5g000000ZzZzEAA',
  name: 'Acme (sandbox)',
  instanceUrl: 'https://acme--uat.sandbox.my.salesforce.com',
};

describe('org identity', () => {
  it('binds a schema that was never bound', () => {
    expect(decideBinding(null, acme)).toEqual({ kind: 'bind' });
  });

  it('matches the bound org whatever its name, instance or id length', () => {
    expect(decideBinding(acme, { ...acme, name: null, instanceUrl: 'https://na1.salesforce.com' })).toEqual({
      kind: 'match',
    });
    expect(decideBinding(acme, { ...acme, orgId: acme.orgId.slice(0, 15) })).toEqual({ kind: 'match' });
  });

  it('refuses another org, even one whose id differs only in case', () => {
    expect(decideBinding(acme, sandbox)).toEqual({ kind: 'mismatch' });
    expect(sameOrgId('00D5g000000abcdEAF', '00D5g000000AbCdEAF')).toBe(false);
    expect(sameOrgId('', '')).toBe(false);
  });

  it('names both orgs and both ways out in the message', () => {
    const message = mismatchMessage(acme, sandbox, 'salesforce');
    expect(message).toContain('schema "salesforce"');
    expect(message).toContain('00D5g000000AbCdEAF "Acme" at https://acme.my.salesforce.com');
    expect(message).toContain('00D5g000000ZzZzEAA "Acme (sandbox)"');
    expect(message).toContain('tandem rebind');
    const error = new OrgMismatchError({ ...acme, boundAt: '2026-12-01T00:00:00.000Z' }, sandbox, 'salesforce');
    expect(error.message).toBe(message);
    expect(error.connected.orgId).toBe(sandbox.orgId);
  });
});
