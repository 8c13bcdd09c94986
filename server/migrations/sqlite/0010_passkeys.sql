-- Passkeys (WebAuthn): a key in the contact's device or password manager that logs
-- them in without a code, in private windows and after cookies are cleared too.

-- The WebAuthn user handle: a random UUID, never the contact's id, name or address.
ALTER TABLE contacts ADD COLUMN passkey_user TEXT;
CREATE UNIQUE INDEX contacts_passkey_user ON contacts (passkey_user);

CREATE TABLE passkeys (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    contact_id      INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    credential_id   TEXT    NOT NULL UNIQUE,    -- base64url, as the browser names it
    passkey         TEXT    NOT NULL,           -- webauthn-rs' Passkey (public key, counter) as JSON
    browser         TEXT,                       -- "Chrome on Android": where it was made
    backup_eligible INTEGER NOT NULL,           -- may be synced to other devices
    backup_state    INTEGER NOT NULL,           -- is synced (as of its last use)
    sign_count      INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    last_used_at    INTEGER
);
CREATE INDEX passkeys_by_contact ON passkeys (contact_id);

-- A ceremony in progress (its challenge), kept here rather than in one process's
-- memory so that any process can finish it; taken once, valid for minutes.
CREATE TABLE passkey_ceremonies (
    token_hash BLOB    PRIMARY KEY,
    kind       TEXT    NOT NULL,                -- register, login
    contact_id INTEGER REFERENCES contacts(id) ON DELETE CASCADE,
    state      TEXT    NOT NULL,
    expires_at INTEGER NOT NULL
);
