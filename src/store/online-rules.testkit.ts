/**
 * @module The rules an online migration keeps (docs/scaling.md, Online migrations), as a check over a
 * migration's PostgreSQL statements. PostgreSQL is where other processes keep writing while a
 * migration runs (a rolling upgrade: the old server ingests while the new one migrates); each rule is
 * a statement that would rewrite a table or hold a lock that stops writers for as long as a large
 * table takes to scan:
 *
 *  - `ADD COLUMN … DEFAULT <volatile>` (a function call, a serial): every row gets its own value, so
 *    the table is rewritten under ACCESS EXCLUSIVE. A constant default is free since PostgreSQL 11.
 *  - on a big table (BIG_TABLES): `ALTER COLUMN … TYPE` (a rewrite, unless binary-coercible: we do not
 *    try to tell), `ALTER COLUMN … SET NOT NULL` (a scan under ACCESS EXCLUSIVE; add a CHECK … NOT
 *    VALID and VALIDATE it instead), `ADD CONSTRAINT` CHECK or FOREIGN KEY without NOT VALID (a scan
 *    under lock), `CREATE INDEX` without CONCURRENTLY (SHARE lock: no writes for the whole build),
 *    `UPDATE` / `DELETE` (a backfill holds every row it touches until the migration commits; do it in
 *    batches from a worker task, as retention does), `VACUUM FULL`, `CLUSTER`, `SET TABLESPACE`,
 *    `SET LOGGED/UNLOGGED` (rewrites).
 *
 * A test kit: it judges migration text, read by ./online-rules.test.ts; nothing at run time uses it.
 */
import { renderMigration, statements, type MigrationFile } from './migrate.js';

/** Tables that grow with the traffic (millions of rows), where the rules above apply. */
export const BIG_TABLES = ['events', 'messages', 'contacts', 'deliveries'] as const;

/** The first migration the rules bind: the ones before it have run everywhere already (see the test's grandfathered list). */
export const ONLINE_FROM = 36;

export interface Violation {
  migration: string;
  table: string;
  rule: string;
  statement: string;
}

const IDENT = String.raw`(?:"?)(\w+)(?:"?)`;
const ALTER = new RegExp(String.raw`^alter table (?:if exists )?(?:only )?${IDENT}\s+([\s\S]*)$`);
const INDEX = new RegExp(String.raw`^create (?:unique )?index (concurrently )?(?:if not exists )?(?:\w+ )?on (?:only )?${IDENT}`);
const UPDATE = new RegExp(String.raw`^(?:update (?:only )?${IDENT}|delete from (?:only )?${IDENT})`);
const REWRITE = new RegExp(String.raw`^(?:vacuum (?:\(\s*full[^)]*\)|full)(?: \w+)* ${IDENT}|cluster (?:verbose )?${IDENT})`);

/** Splits an ALTER TABLE's action list at top-level commas (not those inside parentheses). */
function actions(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/** What the statement does that an online migration must not, as rule names; [] when it is online. */
export function statementViolations(statement: string): { table: string; rule: string }[] {
  const s = statement
    .replace(/--[^\n]*/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
  const big = (t: string) => (BIG_TABLES as readonly string[]).includes(t);
  const out: { table: string; rule: string }[] = [];
  const alter = ALTER.exec(s);
  if (alter) {
    const table = alter[1]!;
    for (const a of actions(alter[2]!)) {
      if (
        /^add (?:column )?(?!constraint\b)/.test(a) &&
        (/\bdefault\b[^,]*\(/.test(a) ||
          /\bdefault (?:now|current_timestamp|localtimestamp|clock_timestamp)\b/.test(a) ||
          /\b(?:big|small)?serial\b/.test(a) ||
          /\bgenerated always as\b.*\bstored\b/.test(a))
      )
        out.push({ table, rule: 'ADD COLUMN with a volatile default or a stored value rewrites the table' });
      if (!big(table)) continue;
      if (/^alter (?:column )?\w+ (?:set data )?type\b/.test(a)) out.push({ table, rule: 'ALTER COLUMN TYPE on a big table rewrites it' });
      if (/^alter (?:column )?\w+ set not null\b/.test(a)) out.push({ table, rule: 'SET NOT NULL on a big table scans it under ACCESS EXCLUSIVE (add a CHECK NOT VALID, then VALIDATE)' });
      if (/^add constraint \w+ (?:check|foreign key)\b/.test(a) && !/\bnot valid\b/.test(a)) out.push({ table, rule: 'a CHECK or FOREIGN KEY added without NOT VALID scans a big table under lock' });
      if (/^add (?:constraint \w+ )?(?:primary key|unique)\b/.test(a)) out.push({ table, rule: 'a PRIMARY KEY or UNIQUE constraint builds an index on a big table under lock' });
      if (/^set (?:tablespace|logged|unlogged)\b/.test(a)) out.push({ table, rule: 'SET TABLESPACE / LOGGED / UNLOGGED rewrites a big table' });
    }
  }
  const index = INDEX.exec(s);
  if (index && !index[1] && big(index[2]!)) out.push({ table: index[2]!, rule: 'CREATE INDEX without CONCURRENTLY stops writes to a big table for the whole build' });
  const update = UPDATE.exec(s);
  const updated = update ? (update[1] ?? update[2])! : null;
  if (updated && big(updated)) out.push({ table: updated, rule: 'UPDATE/DELETE of a big table in a migration (backfill in batches from a worker task instead)' });
  const rewrite = REWRITE.exec(s);
  const rewritten = rewrite ? (rewrite[1] ?? rewrite[2])! : null;
  if (rewritten && big(rewritten)) out.push({ table: rewritten, rule: 'VACUUM FULL / CLUSTER rewrites a big table under ACCESS EXCLUSIVE' });
  return out;
}

const CREATE_TABLE = new RegExp(String.raw`^\s*create table (?:if not exists )?${IDENT}`, 'i');

/** Every violation of the migration's PostgreSQL statements; a table the same migration creates is empty, so anything goes on it. */
export function migrationViolations(m: MigrationFile): Violation[] {
  const stmts = statements(renderMigration(m.sql, 'postgres'), 'postgres');
  const created = new Set(stmts.map((s) => CREATE_TABLE.exec(s)?.[1]?.toLowerCase()).filter(Boolean));
  return stmts.flatMap((statement) =>
    statementViolations(statement)
      .filter((v) => !created.has(v.table))
      .map((v) => ({ migration: m.name, ...v, statement: statement.slice(0, 120) })),
  );
}
