-- The dev outbox lists messages in the order their codes were issued (the delivery
-- job's id), not in the order workers happened to finish sending them: with several
-- workers a newer code could otherwise appear above an older one.
ALTER TABLE outbox ADD COLUMN job_id INTEGER NOT NULL DEFAULT 0;
