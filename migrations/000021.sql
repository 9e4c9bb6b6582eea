-- Direct mail (docs/mail.md "Addresses"): a contact's postal address, structured
-- (src/contacts/postal-address.ts: name, lines, city, region, postcode, country), validated per
-- country before it is stored. One JSON value rather than six columns: it is always read and written
-- whole, its parts vary by country (no region or postcode in some), and the one query over a part
-- (presort by postcode) sorts a print batch already in memory. NULL: no address.
ALTER TABLE contacts ADD COLUMN postal_address {{json}};
