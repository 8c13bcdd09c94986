-- Issue 24: a test message from the contact card, and delivery health per recipient
-- domain and SMS country.
--
-- A delivery job is a code's (`code`, with its login_codes row) or an administrator's
-- test message (`test`, no code, `requested_by` names the administrator). The
-- diagnosis reads only codes; the health page and the card read both.
ALTER TABLE delivery_jobs ADD COLUMN purpose TEXT NOT NULL DEFAULT 'code';
ALTER TABLE delivery_jobs ADD COLUMN requested_by TEXT;
-- Where it goes, as the health page groups it: the email address's domain
-- (lowercase) or the number's country calling code (+45). Numbers sent before this
-- migration stay NULL ("unknown") and age out of the page within a day. The domain is
-- what follows the last "@", as `delivery::destination` takes it; none is NULL.
ALTER TABLE delivery_jobs ADD COLUMN destination TEXT;
UPDATE delivery_jobs SET destination = NULLIF(lower(regexp_replace(recipient, '^.*@', '')), '')
 WHERE channel = 'email' AND strpos(recipient, '@') > 0;
CREATE INDEX delivery_jobs_by_destination ON delivery_jobs(destination, created_at);
-- What the server or provider said when it took the message ("250 2.0.0 Ok: queued
-- as …"), masked of codes like an error.
ALTER TABLE delivery_attempts ADD COLUMN answer TEXT;
