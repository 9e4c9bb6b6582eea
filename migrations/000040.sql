-- Contact search (GET /api/contacts/search, src/contacts/search.ts; docs/web.md "Contacts").
-- One normalised text per contact, `search_text`: the name attributes (name, first_name, last_name,
-- firstName, lastName), email, user id and phone, lower-cased, with Arabic and Persian letters folded
-- (أ إ آ ٱ → ا, ى ی → ي, ک → ك, ة → ه) and tatweel and harakat (U+0640, U+064B..U+0652) removed, so
-- "احمد" finds "أحمد". A generated column: every writer of contacts (API, identify, import, erase)
-- keeps it right without code of its own. src/contacts/search-text.ts folds the query the same way.
-- (SQLite's lower() folds ASCII only; PostgreSQL's folds all letters. Queries are folded in full.)
--
-- The search is a substring match of each word of the query (LIKE '%word%').
-- PostgreSQL: a trigram GIN index (pg_trgm, a trusted extension of the stock contrib, created by
-- the database owner) answers infix LIKE without a scan.
-- SQLite: no index serves an infix LIKE; (workspace_id, id, search_text) of the contacts not erased
-- lets the page and the count scan this narrow index in id order (the keyset order) and test the
-- stored text there, reading the table only for the rows of the page. The planner does not pick it
-- for the count by itself (it scans the table, computing the virtual column for every row: 6-8 s at
-- 100,000 contacts on the busy shared machine, against 0.3 s through the index), so
-- src/contacts/search.ts names it (INDEXED BY).
--@postgres
CREATE EXTENSION IF NOT EXISTS pg_trgm
--@end
--@postgres
ALTER TABLE contacts ADD COLUMN search_text text GENERATED ALWAYS AS (
  replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(lower(
      coalesce(attributes ->> 'name', '') || ' ' ||
      coalesce(attributes ->> 'first_name', '') || ' ' ||
      coalesce(attributes ->> 'last_name', '') || ' ' ||
      coalesce(attributes ->> 'firstName', '') || ' ' ||
      coalesce(attributes ->> 'lastName', '') || ' ' ||
      coalesce(email, '') || ' ' ||
      coalesce(user_id, '') || ' ' ||
      coalesce(phone, '')
    ), chr(1571), chr(1575)), chr(1573), chr(1575)), chr(1570), chr(1575)), chr(1649), chr(1575)), chr(1609), chr(1610)), chr(1740), chr(1610)), chr(1705), chr(1603)), chr(1577), chr(1607)), chr(1600), ''), chr(1611), ''), chr(1612), ''), chr(1613), ''), chr(1614), ''), chr(1615), ''), chr(1616), ''), chr(1617), ''), chr(1618), '')
) STORED
--@end
--@postgres
CREATE INDEX contacts_search_trgm ON contacts USING gin (search_text gin_trgm_ops)
--@end
--@sqlite
ALTER TABLE contacts ADD COLUMN search_text text GENERATED ALWAYS AS (
  replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(lower(
      coalesce(attributes ->> '$.name', '') || ' ' ||
      coalesce(attributes ->> '$.first_name', '') || ' ' ||
      coalesce(attributes ->> '$.last_name', '') || ' ' ||
      coalesce(attributes ->> '$.firstName', '') || ' ' ||
      coalesce(attributes ->> '$.lastName', '') || ' ' ||
      coalesce(email, '') || ' ' ||
      coalesce(user_id, '') || ' ' ||
      coalesce(phone, '')
    ), char(1571), char(1575)), char(1573), char(1575)), char(1570), char(1575)), char(1649), char(1575)), char(1609), char(1610)), char(1740), char(1610)), char(1705), char(1603)), char(1577), char(1607)), char(1600), ''), char(1611), ''), char(1612), ''), char(1613), ''), char(1614), ''), char(1615), ''), char(1616), ''), char(1617), ''), char(1618), '')
) VIRTUAL
--@end
--@sqlite
CREATE INDEX contacts_search ON contacts (workspace_id, id, search_text) WHERE erased_at IS NULL
--@end
