import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { configSchema, loadConfig } from '../src/config';

const file = new URL('../tandem.config.example.yaml', import.meta.url).pathname;

describe('tandem.config.example.yaml', () => {
  it('is valid, and its values are the defaults', () => {
    expect(loadConfig({ file, env: {} })).toEqual(configSchema.parse({}));
  });

  it('lists every key that has a default, so it documents the whole configuration', () => {
    const raw = parse(readFileSync(file, 'utf8')) as Record<string, Record<string, unknown>>;
    const defaults = configSchema.parse({}) as Record<string, Record<string, unknown>>;
    for (const [section, values] of Object.entries(defaults)) {
      for (const key of Object.keys(values)) expect(raw[section], `${section}.${key}`).toHaveProperty(key);
    }
  });
});
