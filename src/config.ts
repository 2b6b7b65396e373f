/**
 * Tandem's configuration: an optional YAML file (`tandem.config.yaml`, or the path in TANDEM_CONFIG)
 * overlaid with environment variables, validated once with a schema into a typed object.
 * Salesforce credentials are NOT part of it: they come from the environment or a secrets file
 * (src/salesforce/credentials.ts) and never reach workflow inputs, Temporal history or logs.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';
import { z } from 'zod';
import { DEFAULT_SYNC_OBJECTS, DEFAULT_TASK_QUEUE, DEFAULT_WORKFLOW_ID } from './shared';

const durationPattern = /^\d+(\.\d+)?\s*(ms|s|m|h|d|milliseconds?|seconds?|minutes?|hours?|days?)$/;

/** A duration in the form Temporal accepts (`5 minutes`, `30s`, `2h`). */
const duration = z.string().trim().regex(durationPattern, 'expected a duration such as "5 minutes", "30s" or "2h"');

/** How a field changed on both sides between two cycles is resolved (see src/sync/merge.ts). */
const conflictRule = z.enum([
  'salesforce-wins',
  'marketing-wins',
  'newest-wins',
  'salesforce-unless-blank',
  'never-push',
]);

const TWO_WAY_OBJECTS = DEFAULT_SYNC_OBJECTS.filter((o) => o.direction === 'two-way').map((o) => o.name);

/** A key naming one of the two-way objects (push-side settings exist for no other). */
const twoWayObject = z
  .string()
  .refine((name) => TWO_WAY_OBJECTS.includes(name), `expected a two-way object: ${TWO_WAY_OBJECTS.join(', ')}`);

export const configSchema = z
  .object({
    temporal: z
      .object({
        address: z.string().default('localhost:7233'),
        namespace: z.string().default('default'),
        taskQueue: z.string().min(1).default(DEFAULT_TASK_QUEUE),
        workflowId: z.string().min(1).default(DEFAULT_WORKFLOW_ID),
      })
      .strict()
      .prefault({}),
    database: z
      .object({
        url: z.string().default('postgres://postgres@127.0.0.1:5432/tandem'),
        /** Schema holding the synced Salesforce tables. Tandem's own state is always in schema `tandem`. */
        schema: z
          .string()
          .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lowercase SQL identifier')
          .default('salesforce'),
      })
      .strict()
      .prefault({}),
    salesforce: z
      .object({
        apiVersion: z
          .string()
          .regex(/^\d{2}\.0$/, 'expected an API version such as "62.0"')
          .default('62.0'),
        /** A short name for the org, shown as the TandemOrg search attribute (default: from the login host, `demo` for the emulator). */
        org: z
          .string()
          .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'expected a short name: letters, digits, ".", "_" or "-"')
          .optional(),
        /** Share of the daily API limit above which cycles slow down instead of running the org dry. */
        apiBudgetShare: z.number().gt(0).max(1).default(0.8),
      })
      .strict()
      .prefault({}),
    metrics: z
      .object({
        /** Port of the worker's Prometheus endpoint (`/metrics`); 0 turns it off. */
        port: z.number().int().min(0).max(65_535).default(9464),
        host: z.string().default('127.0.0.1'),
      })
      .strict()
      .prefault({}),
    sync: z
      .object({
        pauseBetweenCycles: duration.default('5 minutes'),
        /** Look-back re-read on every pull: Salesforce commits can become visible with an older SystemModstamp. */
        overlapWindowSeconds: z.number().int().min(0).default(300),
        /** Above this many rows an initial copy goes through Bulk API 2.0 instead of REST paging. */
        bulkQueryThreshold: z.number().int().min(0).default(10_000),
        /** Above this many pending outbox rows a push goes through Bulk API 2.0 ingest. */
        bulkIngestThreshold: z.number().int().min(1).default(2_000),
        /** `soft` keeps rows deleted in Salesforce, marked `isdeleted`; `hard` removes them. */
        deletePolicy: z.enum(['soft', 'hard']).default('soft'),
        /** Rows per Bulk API 2.0 result page (`maxRecords`); one page is one checkpoint of an initial copy. */
        bulkResultPageSize: z.number().int().min(1).max(1_000_000).default(50_000),
        /** Re-describe each object at most this often during pulls, to pick up new fields (each describe is an API call). */
        describeIntervalSeconds: z.number().int().min(0).default(3_600),
        /** Ask getDeleted for purged rows at most this often per object (queryAll already sees the recycle bin). */
        deletedCheckIntervalSeconds: z.number().int().min(0).default(3_600),
        /** How often a Bulk query job's state is polled, and how long it may take before the copy call fails and retries. */
        bulkPollIntervalMs: z.number().int().min(10).default(1_000),
        bulkJobTimeoutSeconds: z.number().int().min(1).default(3_600),
        /**
         * Same-field conflict rules of the two-way objects (src/sync/merge.ts), by object API name:
         * `default` replaces the object's Marketo default (Lead: marketing-wins; Contact, Campaign,
         * CampaignMember: salesforce-wins) and `fields` sets a rule per field API name.
         */
        conflictRules: z
          .record(
            twoWayObject,
            z
              .object({
                default: conflictRule.optional(),
                fields: z
                  .record(
                    z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'expected a Salesforce field API name'),
                    conflictRule,
                  )
                  .default({}),
              })
              .strict(),
          )
          .default({}),
        /**
         * Whether a row deleted on the marketing side is deleted in Salesforce, by object API name.
         * Unset objects follow their definition: CampaignMember yes (removing a member is a membership
         * change), Lead, Contact and Campaign no — as Marketo, the record stays in Salesforce.
         */
        pushDeletes: z.record(twoWayObject, z.boolean()).default({}),
        /** Before creating a Salesforce lead, link to a visible lead or contact with the same email instead of creating a duplicate. */
        dedupeLeadsByEmail: z.boolean().default(true),
        /**
         * The external-id field holding Tandem's client-generated key, so a retried insert upserts
         * instead of duplicating. Objects without it (visible and createable) fall back to their
         * natural key (src/objects/<object>.ts `insertKey`).
         */
        externalIdField: z
          .string()
          .regex(/^[A-Za-z][A-Za-z0-9_]*__c$/, 'expected a custom external-id field API name ending in __c')
          .default('Tandem_Id__c'),
        /** Custom objects synced from Salesforce, by API name. */
        customObjects: z
          .array(z.string().regex(/^[A-Za-z][A-Za-z0-9_]*__c$/, 'expected a custom object API name ending in __c'))
          .default([]),
      })
      .strict()
      .prefault({}),
  })
  .strict();

/** The validated configuration. */
export type TandemConfig = z.infer<typeof configSchema>;

/** Thrown when the configuration file or environment holds an invalid value; the message names each bad key. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** The parsed file before validation: sections of loosely typed values. */
type RawConfig = Record<string, Record<string, unknown>>;

/** Environment variables that override file values, by config path. */
const environmentOverrides: Record<string, (config: RawConfig, value: string) => void> = {
  TEMPORAL_ADDRESS: (c, v) => (section(c, 'temporal').address = v),
  TEMPORAL_NAMESPACE: (c, v) => (section(c, 'temporal').namespace = v),
  TANDEM_TASK_QUEUE: (c, v) => (section(c, 'temporal').taskQueue = v),
  TANDEM_WORKFLOW_ID: (c, v) => (section(c, 'temporal').workflowId = v),
  DATABASE_URL: (c, v) => (section(c, 'database').url = v),
  TANDEM_SCHEMA: (c, v) => (section(c, 'database').schema = v),
  SF_API_VERSION: (c, v) => (section(c, 'salesforce').apiVersion = v),
  TANDEM_ORG: (c, v) => (section(c, 'salesforce').org = v),
  TANDEM_METRICS_PORT: (c, v) => (section(c, 'metrics').port = Number(v)),
  TANDEM_PAUSE_BETWEEN_CYCLES: (c, v) => (section(c, 'sync').pauseBetweenCycles = v),
};

function section(config: RawConfig, key: string): Record<string, unknown> {
  config[key] ??= {};
  return config[key];
}

/** Formats zod issues as `path.to.key: message` lines. */
function describeIssues(error: z.ZodError, source: string): string {
  const lines = error.issues.map((issue) => `  ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  return `Invalid configuration (${source}):\n${lines.join('\n')}`;
}

/**
 * Reads the config file (when present) and the environment, validates, and returns the typed config.
 * Throws ConfigError naming every invalid key.
 */
export function loadConfig(options: { file?: string; env?: NodeJS.ProcessEnv } = {}): TandemConfig {
  const env = options.env ?? process.env;
  const file = options.file ?? env.TANDEM_CONFIG ?? 'tandem.config.yaml';
  let raw: RawConfig = {};
  if (existsSync(file)) {
    try {
      // The YAML parser loads only when there is a file to parse: most `tandem` calls have none.
      const { parse } = createRequire(import.meta.url)('yaml') as typeof Yaml;
      raw = (parse(readFileSync(file, 'utf8')) as RawConfig | null) ?? {};
    } catch (error) {
      throw new ConfigError(`Invalid configuration (${file}): not valid YAML: ${(error as Error).message}`);
    }
  } else if (options.file ?? env.TANDEM_CONFIG) {
    throw new ConfigError(`Configuration file ${file} does not exist`);
  }
  for (const [name, apply] of Object.entries(environmentOverrides)) {
    const value = env[name];
    if (value !== undefined && value !== '') apply(raw, value);
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success)
    throw new ConfigError(describeIssues(parsed.error, existsSync(file) ? `${file} + environment` : 'environment'));
  return parsed.data;
}
