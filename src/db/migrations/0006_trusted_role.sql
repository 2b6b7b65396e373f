-- Who Tandem is, decided by the database role rather than by a setting anyone can set.
--
-- Until now echo suppression and the read-only guards trusted `tandem.origin = 'tandem'`, a custom
-- setting any role may set (SET LOCAL tandem.origin = 'tandem' by marketing skipped capture and wrote
-- read-only tables). A session is now Tandem's own only when both hold: its login role
-- (`session_user`, which SET ROLE cannot change) is a member of the owner of schema `tandem` — the role
-- Tandem migrates and connects as — and the transaction set `tandem.origin`. The setting still tells
-- Tandem's own writes from an operator's manual edit in a session of the same role. When marketing
-- connects as Tandem's role (the demo: everyone is `postgres`) the role cannot tell them apart and the
-- guard is advisory again; docs/least-privilege.md describes the setup where it holds.
--
-- The trigger functions become SECURITY DEFINER (they write tandem.outbox on behalf of writers who
-- have no access to schema tandem) with a fixed search_path, so no function or operator planted in a
-- schema the writer controls is ever resolved inside them
-- (https://www.postgresql.org/docs/current/sql-createfunction.html#SQL-CREATEFUNCTION-SECURITY).

CREATE FUNCTION tandem.is_tandem_session() RETURNS boolean LANGUAGE sql STABLE
  SET search_path = pg_catalog, pg_temp
AS $$
  SELECT current_setting('tandem.origin', true) = 'tandem'
     AND pg_has_role(session_user, (SELECT nspowner FROM pg_namespace WHERE nspname = 'tandem'), 'MEMBER')
$$;

-- Same body as in 0002 but for the first test; see there for TG_ARGV.
CREATE OR REPLACE FUNCTION tandem.capture_change() RETURNS trigger LANGUAGE plpgsql
  SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  object_name text := TG_ARGV[0];
  spec jsonb := TG_ARGV[1]::jsonb;
  new_j jsonb;
  old_j jsonb;
  changed jsonb;
  previous jsonb;
  bad record;
BEGIN
  IF tandem.is_tandem_session() THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'INSERT' THEN
    new_j := to_jsonb(NEW);
    FOR bad IN SELECT e->>0 AS col, e->>1 AS reason FROM jsonb_array_elements(spec->'notCreateable') e WHERE new_j->>(e->>0) IS NOT NULL LOOP
      RAISE EXCEPTION '%.%.% is read-only: %', TG_TABLE_SCHEMA, TG_TABLE_NAME, bad.col, bad.reason
        USING ERRCODE = 'insufficient_privilege', HINT = 'Leave it empty on insert; Salesforce or Tandem sets it.';
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

CREATE OR REPLACE FUNCTION tandem.refuse_truncate() RETURNS trigger LANGUAGE plpgsql
  SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF tandem.is_tandem_session() THEN
    RETURN NULL;
  END IF;
  RAISE EXCEPTION 'TRUNCATE of %.% is refused: it cannot be synced to Salesforce; DELETE the rows instead', TG_TABLE_SCHEMA, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE OR REPLACE FUNCTION tandem.refuse_write() RETURNS trigger LANGUAGE plpgsql
  SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF tandem.is_tandem_session() THEN
    RETURN NULL;
  END IF;
  RAISE EXCEPTION '%.% is read-only: it is synced from Salesforce', TG_TABLE_SCHEMA, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END;
$$;
