-- The login as explicit states (see server/src/login/flow.rs).

-- What the last step of a flow said, as the domain outcome (JSON), shown once to a
-- browser without JavaScript after its redirect.
ALTER TABLE login_flows RENAME COLUMN notice TO outcome;
-- What was stored before is in another shape; a flow in progress just shows no notice.
UPDATE login_flows SET outcome = NULL;
-- Whether the flow was started from a browser or network the contact used before:
-- such flows have sending limits and a failure lock of their own, out of a stranger's reach.
ALTER TABLE login_flows ADD COLUMN trust TEXT NOT NULL DEFAULT 'stranger';
CREATE INDEX login_flows_by_contact ON login_flows(contact_id);

-- A code used up without logging in: its contact opted out of its channel or was
-- removed. (An unsent code is a row with sent = 0 and an empty MAC.)
ALTER TABLE login_codes ADD COLUMN withdrawn_at INTEGER;

-- Networks a contact logged in from, for the trust above. IPv6 by /64.
CREATE TABLE known_networks (
    contact_id    INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    network       TEXT    NOT NULL,
    last_login_at INTEGER NOT NULL,
    PRIMARY KEY (contact_id, network)
);

CREATE INDEX delivery_jobs_by_code ON delivery_jobs(code_id);
