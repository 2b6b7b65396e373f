-- Tandem's own state: per-object sync state (watermark, columns), copy checkpoints, API usage.
-- Salesforce data lives in the configured data schema (default "salesforce"), created on demand.

CREATE TABLE tandem.sync_object (
  object                 text PRIMARY KEY,            -- Salesforce API name, e.g. Lead, Subscription__c
  table_name             text NOT NULL,               -- lowercase table in the data schema
  columns                jsonb NOT NULL,              -- ColumnSpec[] from the latest describe
  described_at           timestamptz NOT NULL,
  get_deleted            boolean NOT NULL DEFAULT false, -- deletable + replicateable: getDeleted applies
  watermark              timestamptz,                 -- highest SystemModstamp fully synced; null until copied
  deletes_covered_until  timestamptz,                 -- getDeleted has been applied up to here
  copy_completed_at      timestamptz,
  needs_copy_reason      text,                        -- set when a pull finds it cannot catch up incrementally
  last_pull_at           timestamptz,
  updated_at             timestamptz NOT NULL DEFAULT now()
);

CREATE SEQUENCE tandem.copy_id_seq;

CREATE TABLE tandem.copy_checkpoint (
  object        text PRIMARY KEY,
  copy_id       bigint NOT NULL,                      -- stamped on every row the copy writes
  reason        text NOT NULL,
  started_at    timestamptz NOT NULL,                 -- watermark after the copy = started_at - overlap
  mode          text CHECK (mode IN ('bulk', 'rest')),-- null until the first page call chooses
  job_id        text,                                 -- Bulk API 2.0 query job
  locator       text,                                 -- next Bulk result page; null = first page
  last_id       text,                                 -- REST keyset cursor: last Id copied
  pages_copied  integer NOT NULL DEFAULT 0,
  rows_copied   bigint NOT NULL DEFAULT 0,
  total_rows    bigint,
  done          boolean NOT NULL DEFAULT false,
  updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE tandem.api_usage (
  singleton    boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  used         integer NOT NULL,
  daily_limit  integer NOT NULL,
  observed_at  timestamptz NOT NULL
);
