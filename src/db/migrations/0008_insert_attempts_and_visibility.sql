-- The first send of an outbox entry (src/push/send.ts), committed before the Salesforce call: a retried
-- insert of an object without Tandem's external-id field whose first outcome was lost looks for a record
-- the same user created since then (src/push/find-existing.ts) instead of creating it again.
ALTER TABLE tandem.outbox
  ADD COLUMN first_sent_at timestamptz,                -- Salesforce's clock (the activities' now), not PostgreSQL's
  ADD COLUMN sent_by       varchar(18);                -- the sync user's Id at that send

-- Records that left the sync user's visibility (owner moved to a private user, sharing changed) while
-- their rows were live (src/activities/visibility.ts): the rows are marked `isdeleted` (or removed with
-- deletePolicy hard) like deletes, and listed here so the marketing side can tell why, pushes name the
-- real cause, and the sweep can pull them again once they are visible.
CREATE TABLE tandem.not_visible (
  object  text NOT NULL,
  sfid    varchar(18) NOT NULL,
  since   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (object, sfid)
);

-- When each object's visibility sweep last ran (on the deletedCheckIntervalSeconds cadence).
ALTER TABLE tandem.sync_object ADD COLUMN visibility_checked_at timestamptz;
