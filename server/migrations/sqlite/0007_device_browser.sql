-- Which browser and system a remembered device is ("Firefox on Android"), as its user
-- agent said at login: for the administrator's list of a contact's trusted browsers.
-- Only this summary is kept, not the user agent.
ALTER TABLE devices ADD COLUMN browser TEXT;
