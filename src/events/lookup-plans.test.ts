/**
 * The key lookups of ingestion (replayed messageIds, contacts by userId, anonymousId and email) probe
 * the unique indexes key by key, also on tables PostgreSQL has not analyzed yet. Before, the planner
 * read every event of the workspace through a bitmap scan there, 18 ms per group at 100k events.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, type CompiledQuery } from 'kysely';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../test/harness.js';
import { explain } from '../../test/plans.js';
import { contactsByKeysQuery } from '../contacts/by-keys.js';
import { storedAndKnownQuery } from './lookup.js';

const EVENTS = 20_000;
const CONTACTS = 5_000;

describe.each(backends())('ingestion key lookups on %s', (kind) => {
  let h: Harness;
  let t: Tenant;
  beforeAll(async () => {
    h = await createHarness(kind);
    t = await h.tenant();
    const db = h.deps.store.db;
    const ws = t.workspaceId;
    if (kind === 'postgres') {
      // Keep the tables unanalyzed for the whole test, as on a fresh install.
      for (const table of ['events', 'contacts', 'contact_anonymous_ids']) await sql`ALTER TABLE ${sql.table(table)} SET (autovacuum_enabled = false)`.execute(db);
      await sql`INSERT INTO contacts (id, workspace_id, user_id, email, attributes, created_at, updated_at)
        SELECT 'c' || g, ${ws}, 'user-' || g, 'u' || g || '@example.com', '{}'::jsonb, 0, 0 FROM generate_series(1, ${CONTACTS}) g`.execute(db);
      await sql`INSERT INTO contact_anonymous_ids (workspace_id, anonymous_id, contact_id, created_at)
        SELECT ${ws}, 'anon-' || g, 'c' || g, 0 FROM generate_series(1, ${CONTACTS}) g`.execute(db);
      await sql`INSERT INTO events (workspace_id, contact_id, type, name, properties, context, message_id, timestamp, received_at)
        SELECT ${ws}, 'c' || (1 + g % ${CONTACTS}), 'track', 'Viewed', '{}'::jsonb, '{}'::jsonb, 'm-' || g, g, g FROM generate_series(1, ${EVENTS}) g`.execute(db);
    } else {
      await sql`WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < ${CONTACTS})
        INSERT INTO contacts (id, workspace_id, user_id, email, attributes, created_at, updated_at)
        SELECT 'c' || n, ${ws}, 'user-' || n, 'u' || n || '@example.com', '{}', 0, 0 FROM g`.execute(db);
      await sql`INSERT INTO contact_anonymous_ids (workspace_id, anonymous_id, contact_id, created_at)
        SELECT ${ws}, 'anon-' || substr(id, 2), id, 0 FROM contacts WHERE workspace_id = ${ws}`.execute(db);
      await sql`WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < ${EVENTS})
        INSERT INTO events (workspace_id, contact_id, type, name, properties, context, message_id, timestamp, received_at)
        SELECT ${ws}, 'c' || (1 + n % CAST(${CONTACTS} AS INTEGER)), 'track', 'Viewed', '{}', '{}', 'm-' || n, n, n FROM g`.execute(db);
    }
  });
  afterAll(async () => h?.close());

  const plan = (query: CompiledQuery) => explain(h.deps.store.db, kind, query);
  const keys = (prefix: string) => Array.from({ length: 100 }, (_, i) => `${prefix}${i * 37 + 1}`);
  const noScans = kind === 'postgres' ? /Seq Scan|Bitmap/ : /SCAN (e|c|a|events|contacts|contact_anonymous_ids)\b(?! USING)/;

  it('finds replayed messageIds and known userIds through the unique indexes', async () => {
    const query = storedAndKnownQuery(kind, t.workspaceId, keys('m-'), keys('user-'));
    const text = await plan(query);
    expect(text).toContain('events_workspace_message_id');
    expect(text).toContain('contacts_workspace_user_id');
    expect(text).not.toMatch(noScans);
    const rows = (await h.deps.store.db.executeQuery<{ message_id: string | null; user_id: string | null }>(query)).rows;
    expect(rows.filter((r) => r.message_id !== null)).toHaveLength(100);
    expect(rows.filter((r) => r.user_id !== null)).toHaveLength(100);
  });

  it.each([
    ['user_id', 'user-', 'contacts_workspace_user_id'],
    ['email', 'u', 'contacts_workspace_email'],
    ['anonymous_id', 'anon-', 'contact_anonymous_ids_pkey'],
    // PostgreSQL probes (workspace_id, id) or the primary key, each key by itself: either is fine.
    ['id', 'c', kind === 'postgres' ? 'Index Scan using contacts_' : 'sqlite_autoindex_contacts_1'],
  ] as const)('finds contacts by %s through the unique index', async (key, prefix, index) => {
    const values = key === 'email' ? keys(prefix).map((k) => `${k}@example.com`) : keys(prefix);
    const query = contactsByKeysQuery(kind, t.workspaceId, key, values);
    const text = await plan(query);
    if (kind === 'postgres' || key !== 'anonymous_id') expect(text).toContain(index);
    expect(text).not.toMatch(noScans);
    const rows = (await h.deps.store.db.executeQuery<{ key: string; id: string }>(query)).rows;
    expect(rows).toHaveLength(100);
    expect(rows.every((r) => values.includes(r.key))).toBe(true);
  });
});
