-- The first send of an outbox entry (src/push/send.ts), committed before the Salesforce call: a retried
-- insert of an object without Tandem's external-id field whose first outcome was lost looks for a record
-- the same user created since then (src/push/find-existing.ts) instead of creating it again.
ALTER TABLE tandem.outbox
  ADD COLUMN first_sent_at timestamptz,                -- Salesforce's clock (the activities' now), not PostgreSQL's
  ADD COLUMN sent_by       varchar(18);                -- the sync user's Id at that send
