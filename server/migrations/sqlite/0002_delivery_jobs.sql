-- The durable outbox: one job per code to deliver, written in the transaction that
-- issues the code, and sent by a worker. Times here are Unix milliseconds.

CREATE TABLE delivery_jobs (
    id                  INTEGER PRIMARY KEY,
    code_id             INTEGER NOT NULL REFERENCES login_codes(id) ON DELETE CASCADE,
    contact_id          INTEGER,            -- no foreign key: the record outlives contacts
    channel             TEXT    NOT NULL,
    recipient           TEXT    NOT NULL,
    payload             BLOB,               -- subject and body, sealed under the server key; wiped when done
    status              TEXT    NOT NULL,   -- queued, sending, sent, delivered, undelivered, failed, expired
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
CREATE INDEX delivery_jobs_due ON delivery_jobs(status, next_attempt_at);
CREATE INDEX delivery_jobs_by_provider_id ON delivery_jobs(provider, provider_message_id);
CREATE INDEX delivery_jobs_by_contact ON delivery_jobs(contact_id, id);

-- Every try, for the administrator: why did this contact get no code?
CREATE TABLE delivery_attempts (
    id                  INTEGER PRIMARY KEY,
    job_id              INTEGER NOT NULL REFERENCES delivery_jobs(id) ON DELETE CASCADE,
    attempt             INTEGER NOT NULL,
    worker              TEXT    NOT NULL,
    started_at          INTEGER NOT NULL,
    finished_at         INTEGER,
    outcome             TEXT,               -- sent, temporary_failure, permanent_failure
    provider            TEXT,
    provider_message_id TEXT,
    error               TEXT
);
CREATE INDEX delivery_attempts_by_job ON delivery_attempts(job_id, id);
