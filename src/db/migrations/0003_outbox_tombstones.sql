-- Marketing-side deletes as tombstones: a pull or copy re-reads records changed inside its overlap
-- window, which would bring back a row marketing just deleted (Heroku Connect's "temporarily
-- resurrected deletes"). The pull's guard removes such a row again while its delete entry is younger
-- than the object's watermark minus the overlap (src/activities/pending-merge.ts); this index finds them.
CREATE INDEX outbox_deletes ON tandem.outbox (object, captured_at) WHERE operation = 'delete' AND sfid IS NOT NULL;
