import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, freshDatabase, type TestDatabase } from '../../test/backends.js';
import type { Store } from './store.js';

interface Key {
  table: string;
  /** Key columns in order; an expression as PostgreSQL or SQLite spells it. */
  columns: string[];
  primary: boolean;
}

/** Every primary key and unique index of the live schema (the catalog, so a table added tomorrow is checked too). */
async function uniqueKeys(store: Store): Promise<Key[]> {
  if (store.dialect === 'postgres') {
    const r = await sql<{ table: string; columns: string[]; primary: boolean }>`
      SELECT t.relname AS "table", i.indisprimary AS "primary",
        ARRAY(SELECT pg_get_indexdef(i.indexrelid, k, true) FROM generate_series(1, i.indnkeyatts) AS k ORDER BY k) AS columns
      FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE i.indisunique AND n.nspname = current_schema() AND t.relkind IN ('r', 'p')
      ORDER BY 1, 3`.execute(store.db);
    return r.rows.map((k) => ({ ...k, columns: k.columns.map((c) => c.replace(/^"(.*)"$/, '$1')) }));
  }
  const tables = await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`.execute(store.db);
  const keys: Key[] = [];
  for (const { name } of tables.rows) {
    // The primary key: an INTEGER PRIMARY KEY is the rowid and has no index, so read it from table_info.
    const pk = await sql<{ name: string; pk: number }>`SELECT name, pk FROM pragma_table_info(${name}) WHERE pk > 0 ORDER BY pk`.execute(store.db);
    if (pk.rows.length) keys.push({ table: name, columns: pk.rows.map((c) => c.name), primary: true });
    const indexes = await sql<{ name: string; origin: string }>`SELECT name, origin FROM pragma_index_list(${name}) WHERE "unique" = 1 AND origin <> 'pk'`.execute(store.db);
    for (const index of indexes.rows) {
      const cols = await sql<{ name: string | null }>`SELECT name FROM pragma_index_info(${index.name}) ORDER BY seqno`.execute(store.db);
      keys.push({ table: name, columns: cols.rows.map((c) => c.name ?? '<expression>'), primary: false });
    }
  }
  return keys;
}

const spell = (k: Key) => `${k.table}(${k.columns.join(', ')})`;

/**
 * Tables that belong to no workspace (no workspace_id column at all). In a Citus-style cluster they are
 * reference tables (copied to every node) or live on the coordinator only (docs/scaling.md).
 */
const GLOBAL_TABLES: Record<string, string> = {
  workspaces: 'the tenants themselves: the distribution key is their id',
  users: 'a person may belong to several workspaces with different roles (issue 23, workspaces)',
  login_failures: 'throttles sign-in by address and IP before any workspace is known',
  provider_rate: "a provider account's throughput, shared by every workspace sending through it",
  qatra_migrations: 'schema bookkeeping, one row per applied migration',
};

/**
 * Keys that do not begin with workspace_id, each with why. Three kinds:
 * - GLOBAL: keys of the global tables above; they stay.
 * - TOKEN: a secret or token from outside (an API key, a webhook secret, a short link) is looked up
 *   BEFORE the workspace is known, so it must be unique on its own; in a cluster these lookups go to a
 *   reference table (token -> workspace) or the token names its workspace. They stay.
 * - DEBT: surrogate ids (random, globally unique text or a sequence) and child tables keyed by their
 *   parent's id. Correct today, but a distribution by workspace needs each of them rewritten as
 *   (workspace_id, …) (docs/scaling.md lists the steps). Not rewritten in this round.
 * A key added tomorrow that does not lead with workspace_id fails this test until it is added here
 * with its reason; an entry whose key is gone fails it too, so the list stays true.
 */
const ALLOWED: Record<string, 'GLOBAL' | 'TOKEN' | 'DEBT'> = {
  'workspaces(id)': 'GLOBAL',
  'users(id)': 'GLOBAL',
  'users(email)': 'GLOBAL', // one account per address, whichever workspaces it joins
  'login_failures(id)': 'GLOBAL',
  'provider_rate(provider_key, second)': 'GLOBAL',
  'qatra_migrations(id)': 'GLOBAL',
  'api_keys(hash)': 'TOKEN', // the request's key is what names the workspace
  'email_event_webhooks(secret_hash)': 'TOKEN', // a provider's webhook presents only its secret
  'user_sessions(token_hash)': 'TOKEN', // the session cookie, before the workspace is chosen
  'user_invites(token_hash)': 'TOKEN', // the link in the invitation e-mail
  'short_links(token)': 'TOKEN', // /s/TOKEN in an SMS
  'post_links(token)': 'TOKEN', // tracked links of brand posts
  'mail_pieces(token)': 'TOKEN', // the code printed on a direct-mail piece
  // Surrogate primary keys: ids are random (ids.ts) or a sequence, unique without the workspace.
  'api_keys(id)': 'DEBT',
  'audit_log(id)': 'DEBT',
  'broadcasts(id)': 'DEBT',
  'channel_counting_sends(id)': 'DEBT',
  'channel_providers(id)': 'DEBT',
  'consent_history(id)': 'DEBT',
  'contact_imports(id)': 'DEBT',
  'contacts(id)': 'DEBT',
  'deliveries(id)': 'DEBT',
  'events(id)': 'DEBT', // a sequence; the (workspace_id, message_id) key is the one ingestion relies on
  'forms(id)': 'DEBT',
  'journey_inbox(id)': 'DEBT',
  'journey_runs(id)': 'DEBT',
  'journey_steps(id)': 'DEBT',
  'lists(id)': 'DEBT',
  'messages(id)': 'DEBT',
  'outbox(id)': 'DEBT',
  'score_history(id)': 'DEBT',
  'scoring_rules(id)': 'DEBT',
  'segment_transitions(id)': 'DEBT',
  'segments(id)': 'DEBT',
  'sms_inbound(id)': 'DEBT',
  'unsubscribe_feedback(id)': 'DEBT',
  // Child tables keyed by their parent's id (the parent carries the workspace).
  'broadcast_recipients(broadcast_id, contact_id)': 'DEBT',
  'consents(contact_id, channel, topic)': 'DEBT',
  'journey_steps(run_id, node_id, visit)': 'DEBT',
  'lead_scores(contact_id)': 'DEBT',
  'list_memberships(list_id, contact_id)': 'DEBT',
  'segment_dirty(segment_id, contact_id)': 'DEBT',
  'segment_members(segment_id, contact_id)': 'DEBT',
};

async function tablesWithoutWorkspace(store: Store): Promise<string[]> {
  const r =
    store.dialect === 'postgres'
      ? await sql<{ t: string }>`SELECT c.relname AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition
            AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'workspace_id' AND NOT a.attisdropped)
          ORDER BY 1`.execute(store.db)
      : await sql<{ t: string }>`SELECT name AS t FROM sqlite_master m WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
          AND NOT EXISTS (SELECT 1 FROM pragma_table_info(m.name) WHERE name = 'workspace_id') ORDER BY 1`.execute(store.db);
  return r.rows.map((row) => row.t);
}

describe.each(backends())('keys lead with workspace_id, for a distribution by workspace (%s)', (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await freshDatabase(kind);
  });
  afterAll(() => t?.drop());

  it('every primary key and unique index begins with workspace_id, or is on the allow-list with its reason', async () => {
    const keys = await uniqueKeys(t.store);
    expect(keys.length).toBeGreaterThan(50); // the catalog query sees the schema (not an empty list that passes anything)
    const offenders = [...new Set(keys.filter((k) => k.columns[0] !== 'workspace_id').map(spell))].sort();
    expect(offenders.filter((k) => !(k in ALLOWED))).toEqual([]);
    expect(Object.keys(ALLOWED).filter((k) => !offenders.includes(k))).toEqual([]);
  });

  it('every table has a workspace_id column except the global ones, each with its reason', async () => {
    expect(await tablesWithoutWorkspace(t.store)).toEqual(Object.keys(GLOBAL_TABLES).sort());
  });

  it('a new table keyed by its own id alone would be caught', async () => {
    // The check's own failure case: the catalog readers see a key added now.
    await sql`CREATE TABLE probe_keys (id text PRIMARY KEY, workspace_id text NOT NULL)`.execute(t.store.db);
    const keys = await uniqueKeys(t.store);
    expect(keys.filter((k) => k.columns[0] !== 'workspace_id').map(spell)).toContain('probe_keys(id)');
    await sql`DROP TABLE probe_keys`.execute(t.store.db);
  });
});
