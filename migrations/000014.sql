-- Per-contact daily rollups of events, for segment conditions over whole days (src/segments/rollup.ts,
-- docs/segments.md "Rollups"). A day is the UTC day, `day` = floor(timestamp / 86400000).
--   event_days: per (workspace, event name, day, contact, machine) the count and the first and last
--     timestamp. machine = 1 when properties.machine is JSON true (Apple Mail Privacy Protection
--     opens, STANDARDS.md 13), so "opened" conditions can leave machine opens out.
--   event_day_values: per (workspace, event name, top-level property, day, contact) the count, sum,
--     min and max of the property's values that are JSON numbers (what the segments' JSON reader
--     reads as a number), for sum / avg / min / max conditions.
-- They are kept by triggers on events in the same statement as the change, so every writer (ingest,
-- tracking, bounces, segment events) and every change (an alias merge moving events to another
-- contact, an erasure emptying properties, a cascade delete) is followed without a code path that
-- could forget it. An insert adds to the rows (PostgreSQL: one set-based upsert per statement over
-- the transition table; SQLite: one upsert per row); an update or delete rebuilds the touched
-- (contact, name, day) keys from the events themselves, since min and max cannot be subtracted.
-- The primary keys start with (workspace, name[, property], day): a segment reads a range of days
-- of one event name; a rebuild finds its rows by the full key. No foreign key to contacts: the
-- delete trigger removes the rows of a deleted contact's events, and a check per ingested row
-- would cost an index probe.
CREATE TABLE event_days (
  workspace_id text NOT NULL,
  name text NOT NULL,
  day bigint NOT NULL,
  contact_id text NOT NULL,
  machine integer NOT NULL,
  n bigint NOT NULL,
  first_at bigint NOT NULL,
  last_at bigint NOT NULL,
  PRIMARY KEY (workspace_id, name, day, contact_id, machine)
);

CREATE TABLE event_day_values (
  workspace_id text NOT NULL,
  name text NOT NULL,
  property text NOT NULL,
  day bigint NOT NULL,
  contact_id text NOT NULL,
  n bigint NOT NULL,
  value_sum double precision NOT NULL,
  value_min double precision NOT NULL,
  value_max double precision NOT NULL,
  PRIMARY KEY (workspace_id, name, property, day, contact_id)
);

-- Backfill, in key order (the heap then follows the primary key, which the range reads like).
--@postgres
INSERT INTO event_days (workspace_id, name, day, contact_id, machine, n, first_at, last_at)
SELECT workspace_id, name, day, contact_id, machine, count(*), min(timestamp), max(timestamp)
FROM (SELECT workspace_id, name, contact_id, timestamp, (timestamp - ((timestamp % 86400000) + 86400000) % 86400000) / 86400000 AS day, CASE WHEN properties -> 'machine' = 'true'::jsonb THEN 1 ELSE 0 END AS machine FROM events) r
GROUP BY workspace_id, name, day, contact_id, machine
ORDER BY workspace_id, name, day, contact_id, machine
--@end

--@postgres
INSERT INTO event_day_values (workspace_id, name, property, day, contact_id, n, value_sum, value_min, value_max)
SELECT r.workspace_id, r.name, p.key, r.day, r.contact_id, count(*), sum(p.value::text::double precision), min(p.value::text::double precision), max(p.value::text::double precision)
FROM (SELECT workspace_id, name, contact_id, properties, (timestamp - ((timestamp % 86400000) + 86400000) % 86400000) / 86400000 AS day FROM events) r
CROSS JOIN LATERAL jsonb_each(CASE WHEN jsonb_typeof(r.properties) = 'object' THEN r.properties ELSE '{}'::jsonb END) AS p
WHERE jsonb_typeof(p.value) = 'number'
GROUP BY r.workspace_id, r.name, p.key, r.day, r.contact_id
ORDER BY r.workspace_id, r.name, p.key, r.day, r.contact_id
--@end

-- Insert: one upsert of each table per statement, from the transition table. ORDER BY takes the
-- row locks in key order, so two concurrent ingest transactions cannot deadlock on them.
--@postgres
CREATE FUNCTION event_rollups_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO event_days (workspace_id, name, day, contact_id, machine, n, first_at, last_at)
  SELECT workspace_id, name, day, contact_id, machine, count(*), min(timestamp), max(timestamp)
  FROM (SELECT workspace_id, name, contact_id, timestamp, (timestamp - ((timestamp % 86400000) + 86400000) % 86400000) / 86400000 AS day, CASE WHEN properties -> 'machine' = 'true'::jsonb THEN 1 ELSE 0 END AS machine FROM new_rows) r
  GROUP BY workspace_id, name, day, contact_id, machine
  ORDER BY workspace_id, name, day, contact_id, machine
  ON CONFLICT (workspace_id, name, day, contact_id, machine) DO UPDATE
    SET n = event_days.n + excluded.n, first_at = LEAST(event_days.first_at, excluded.first_at), last_at = GREATEST(event_days.last_at, excluded.last_at);
  INSERT INTO event_day_values (workspace_id, name, property, day, contact_id, n, value_sum, value_min, value_max)
  SELECT r.workspace_id, r.name, p.key, r.day, r.contact_id, count(*), sum(p.value::text::double precision), min(p.value::text::double precision), max(p.value::text::double precision)
  FROM (SELECT workspace_id, name, contact_id, properties, (timestamp - ((timestamp % 86400000) + 86400000) % 86400000) / 86400000 AS day FROM new_rows) r
  CROSS JOIN LATERAL jsonb_each(CASE WHEN jsonb_typeof(r.properties) = 'object' THEN r.properties ELSE '{}'::jsonb END) AS p
  WHERE jsonb_typeof(p.value) = 'number'
  GROUP BY r.workspace_id, r.name, p.key, r.day, r.contact_id
  ORDER BY r.workspace_id, r.name, p.key, r.day, r.contact_id
  ON CONFLICT (workspace_id, name, property, day, contact_id) DO UPDATE
    SET n = event_day_values.n + excluded.n, value_sum = event_day_values.value_sum + excluded.value_sum,
      value_min = LEAST(event_day_values.value_min, excluded.value_min), value_max = GREATEST(event_day_values.value_max, excluded.value_max);
  RETURN NULL;
END $$
--@end

-- Update and delete: the (contact, name, day) keys the old and new rows touch (and, for values, the
-- numeric properties they carry) are deleted and recomputed from events.
--@postgres
CREATE FUNCTION event_rollups_rebuild() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  k_ws text[]; k_contact text[]; k_name text[]; k_day bigint[];
  v_ws text[]; v_contact text[]; v_name text[]; v_prop text[]; v_day bigint[];
BEGIN
  IF TG_OP = 'UPDATE' THEN
    SELECT array_agg(workspace_id), array_agg(contact_id), array_agg(name), array_agg(day) INTO k_ws, k_contact, k_name, k_day
    FROM (SELECT DISTINCT workspace_id, contact_id, name, (timestamp - ((timestamp % 86400000) + 86400000) % 86400000) / 86400000 AS day FROM (SELECT workspace_id, contact_id, name, properties, timestamp FROM old_rows UNION ALL SELECT workspace_id, contact_id, name, properties, timestamp FROM new_rows) t) k;
    SELECT array_agg(workspace_id), array_agg(contact_id), array_agg(name), array_agg(key), array_agg(day) INTO v_ws, v_contact, v_name, v_prop, v_day
    FROM (SELECT DISTINCT t.workspace_id, t.contact_id, t.name, p.key, (t.timestamp - ((t.timestamp % 86400000) + 86400000) % 86400000) / 86400000 AS day
          FROM (SELECT workspace_id, contact_id, name, properties, timestamp FROM old_rows UNION ALL SELECT workspace_id, contact_id, name, properties, timestamp FROM new_rows) t CROSS JOIN LATERAL jsonb_each(CASE WHEN jsonb_typeof(t.properties) = 'object' THEN t.properties ELSE '{}'::jsonb END) AS p
          WHERE jsonb_typeof(p.value) = 'number') k;
  ELSE
    SELECT array_agg(workspace_id), array_agg(contact_id), array_agg(name), array_agg(day) INTO k_ws, k_contact, k_name, k_day
    FROM (SELECT DISTINCT workspace_id, contact_id, name, (timestamp - ((timestamp % 86400000) + 86400000) % 86400000) / 86400000 AS day FROM old_rows t) k;
    SELECT array_agg(workspace_id), array_agg(contact_id), array_agg(name), array_agg(key), array_agg(day) INTO v_ws, v_contact, v_name, v_prop, v_day
    FROM (SELECT DISTINCT t.workspace_id, t.contact_id, t.name, p.key, (t.timestamp - ((t.timestamp % 86400000) + 86400000) % 86400000) / 86400000 AS day
          FROM old_rows t CROSS JOIN LATERAL jsonb_each(CASE WHEN jsonb_typeof(t.properties) = 'object' THEN t.properties ELSE '{}'::jsonb END) AS p
          WHERE jsonb_typeof(p.value) = 'number') k;
  END IF;
  DELETE FROM event_days d USING unnest(k_ws, k_contact, k_name, k_day) AS k(ws, contact, name, day)
  WHERE d.workspace_id = k.ws AND d.name = k.name AND d.day = k.day AND d.contact_id = k.contact;
  INSERT INTO event_days (workspace_id, name, day, contact_id, machine, n, first_at, last_at)
  SELECT e.workspace_id, e.name, k.day, e.contact_id, CASE WHEN e.properties -> 'machine' = 'true'::jsonb THEN 1 ELSE 0 END, count(*), min(e.timestamp), max(e.timestamp)
  FROM unnest(k_ws, k_contact, k_name, k_day) AS k(ws, contact, name, day)
  JOIN events e ON e.contact_id = k.contact AND e.name = k.name AND e.timestamp >= k.day * 86400000 AND e.timestamp < (k.day + 1) * 86400000
  GROUP BY e.workspace_id, e.name, k.day, e.contact_id, 5;
  DELETE FROM event_day_values d USING unnest(v_ws, v_contact, v_name, v_prop, v_day) AS k(ws, contact, name, prop, day)
  WHERE d.workspace_id = k.ws AND d.name = k.name AND d.property = k.prop AND d.day = k.day AND d.contact_id = k.contact;
  INSERT INTO event_day_values (workspace_id, name, property, day, contact_id, n, value_sum, value_min, value_max)
  SELECT e.workspace_id, e.name, k.prop, k.day, e.contact_id, count(*), sum(v.x), min(v.x), max(v.x)
  FROM unnest(v_ws, v_contact, v_name, v_prop, v_day) AS k(ws, contact, name, prop, day)
  JOIN events e ON e.contact_id = k.contact AND e.name = k.name AND e.timestamp >= k.day * 86400000 AND e.timestamp < (k.day + 1) * 86400000
  CROSS JOIN LATERAL (SELECT CASE WHEN jsonb_typeof(e.properties -> k.prop) = 'number' THEN (e.properties ->> k.prop)::double precision END AS x) v
  WHERE v.x IS NOT NULL
  GROUP BY e.workspace_id, e.name, k.prop, k.day, e.contact_id;
  RETURN NULL;
END $$
--@end

--@postgres
CREATE TRIGGER events_rollups_insert AFTER INSERT ON events REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION event_rollups_insert()
--@end
--@postgres
CREATE TRIGGER events_rollups_update AFTER UPDATE ON events REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION event_rollups_rebuild()
--@end
--@postgres
CREATE TRIGGER events_rollups_delete AFTER DELETE ON events REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION event_rollups_rebuild()
--@end

--@sqlite
INSERT INTO event_days (workspace_id, name, day, contact_id, machine, n, first_at, last_at)
SELECT workspace_id, name, (timestamp - ((timestamp % 86400000) + 86400000) % 86400000) / 86400000 AS day, contact_id, CASE WHEN json_type(properties, '$.machine') = 'true' THEN 1 ELSE 0 END AS machine, count(*), min(timestamp), max(timestamp)
FROM events
GROUP BY workspace_id, name, day, contact_id, machine
--@end

--@sqlite
INSERT INTO event_day_values (workspace_id, name, property, day, contact_id, n, value_sum, value_min, value_max)
SELECT e.workspace_id, e.name, j.key, (e.timestamp - ((e.timestamp % 86400000) + 86400000) % 86400000) / 86400000 AS day, e.contact_id, count(*), sum(j.value), min(j.value), max(j.value)
FROM events e, json_each(e.properties) j
WHERE json_type(e.properties) = 'object' AND j.type IN ('integer', 'real')
GROUP BY e.workspace_id, e.name, j.key, day, e.contact_id
--@end

-- SQLite has row triggers only: one upsert of each table per inserted row (`WHERE true` keeps
-- SQLite from reading ON CONFLICT as a join constraint).
--@sqlite
CREATE TRIGGER events_rollups_insert AFTER INSERT ON events BEGIN
  INSERT INTO event_days (workspace_id, name, day, contact_id, machine, n, first_at, last_at)
  VALUES (NEW.workspace_id, NEW.name, (NEW.timestamp - ((NEW.timestamp % 86400000) + 86400000) % 86400000) / 86400000, NEW.contact_id, CASE WHEN json_type(NEW.properties, '$.machine') = 'true' THEN 1 ELSE 0 END, 1, NEW.timestamp, NEW.timestamp)
  ON CONFLICT (workspace_id, name, day, contact_id, machine) DO UPDATE
    SET n = n + 1, first_at = min(first_at, excluded.first_at), last_at = max(last_at, excluded.last_at);
  INSERT INTO event_day_values (workspace_id, name, property, day, contact_id, n, value_sum, value_min, value_max)
  SELECT NEW.workspace_id, NEW.name, j.key, (NEW.timestamp - ((NEW.timestamp % 86400000) + 86400000) % 86400000) / 86400000, NEW.contact_id, 1, j.value, j.value, j.value
  FROM json_each(NEW.properties) j WHERE json_type(NEW.properties) = 'object' AND j.type IN ('integer', 'real')
  ON CONFLICT (workspace_id, name, property, day, contact_id) DO UPDATE
    SET n = n + 1, value_sum = value_sum + excluded.value_sum, value_min = min(value_min, excluded.value_min), value_max = max(value_max, excluded.value_max);
END
--@end

-- Update and delete, per row: the old (and new) row's key is recomputed from events. Each row's
-- trigger runs after that row changed, so the last recompute of a key sees its final state.
--@sqlite
CREATE TRIGGER events_rollups_update AFTER UPDATE OF workspace_id, contact_id, name, timestamp, properties ON events BEGIN
  DELETE FROM event_days WHERE workspace_id = OLD.workspace_id AND name = OLD.name AND day = (OLD.timestamp - ((OLD.timestamp % 86400000) + 86400000) % 86400000) / 86400000 AND contact_id = OLD.contact_id;
  INSERT INTO event_days (workspace_id, name, day, contact_id, machine, n, first_at, last_at)
  SELECT workspace_id, name, (OLD.timestamp - ((OLD.timestamp % 86400000) + 86400000) % 86400000) / 86400000, contact_id, CASE WHEN json_type(properties, '$.machine') = 'true' THEN 1 ELSE 0 END AS machine, count(*), min(timestamp), max(timestamp)
  FROM events WHERE contact_id = OLD.contact_id AND name = OLD.name AND timestamp >= (OLD.timestamp - ((OLD.timestamp % 86400000) + 86400000) % 86400000) / 86400000 * 86400000 AND timestamp < ((OLD.timestamp - ((OLD.timestamp % 86400000) + 86400000) % 86400000) / 86400000 + 1) * 86400000
  GROUP BY workspace_id, machine;
  DELETE FROM event_day_values WHERE workspace_id = OLD.workspace_id AND name = OLD.name AND day = (OLD.timestamp - ((OLD.timestamp % 86400000) + 86400000) % 86400000) / 86400000 AND contact_id = OLD.contact_id
    AND property IN (SELECT j.key FROM json_each(OLD.properties) j WHERE json_type(OLD.properties) = 'object' AND j.type IN ('integer', 'real'));
  INSERT INTO event_day_values (workspace_id, name, property, day, contact_id, n, value_sum, value_min, value_max)
  SELECT e.workspace_id, e.name, p.key, (OLD.timestamp - ((OLD.timestamp % 86400000) + 86400000) % 86400000) / 86400000, e.contact_id, count(*), sum(v.value), min(v.value), max(v.value)
  FROM (SELECT j.key FROM json_each(OLD.properties) j WHERE json_type(OLD.properties) = 'object' AND j.type IN ('integer', 'real')) p
  JOIN events e ON e.contact_id = OLD.contact_id AND e.name = OLD.name AND e.timestamp >= (OLD.timestamp - ((OLD.timestamp % 86400000) + 86400000) % 86400000) / 86400000 * 86400000 AND e.timestamp < ((OLD.timestamp - ((OLD.timestamp % 86400000) + 86400000) % 86400000) / 86400000 + 1) * 86400000
  JOIN json_each(e.properties) v ON v.key = p.key AND v.type IN ('integer', 'real') AND json_type(e.properties) = 'object'
  GROUP BY e.workspace_id, p.key;
  DELETE FROM event_days WHERE workspace_id = NEW.workspace_id AND name = NEW.name AND day = (NEW.timestamp - ((NEW.timestamp % 86400000) + 86400000) % 86400000) / 86400000 AND contact_id = NEW.contact_id;
  INSERT INTO event_days (workspace_id, name, day, contact_id, machine, n, first_at, last_at)
  SELECT workspace_id, name, (NEW.timestamp - ((NEW.timestamp % 86400000) + 86400000) % 86400000) / 86400000, contact_id, CASE WHEN json_type(properties, '$.machine') = 'true' THEN 1 ELSE 0 END AS machine, count(*), min(timestamp), max(timestamp)
  FROM events WHERE contact_id = NEW.contact_id AND name = NEW.name AND timestamp >= (NEW.timestamp - ((NEW.timestamp % 86400000) + 86400000) % 86400000) / 86400000 * 86400000 AND timestamp < ((NEW.timestamp - ((NEW.timestamp % 86400000) + 86400000) % 86400000) / 86400000 + 1) * 86400000
  GROUP BY workspace_id, machine;
  DELETE FROM event_day_values WHERE workspace_id = NEW.workspace_id AND name = NEW.name AND day = (NEW.timestamp - ((NEW.timestamp % 86400000) + 86400000) % 86400000) / 86400000 AND contact_id = NEW.contact_id
    AND property IN (SELECT j.key FROM json_each(NEW.properties) j WHERE json_type(NEW.properties) = 'object' AND j.type IN ('integer', 'real'));
  INSERT INTO event_day_values (workspace_id, name, property, day, contact_id, n, value_sum, value_min, value_max)
  SELECT e.workspace_id, e.name, p.key, (NEW.timestamp - ((NEW.timestamp % 86400000) + 86400000) % 86400000) / 86400000, e.contact_id, count(*), sum(v.value), min(v.value), max(v.value)
  FROM (SELECT j.key FROM json_each(NEW.properties) j WHERE json_type(NEW.properties) = 'object' AND j.type IN ('integer', 'real')) p
  JOIN events e ON e.contact_id = NEW.contact_id AND e.name = NEW.name AND e.timestamp >= (NEW.timestamp - ((NEW.timestamp % 86400000) + 86400000) % 86400000) / 86400000 * 86400000 AND e.timestamp < ((NEW.timestamp - ((NEW.timestamp % 86400000) + 86400000) % 86400000) / 86400000 + 1) * 86400000
  JOIN json_each(e.properties) v ON v.key = p.key AND v.type IN ('integer', 'real') AND json_type(e.properties) = 'object'
  GROUP BY e.workspace_id, p.key;
END
--@end

--@sqlite
CREATE TRIGGER events_rollups_delete AFTER DELETE ON events BEGIN
  DELETE FROM event_days WHERE workspace_id = OLD.workspace_id AND name = OLD.name AND day = (OLD.timestamp - ((OLD.timestamp % 86400000) + 86400000) % 86400000) / 86400000 AND contact_id = OLD.contact_id;
  INSERT INTO event_days (workspace_id, name, day, contact_id, machine, n, first_at, last_at)
  SELECT workspace_id, name, (OLD.timestamp - ((OLD.timestamp % 86400000) + 86400000) % 86400000) / 86400000, contact_id, CASE WHEN json_type(properties, '$.machine') = 'true' THEN 1 ELSE 0 END AS machine, count(*), min(timestamp), max(timestamp)
  FROM events WHERE contact_id = OLD.contact_id AND name = OLD.name AND timestamp >= (OLD.timestamp - ((OLD.timestamp % 86400000) + 86400000) % 86400000) / 86400000 * 86400000 AND timestamp < ((OLD.timestamp - ((OLD.timestamp % 86400000) + 86400000) % 86400000) / 86400000 + 1) * 86400000
  GROUP BY workspace_id, machine;
  DELETE FROM event_day_values WHERE workspace_id = OLD.workspace_id AND name = OLD.name AND day = (OLD.timestamp - ((OLD.timestamp % 86400000) + 86400000) % 86400000) / 86400000 AND contact_id = OLD.contact_id
    AND property IN (SELECT j.key FROM json_each(OLD.properties) j WHERE json_type(OLD.properties) = 'object' AND j.type IN ('integer', 'real'));
  INSERT INTO event_day_values (workspace_id, name, property, day, contact_id, n, value_sum, value_min, value_max)
  SELECT e.workspace_id, e.name, p.key, (OLD.timestamp - ((OLD.timestamp % 86400000) + 86400000) % 86400000) / 86400000, e.contact_id, count(*), sum(v.value), min(v.value), max(v.value)
  FROM (SELECT j.key FROM json_each(OLD.properties) j WHERE json_type(OLD.properties) = 'object' AND j.type IN ('integer', 'real')) p
  JOIN events e ON e.contact_id = OLD.contact_id AND e.name = OLD.name AND e.timestamp >= (OLD.timestamp - ((OLD.timestamp % 86400000) + 86400000) % 86400000) / 86400000 * 86400000 AND e.timestamp < ((OLD.timestamp - ((OLD.timestamp % 86400000) + 86400000) % 86400000) / 86400000 + 1) * 86400000
  JOIN json_each(e.properties) v ON v.key = p.key AND v.type IN ('integer', 'real') AND json_type(e.properties) = 'object'
  GROUP BY e.workspace_id, p.key;
END
--@end
