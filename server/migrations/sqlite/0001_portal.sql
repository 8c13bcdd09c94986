-- Times are Unix seconds (UTC). Codes and tokens are stored only as MACs/hashes.

CREATE TABLE contacts (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL,
    email         TEXT    UNIQUE,           -- trimmed, lowercase
    phone         TEXT    UNIQUE,           -- E.164
    email_opt_out INTEGER NOT NULL DEFAULT 0,
    sms_opt_out   INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    CHECK (email IS NOT NULL OR phone IS NOT NULL)
);

CREATE TABLE messages (
    id            INTEGER PRIMARY KEY,
    public_id     TEXT    NOT NULL UNIQUE,
    title         TEXT    NOT NULL,
    body_markdown TEXT    NOT NULL,
    body_html     TEXT    NOT NULL,         -- rendered and sanitised once, on insert
    created_at    INTEGER NOT NULL
);

CREATE TABLE publications (
    message_id   INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    contact_id   INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    published_at INTEGER NOT NULL,
    PRIMARY KEY (message_id, contact_id)
);
CREATE INDEX publications_by_contact ON publications(contact_id, published_at);

-- One login attempt in one browser, named by the flow cookie.
CREATE TABLE login_flows (
    id           INTEGER PRIMARY KEY,
    token_hash   BLOB    NOT NULL UNIQUE,
    identifier   TEXT    NOT NULL,          -- as typed, echoed back to the same browser
    channel      TEXT    NOT NULL,
    contact_id   INTEGER REFERENCES contacts(id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    last_sent_at INTEGER NOT NULL,
    notice       TEXT,                      -- what to tell the browser on its next page view
    completed_at INTEGER
);

-- A code row exists for every request, also when nothing was sent (contact_id NULL
-- or no address): such a row's MAC matches no code, so all requests look alike.
CREATE TABLE login_codes (
    id          INTEGER PRIMARY KEY,
    flow_id     INTEGER NOT NULL REFERENCES login_flows(id) ON DELETE CASCADE,
    contact_id  INTEGER REFERENCES contacts(id) ON DELETE CASCADE,
    channel     TEXT    NOT NULL,
    code_mac    BLOB    NOT NULL,
    sent        INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    consumed_at INTEGER
);
CREATE INDEX login_codes_by_contact ON login_codes(contact_id, id);
CREATE INDEX login_codes_by_flow ON login_codes(flow_id, id);

CREATE TABLE devices (
    id           INTEGER PRIMARY KEY,
    contact_id   INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    token_hash   BLOB    NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    welcomed     INTEGER NOT NULL DEFAULT 0,
    revoked_at   INTEGER
);

-- Counters for rate limits (per network, …), pruned after a day.
CREATE TABLE rate_hits (
    scope TEXT    NOT NULL,
    key   TEXT    NOT NULL,
    at    INTEGER NOT NULL
);
CREATE INDEX rate_hits_lookup ON rate_hits(scope, key, at);

-- What happened, for the administrator: append-only.
CREATE TABLE events (
    id         INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,
    kind       TEXT    NOT NULL,
    contact_id INTEGER,                     -- no foreign key: the log outlives contacts
    detail     TEXT    NOT NULL DEFAULT '{}'
);
CREATE INDEX events_by_contact ON events(contact_id, id);
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

-- The dev outbox: what would have been sent, shown at /dev/outbox.
CREATE TABLE outbox (
    id         INTEGER PRIMARY KEY,
    channel    TEXT    NOT NULL,
    recipient  TEXT    NOT NULL,
    subject    TEXT    NOT NULL,
    body       TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);
