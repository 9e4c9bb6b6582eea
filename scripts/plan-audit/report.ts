/**
 * @module The plan audit's report (./README.md): EXPLAIN QUERY PLAN of every recorded statement
 * against a freshly migrated SQLite database, listing those that read a whole table or a whole
 * index of one of the tables that grow with use. Statements only tests run (the fuzz tests' column
 * searches, counts of a whole table) show up too: read the list, it is not a verdict.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CompiledQuery } from 'kysely';
import { freshDatabase } from '../../test/backends.js';

const GROWING = new Set([
  'events',
  'contacts',
  'contact_anonymous_ids',
  'messages',
  'outbox',
  'deliveries',
  'journey_runs',
  'journey_steps',
  'segment_members',
  'segment_dirty',
  'segment_transitions',
  'list_memberships',
  'consents',
  'consent_history',
  'suppressions',
  'broadcast_recipients',
  'score_changes',
  'audit_log',
]);

const dir = process.env.QATRA_PLAN_AUDIT_DIR ?? process.argv[2];
if (!dir) throw new Error('usage: report.ts DIR (or QATRA_PLAN_AUDIT_DIR)');
const statements = new Set<string>();
for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.ndjson'))) {
  for (const line of fs.readFileSync(path.join(dir, f), 'utf8').split('\n')) if (line) statements.add(JSON.parse(line) as string);
}
const db = await freshDatabase('sqlite');
const scans = new Map<string, Set<string>>();
let explained = 0;
try {
  for (const text of statements) {
    if (!/^\s*(select|update|delete|insert|with)\b/i.test(text)) continue;
    if (text.includes('instr(lower(CAST(')) continue; // test/fuzz/secrets.test.ts searching every column
    const params = Array.from({ length: (text.match(/\?/g) ?? []).length }, () => null);
    let plan: { detail: string }[];
    try {
      plan = (await db.store.db.executeQuery<{ detail: string }>(CompiledQuery.raw(`EXPLAIN QUERY PLAN ${text}`, params))).rows;
    } catch {
      continue; // statements on temporary tables, or with array-valued parameters
    }
    explained++;
    for (const { detail } of plan) {
      const table = /^SCAN (\w+)/.exec(detail)?.[1];
      if (!table || !GROWING.has(table)) continue;
      const list = scans.get(detail) ?? scans.set(detail, new Set()).get(detail)!;
      list.add(text.replace(/\s+/g, ' ').slice(0, 240));
    }
  }
} finally {
  await db.drop();
}
console.log(`${statements.size} statements recorded, ${explained} explained; ${scans.size} kinds of whole-table reads:`);
for (const [detail, texts] of scans) {
  console.log(`\n${detail}`);
  for (const t of texts) console.log(`  ${t}`);
}
