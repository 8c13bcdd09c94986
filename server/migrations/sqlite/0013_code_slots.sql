-- One code per login (issue 23): a code belongs to a slot, shared by every browser that
-- asks for the same sender (a contact, or an identifier nobody has), channel and trust
-- pool while the code can still log in. "Send a new code", a switch back to the
-- channel and a second browser re-send the slot's code; its expiry never moves.
--
-- Nothing here reveals a code: its digits are derived from the server key and the
-- slot (HMAC of the slot's id and creation time, truncated to six digits as HOTP
-- does), so a dump of the database without the key is no help, as before.
CREATE TABLE code_slots (
    id           INTEGER PRIMARY KEY,
    owner        TEXT    NOT NULL,          -- whom the sending limits count for: contact:<id> or the identifier
    contact_id   INTEGER REFERENCES contacts(id) ON DELETE CASCADE,
    channel      TEXT    NOT NULL,
    trust        TEXT    NOT NULL,          -- familiar or stranger: the pools never share a code
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    sent_at      INTEGER,                   -- when it was first sent; NULL: never sent
    last_sent_at INTEGER,                   -- its latest send: the 30 s interval is per slot (so per channel)
    attempts     INTEGER NOT NULL DEFAULT 0,
    used_at      INTEGER,                   -- first login with it: later requests get a new slot
    withdrawn_at INTEGER                    -- its contact opted out of its channel
);
CREATE INDEX code_slots_by_owner ON code_slots(owner, channel, trust, id);
CREATE INDEX code_slots_by_contact ON code_slots(contact_id, id);

-- A login_codes row is now one request of a flow linked to its slot. A code issued
-- before this migration has no slot and is read as expired (its digits cannot be
-- derived); its queued delivery is cancelled so no dead code goes out.
ALTER TABLE login_codes ADD COLUMN slot_id INTEGER REFERENCES code_slots(id) ON DELETE CASCADE;
UPDATE delivery_jobs SET status = 'cancelled', payload = NULL, lease_owner = NULL, lease_until = NULL
 WHERE status IN ('queued', 'sending');
ALTER TABLE login_codes DROP COLUMN code_mac;
ALTER TABLE login_codes DROP COLUMN expires_at;
ALTER TABLE login_codes DROP COLUMN attempts;
ALTER TABLE login_codes DROP COLUMN withdrawn_at;
CREATE INDEX login_codes_by_slot ON login_codes(slot_id);
