-- Salesforce records a pull or a copy could not store (a value its column cannot hold: 1e21 in a
-- numeric(18,0), a NUL in text). The record is skipped and the rest of its page goes in; it is read
-- again when Salesforce changes it, or on a resync, and its entry is resolved once it is stored.
-- sync_error keeps the marketing → Salesforce direction (it is keyed by the local row).
CREATE TABLE tandem.pull_quarantine (
  id           bigserial PRIMARY KEY,
  object       text NOT NULL,
  sfid         varchar(18) NOT NULL,
  field        text NOT NULL,
  value        text NOT NULL,                        -- a bounded summary of the refused value
  reason       text NOT NULL,
  operation    text NOT NULL,                        -- pull or copy
  first_seen   timestamptz NOT NULL DEFAULT now(),
  last_seen    timestamptz NOT NULL DEFAULT now(),
  attempts     integer NOT NULL DEFAULT 1,
  resolved_at  timestamptz,
  resolution   text
);
CREATE UNIQUE INDEX pull_quarantine_open ON tandem.pull_quarantine (object, sfid) WHERE resolved_at IS NULL;
