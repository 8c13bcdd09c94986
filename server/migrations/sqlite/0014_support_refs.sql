-- Numbered as its PostgreSQL twin (0014).
-- Support references (issue 24): a refusal the contact may call about comes with a
-- short reference they can read aloud (`K7M-4QX`, stored as `K7M4QX`); typed into the
-- administrator's search, it opens the attempt. One row per notice given, kept as long
-- as the events (retention prunes both at the same cutoff). Six random symbols: two
-- references may meet by chance, so the reference is indexed, not unique.
CREATE TABLE support_refs (
    id          INTEGER PRIMARY KEY,
    reference   TEXT    NOT NULL,
    at          INTEGER NOT NULL,
    step        TEXT    NOT NULL,          -- send_code, new_code, code_entry, message
    told        TEXT    NOT NULL,          -- the notice: wrong_code, expired, no_flow, …
    contact_id  INTEGER,                   -- no foreign key: kept like the events, which outlive contacts
    flow_id     INTEGER,
    typed       TEXT,                      -- the email or number typed (at most 200 characters), or the message id
    network     TEXT    NOT NULL,          -- an IPv4 address or an IPv6 prefix, as the limits count it
    browser     TEXT                       -- "Firefox on Android", from the User-Agent
);
CREATE INDEX support_refs_by_reference ON support_refs(reference);
CREATE INDEX support_refs_by_network ON support_refs(network, at);
CREATE INDEX support_refs_by_time ON support_refs(at);
CREATE INDEX support_refs_by_contact ON support_refs(contact_id, at);
