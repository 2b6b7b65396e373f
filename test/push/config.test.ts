// The push side's configuration keys: defaults, validation with messages naming the key, and a rule
// for a field the object does not sync failing the push permanently with the key named.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, configSchema, loadConfig } from '../../src/config';
import { classify } from '../../src/activities/errors';
import { ConflictRuleError } from '../../src/sync/merge';

describe('push configuration', () => {
  it('defaults: no rule overrides, deletes by object definition, linking by email on, Tandem_Id__c as the insert key, Bulk above 2,000', () => {
    const config = configSchema.parse({});
    expect(config.sync).toMatchObject({
      conflictRules: {},
      pushDeletes: {},
      dedupeLeadsByEmail: true,
      externalIdField: 'Tandem_Id__c',
      bulkIngestThreshold: 2000,
    });
  });

  it('accepts per-object defaults and per-field rules of two-way objects', () => {
    const config = configSchema.parse({
      sync: {
        conflictRules: { Contact: { default: 'newest-wins', fields: { Title: 'marketing-wins' } } },
        pushDeletes: { Lead: true },
      },
    });
    expect(config.sync.conflictRules.Contact).toEqual({ default: 'newest-wins', fields: { Title: 'marketing-wins' } });
  });

  it('refuses unknown rules, objects that are not two-way, and a non-custom external id, naming the key', () => {
    const load = (sync: Record<string, unknown>) =>
      loadConfig({ env: { TANDEM_CONFIG: '' }, file: writeConfig({ sync }) });
    expect(() => load({ conflictRules: { Lead: { fields: { Title: 'sales-wins' } } } })).toThrow(
      /sync\.conflictRules\.Lead\.fields\.Title: /,
    );
    expect(() => load({ conflictRules: { Account: { default: 'marketing-wins' } } })).toThrow(ConfigError);
    expect(() => load({ pushDeletes: { Opportunity: true } })).toThrow(/sync\.pushDeletes\.Opportunity/);
    expect(() => load({ externalIdField: 'Email' })).toThrow(
      /sync\.externalIdField: expected a custom external-id field API name ending in __c/,
    );
  });

  it('a rule for a field the object does not sync is a permanent configuration error', () => {
    expect(
      classify(new ConflictRuleError('sync.conflictRules.Lead.fields.Nope: Lead has no synced field Nope')),
    ).toEqual({ kind: 'permanent', type: 'ConfigError' });
  });
});

function writeConfig(content: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'tandem-config-')), 'tandem.config.yaml');
  writeFileSync(file, JSON.stringify(content)); // JSON is YAML
  return file;
}
