-- Which Salesforce org each data schema belongs to (src/sync/org-identity.ts): recorded on the first
-- sync, checked on every login, changed only by `tandem rebind`.
CREATE TABLE tandem.org_binding (
  data_schema   text PRIMARY KEY,                    -- the schema holding the synced tables
  org_id        text NOT NULL,                       -- 18-character Organization Id
  org_name      text,                                -- Organization.Name, for messages
  instance_url  text NOT NULL,
  bound_at      timestamptz NOT NULL DEFAULT now()
);

-- Every deliberate re-binding, with what the command promised, for the record's story.
CREATE TABLE tandem.org_rebind_log (
  id               bigserial PRIMARY KEY,
  data_schema      text NOT NULL,
  from_org_id      text NOT NULL,
  to_org_id        text NOT NULL,
  rebound_at       timestamptz NOT NULL DEFAULT now(),
  objects_recopied text[] NOT NULL,
  pending_kept     integer NOT NULL                  -- marketing-side changes left pending, pushed to the new org
);
