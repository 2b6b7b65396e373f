-- Every Salesforce field that ever became a column, per object. A field that disappears from describe
-- (deleted, or hidden from the sync user by field-level security) keeps its column and data but no
-- longer syncs; the capture trigger then refuses marketing-side writes to that column with the reason,
-- instead of accepting a value that would silently never reach Salesforce (src/db/synced-fields.ts, src/db/capture-triggers.ts).
CREATE TABLE tandem.synced_field (
  object       text NOT NULL,
  column_name  text NOT NULL,
  field        text NOT NULL,
  first_seen   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (object, column_name)
);
