-- The language of a contact's last login ('en' or 'da'): their codes are written in it.
ALTER TABLE contacts ADD COLUMN language TEXT;
