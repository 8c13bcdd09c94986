-- Retention (server/src/retention.rs): what is deleted, and when.

-- Delivery records outlive the codes they delivered: a code goes a day after its flow
-- ends, its delivery record only after the record retention. SQLite cannot change a
-- foreign key in place, so both delivery tables are rebuilt; the attempts first, so
-- that dropping the old jobs table cascades into nothing.
CREATE TABLE delivery_jobs_new (
    id                  INTEGER PRIMARY KEY,
    code_id             INTEGER REFERENCES login_codes(id) ON DELETE SET NULL,
    contact_id          INTEGER,            -- no foreign key: the record outlives contacts
    channel             TEXT    NOT NULL,
    recipient           TEXT    NOT NULL,
    payload             BLOB,               -- subject and body, sealed under the server key; wiped when done
    status              TEXT    NOT NULL,   -- queued, sending, sent, delivered, undelivered, failed, expired, cancelled
    attempts            INTEGER NOT NULL DEFAULT 0,
    next_attempt_at     INTEGER NOT NULL,
    lease_owner         TEXT,
    lease_until         INTEGER,
    expires_at          INTEGER NOT NULL,   -- the code's expiry: no sending after it
    provider            TEXT,
    provider_message_id TEXT,
    last_error          TEXT,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    sent_at             INTEGER,
    delivered_at        INTEGER
);
INSERT INTO delivery_jobs_new SELECT * FROM delivery_jobs;

CREATE TABLE delivery_attempts_new (
    id                  INTEGER PRIMARY KEY,
    job_id              INTEGER NOT NULL REFERENCES delivery_jobs_new(id) ON DELETE CASCADE,
    attempt             INTEGER NOT NULL,
    worker              TEXT    NOT NULL,
    started_at          INTEGER NOT NULL,
    finished_at         INTEGER,
    outcome             TEXT,
    provider            TEXT,
    provider_message_id TEXT,
    error               TEXT
);
INSERT INTO delivery_attempts_new SELECT * FROM delivery_attempts;

DROP TABLE delivery_attempts;
DROP TABLE delivery_jobs;
ALTER TABLE delivery_jobs_new RENAME TO delivery_jobs;
ALTER TABLE delivery_attempts_new RENAME TO delivery_attempts;

CREATE INDEX delivery_jobs_due ON delivery_jobs(status, next_attempt_at);
CREATE INDEX delivery_jobs_by_provider_id ON delivery_jobs(provider, provider_message_id);
CREATE INDEX delivery_jobs_by_contact ON delivery_jobs(contact_id, id);
CREATE INDEX delivery_jobs_by_code ON delivery_jobs(code_id);
CREATE INDEX delivery_jobs_by_time ON delivery_jobs(created_at);
CREATE INDEX delivery_attempts_by_job ON delivery_attempts(job_id, id);

-- Events stay append-only until they pass the retention: the horizon before which
-- they may go only moves forward, and nothing younger than it can be deleted.
CREATE TABLE retention (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    events_before INTEGER NOT NULL          -- Unix seconds
);
INSERT INTO retention (id, events_before) VALUES (1, 0);
CREATE TRIGGER retention_moves_forward BEFORE UPDATE ON retention
WHEN new.events_before < old.events_before
BEGIN SELECT RAISE(ABORT, 'the retention horizon only moves forward'); END;
DROP TRIGGER events_no_delete;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
WHEN old.at >= (SELECT events_before FROM retention WHERE id = 1)
BEGIN SELECT RAISE(ABORT, 'events are append-only until they pass the retention'); END;

-- What pruning looks up by time.
CREATE INDEX rate_hits_by_time ON rate_hits(at);
CREATE INDEX events_by_time ON events(at);
CREATE INDEX login_flows_by_last_code ON login_flows(last_sent_at);
CREATE INDEX devices_by_contact ON devices(contact_id);
CREATE INDEX outbox_by_time ON outbox(created_at);
