import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config';

function configFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'tandem-config-')), 'tandem.config.yaml');
  writeFileSync(file, text);
  return file;
}

describe('loadConfig', () => {
  it('fills every default when neither file nor environment says anything', () => {
    const config = loadConfig({ file: configFile(''), env: {} });
    expect(config.temporal).toEqual({
      address: 'localhost:7233',
      namespace: 'default',
      taskQueue: 'tandem',
      workflowId: 'tandem-sync',
    });
    expect(config.sync).toMatchObject({
      pauseBetweenCycles: '5 minutes',
      overlapWindowSeconds: 300,
      deletePolicy: 'soft',
      customObjects: [],
    });
    expect(config.database.schema).toBe('salesforce');
  });

  it('lets the environment override the file', () => {
    const file = configFile('temporal:\n  address: temporal.internal:7233\nsync:\n  pauseBetweenCycles: 10 minutes\n');
    const config = loadConfig({ file, env: { TEMPORAL_ADDRESS: 'other:7233', DATABASE_URL: 'postgres://u@db/x' } });
    expect(config.temporal.address).toBe('other:7233');
    expect(config.sync.pauseBetweenCycles).toBe('10 minutes');
    expect(config.database.url).toBe('postgres://u@db/x');
  });

  it('names every bad key with the path and the reason', () => {
    const file = configFile(
      'sync:\n  pauseBetweenCycles: soon\n  deletePolicy: shred\n  customObjects: [Invoice]\ndatabase:\n  schema: Sales-Force\n',
    );
    let error: unknown;
    try {
      loadConfig({ file, env: {} });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain(`Invalid configuration (${file} + environment)`);
    expect(message).toMatch(/sync\.pauseBetweenCycles: expected a duration such as "5 minutes"/);
    expect(message).toMatch(/sync\.deletePolicy: .*"soft".*"hard"/);
    expect(message).toMatch(/sync\.customObjects\.0: expected a custom object API name ending in __c/);
    expect(message).toMatch(/database\.schema: must be a lowercase SQL identifier/);
  });

  it('refuses unknown keys instead of ignoring a typo', () => {
    expect(() => loadConfig({ file: configFile('sync:\n  pauseBetweenCylces: 1 minute\n'), env: {} })).toThrow(
      /sync: Unrecognized key: "pauseBetweenCylces"/,
    );
  });

  it('says when the named file is missing or not YAML', () => {
    expect(() =>
      loadConfig({ file: '/nonexistent/tandem.yaml', env: { TANDEM_CONFIG: '/nonexistent/tandem.yaml' } }),
    ).toThrow(/Configuration file \/nonexistent\/tandem.yaml does not exist/);
    expect(() => loadConfig({ file: configFile('sync: [unclosed'), env: {} })).toThrow(/not valid YAML/);
  });
});
