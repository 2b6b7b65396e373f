-- The push side (PostgreSQL → Salesforce): change capture into an outbox, the base values of
-- pending fields (the shadow), durable sync errors, the conflict log, and the trigger functions
-- installed on the data tables by src/db/capture-triggers.ts.
--
-- Echo suppression: Tandem's own writes (pulls, copies, sfid write-back) run with the
-- transaction-local setting `tandem.origin = 'tandem'` (src/db/pool.ts withTransaction); the
-- triggers ignore them, so nothing Tandem writes is ever pushed back.

CREATE TABLE tandem.outbox (
  id           bigserial PRIMARY KEY,
  object       text NOT NULL,                        -- Salesforce API name
  row_id       bigint NOT NULL,                      -- the row's local id in the data table
  sfid         varchar(18),                          -- the Salesforce id when the row had one
  operation    text NOT NULL CHECK (operation IN ('insert', 'update', 'delete')),
  changed      jsonb NOT NULL DEFAULT '{}',          -- column → new value (insert: every non-null tracked column)
  previous     jsonb NOT NULL DEFAULT '{}',          -- column → value before (update, delete)
  captured_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
  txid         bigint NOT NULL DEFAULT txid_current(),
  -- pending: waiting for the next push; failed: refused permanently (see sync_error), re-driven by the
  -- row's next change or a resync; pushed: in Salesforce; superseded: nothing left to send (Salesforce
  -- won every field, or the row vanished); skipped: not sent by configuration (deletes, never-push);
  -- redirected / linked: applied to another record (converted lead, merge master, email match).
  status       text NOT NULL DEFAULT 'pending'
               CHECK (status IN ('pending', 'failed', 'pushed', 'superseded', 'skipped', 'redirected', 'linked')),
  attempts     integer NOT NULL DEFAULT 0,
  last_error   text,
  note         text,
  done_at      timestamptz
);
CREATE INDEX outbox_open ON tandem.outbox (object, row_id) WHERE status IN ('pending', 'failed');
CREATE INDEX outbox_row ON tandem.outbox (object, row_id, id);
CREATE INDEX outbox_sfid ON tandem.outbox (sfid) WHERE sfid IS NOT NULL;

-- The shadow: for each row with marketing-side changes not yet in Salesforce, the values both sides
-- last agreed on for those columns (captured from OLD at the first change, moved forward by pulls and
-- pushes). The three-way merge of a pull compares Salesforce's value with it (src/sync/merge.ts).
-- Rows with nothing pending have no entry: there the row itself is what both sides agree on.
CREATE TABLE tandem.shadow (
  object      text NOT NULL,
  row_id      bigint NOT NULL,
  base        jsonb NOT NULL DEFAULT '{}',
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (object, row_id)
);

-- Records Salesforce refused permanently. Kept after resolution (resolved_at) as the record's story.
CREATE TABLE tandem.sync_error (
  id           bigserial PRIMARY KEY,
  object       text NOT NULL,
  row_id       bigint NOT NULL,
  sfid         varchar(18),
  operation    text NOT NULL,
  code         text NOT NULL,                        -- Salesforce statusCode, or Tandem's own (INVALID_CAMPAIGN_MEMBER_STATUS)
  message      text NOT NULL,
  fields       text[] NOT NULL DEFAULT '{}',
  first_seen   timestamptz NOT NULL DEFAULT now(),
  last_seen    timestamptz NOT NULL DEFAULT now(),
  attempts     integer NOT NULL DEFAULT 1,
  resolved_at  timestamptz,
  resolution   text
);
CREATE UNIQUE INDEX sync_error_open ON tandem.sync_error (object, row_id) WHERE resolved_at IS NULL;
CREATE INDEX sync_error_row ON tandem.sync_error (object, row_id);

-- Every overwrite of one side's value by the other's in a same-field conflict.
CREATE TABLE tandem.conflict_log (
  id                bigserial PRIMARY KEY,
  object            text NOT NULL,
  row_id            bigint NOT NULL,
  sfid              varchar(18),
  field             text NOT NULL,                   -- Salesforce field API name
  base_value        jsonb,                           -- the value both sides last agreed on
  marketing_value   jsonb,
  salesforce_value  jsonb,
  winner            text NOT NULL CHECK (winner IN ('salesforce', 'marketing')),
  rule              text NOT NULL,
  marketing_changed_at   timestamptz,
  salesforce_changed_at  timestamptz,
  logged_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX conflict_log_row ON tandem.conflict_log (object, row_id);

-- Merge losers whose marketing rows were already folded into their master.
CREATE TABLE tandem.merge_applied (
  object       text NOT NULL,
  loser_sfid   varchar(18) NOT NULL,
  master_sfid  varchar(18) NOT NULL,
  applied_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (object, loser_sfid)
);

-- The latest push of each object, for status and a record's story.
CREATE TABLE tandem.push_state (
  object        text PRIMARY KEY,
  last_push_at  timestamptz NOT NULL,
  last_result   jsonb NOT NULL
);

-- Change capture on a two-way table: AFTER each row, records the change in the outbox unless the
-- transaction is Tandem's own. TG_ARGV[0] is the object, TG_ARGV[1] a JSON spec (CaptureSpec in
-- src/sync/capture-spec.ts) written by src/db/capture-triggers.ts: {"tracked": [columns pushed to
-- Salesforce], "notCreateable": [[column, reason], ...], "notUpdateable": [[column, reason], ...]}. A write
-- that sets a field the sync user cannot write is refused with the reason: never silently dropped.
CREATE FUNCTION tandem.capture_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  object_name text := TG_ARGV[0];
  spec jsonb := TG_ARGV[1]::jsonb;
  new_j jsonb;
  old_j jsonb;
  changed jsonb;
  previous jsonb;
  bad record;
BEGIN
  IF current_setting('tandem.origin', true) = 'tandem' THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'INSERT' THEN
    new_j := to_jsonb(NEW);
    FOR bad IN SELECT e->>0 AS col, e->>1 AS reason FROM jsonb_array_elements(spec->'notCreateable') e WHERE new_j->>(e->>0) IS NOT NULL LOOP
      RAISE EXCEPTION '%.%.% is read-only: %', TG_TABLE_SCHEMA, TG_TABLE_NAME, bad.col, bad.reason
        USING ERRCODE = 'insufficient_privilege', HINT = 'Leave it empty on insert; Salesforce sets it.';
    END LOOP;
    SELECT COALESCE(jsonb_object_agg(k, new_j->k), '{}') INTO changed
      FROM jsonb_array_elements_text(spec->'tracked') k WHERE new_j->>k IS NOT NULL;
    INSERT INTO tandem.outbox (object, row_id, sfid, operation, changed)
      VALUES (object_name, NEW.id, NEW.sfid, 'insert', changed);
    RETURN NULL;
  ELSIF TG_OP = 'UPDATE' THEN
    new_j := to_jsonb(NEW);
    old_j := to_jsonb(OLD);
    FOR bad IN SELECT e->>0 AS col, e->>1 AS reason FROM jsonb_array_elements(spec->'notUpdateable') e
                WHERE new_j->(e->>0) IS DISTINCT FROM old_j->(e->>0) LOOP
      RAISE EXCEPTION '%.%.% is read-only: %', TG_TABLE_SCHEMA, TG_TABLE_NAME, bad.col, bad.reason
        USING ERRCODE = 'insufficient_privilege';
    END LOOP;
    SELECT COALESCE(jsonb_object_agg(k, new_j->k), '{}'), COALESCE(jsonb_object_agg(k, old_j->k), '{}')
      INTO changed, previous
      FROM jsonb_array_elements_text(spec->'tracked') k WHERE new_j->k IS DISTINCT FROM old_j->k;
    IF changed = '{}'::jsonb THEN
      RETURN NULL;                                   -- only local-only or Tandem columns changed
    END IF;
    INSERT INTO tandem.outbox (object, row_id, sfid, operation, changed, previous)
      VALUES (object_name, NEW.id, NEW.sfid, 'update', changed, previous);
    IF NEW.sfid IS NOT NULL THEN
      -- The first change of a column records the value both sides agreed on; later ones keep it.
      INSERT INTO tandem.shadow AS s (object, row_id, base) VALUES (object_name, NEW.id, previous)
        ON CONFLICT (object, row_id) DO UPDATE SET base = EXCLUDED.base || s.base, updated_at = now();
    END IF;
    RETURN NULL;
  ELSE
    old_j := to_jsonb(OLD);
    SELECT COALESCE(jsonb_object_agg(k, old_j->k), '{}') INTO previous
      FROM jsonb_array_elements_text(spec->'tracked') k WHERE old_j->>k IS NOT NULL;
    INSERT INTO tandem.outbox (object, row_id, sfid, operation, previous)
      VALUES (object_name, OLD.id, OLD.sfid, 'delete', previous);
    RETURN NULL;
  END IF;
END;
$$;

-- TRUNCATE fires no row triggers, so it could never be captured: refused on two-way tables.
CREATE FUNCTION tandem.refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('tandem.origin', true) = 'tandem' THEN
    RETURN NULL;
  END IF;
  RAISE EXCEPTION 'TRUNCATE of %.% is refused: it cannot be synced to Salesforce; DELETE the rows instead', TG_TABLE_SCHEMA, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

-- One-way tables (account, opportunity, …): only Tandem writes them.
CREATE FUNCTION tandem.refuse_write() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('tandem.origin', true) = 'tandem' THEN
    RETURN NULL;
  END IF;
  RAISE EXCEPTION '%.% is read-only: it is synced from Salesforce', TG_TABLE_SCHEMA, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END;
$$;
