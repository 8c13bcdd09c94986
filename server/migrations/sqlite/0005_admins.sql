-- Administrators: they log in with a username and a password (argon2id, PHC string).
CREATE TABLE admins (
    id                  INTEGER PRIMARY KEY,
    username            TEXT    NOT NULL UNIQUE,   -- lowercase
    password_hash       TEXT    NOT NULL,
    created_at          INTEGER NOT NULL,
    password_changed_at INTEGER NOT NULL
);
