-- Where an administrator logged in before (issue 20, M1): the right password from a
-- browser or network of theirs always gets through, whatever strangers guessed.

-- A browser an administrator logged in with: its own long-lived cookie, stored hashed.
CREATE TABLE admin_browsers (
    id           INTEGER PRIMARY KEY,
    admin_id     INTEGER NOT NULL REFERENCES admins(id) ON DELETE CASCADE,
    token_hash   BLOB    NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER NOT NULL
);
CREATE INDEX admin_browsers_by_time ON admin_browsers(last_used_at);

-- A network (IPv4 address or IPv6 prefix) an administrator logged in from.
CREATE TABLE admin_networks (
    admin_id      INTEGER NOT NULL REFERENCES admins(id) ON DELETE CASCADE,
    network       TEXT    NOT NULL,
    last_login_at INTEGER NOT NULL,
    PRIMARY KEY (admin_id, network)
);
CREATE INDEX admin_networks_by_time ON admin_networks(last_login_at);
