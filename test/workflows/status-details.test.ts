// The Markdown the Web UI shows as the workflows' current details: what an operator reads there.
import { describe, expect, it } from 'vitest';
import { progressDetails } from '../../src/workflows/initial-copy';
import { cycleDetails } from '../../src/workflows/status-details';
import { freshState, recordOutcome, succeeded } from '../../src/workflows/sync-state';

const OBJECTS = [
  { name: 'Contact', direction: 'two-way' as const },
  { name: 'Lead', direction: 'two-way' as const },
];

describe('current details', () => {
  it('names the bound org, the open sync errors and the rows re-read unchanged', () => {
    const state = freshState(OBJECTS);
    state.org = {
      orgId: '00D5g000000AbCdEAF',
      name: 'Acme',
      instanceUrl: 'https://acme.my.salesforce.com',
      boundAt: '2026-12-01T00:00:00.000Z',
    };
    recordOutcome(
      state,
      'Lead',
      'lastPull',
      succeeded(1, { rowsPulled: 1, rowsDeleted: 0, rowsUnchanged: 454, rowsRead: 455 }, 't', 5),
    );
    recordOutcome(
      state,
      'Lead',
      'lastPush',
      succeeded(1, { rowsPushed: 2, rowsFailed: 1, openErrors: 3, backlog: 0 }, 't', 5),
    );
    const text = cycleDetails(state);
    expect(text).toContain('Salesforce org 00D5g000000AbCdEAF "Acme" at https://acme.my.salesforce.com');
    expect(text).toContain('**Open sync errors:** Lead 3');
    expect(text).toContain('`npx tandem errors`');
    expect(text).toMatch(
      /\| Lead \| two-way \| syncing \| 1 pulled, 0 deleted, 454 re-read unchanged \| 2 pushed, 1 failed, 3 open errors \|/,
    );
  });

  it('says the sync stopped and why while the credentials reach another org', () => {
    const state = freshState(OBJECTS);
    const bound = { orgId: '00D5g000000AbCdEAF', name: 'Acme', instanceUrl: 'https://x', boundAt: 'b' };
    state.orgMismatch = {
      bound,
      connected: { orgId: '00D5g000000ZzZzEAA', name: null, instanceUrl: 'https://x' },
      message: 'schema "salesforce" belongs to …',
      since: 's',
    };
    expect(cycleDetails(state)).toBe(
      '**Sync stopped — wrong Salesforce org** (since s)\n\nschema "salesforce" belongs to …',
    );
  });

  it('labels the initial copy numbers so neighbouring cells never read as one number', () => {
    const text = progressDetails([], {
      Lead: { object: 'Lead', done: true, rowsCopied: 472, totalRows: 472, pagesCopied: 1 },
    });
    expect(text).toContain('| Lead | 472 of 472 rows | 1 page | done |');
  });
});
