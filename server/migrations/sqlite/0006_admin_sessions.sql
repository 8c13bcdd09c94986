-- An administrator's login in one browser, named by its own cookie. Stored hashed.
CREATE TABLE admin_sessions (
    id           INTEGER PRIMARY KEY,
    admin_id     INTEGER NOT NULL REFERENCES admins(id) ON DELETE CASCADE,
    token_hash   BLOB    NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    ended_at     INTEGER
);
CREATE INDEX admin_sessions_by_time ON admin_sessions(created_at);
