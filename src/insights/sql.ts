/**
 * @module The two SQL expressions of the insights that differ by backend: where a character is in a
 * text is `instr(text, needle)` on SQLite and `strpos(text, needle)` on PostgreSQL (neither has the
 * other's, and `position(… IN …)` is PostgreSQL's only). Used to cut the broadcast id out of a
 * message's idempotency key and the domain out of a recipient address.
 */
import { sql, type RawBuilder } from 'kysely';
import type { DialectName } from '../store/store.js';

function positionOf(dialect: DialectName, text: RawBuilder<unknown>, needle: string): RawBuilder<number> {
  return dialect === 'postgres' ? sql<number>`strpos(${text}, ${sql.lit(needle)})` : sql<number>`instr(${text}, ${sql.lit(needle)})`;
}

/** `<id>` of a key `broadcast:<id>:…` (src/stats/scope.ts), else NULL. */
export function broadcastIdOf(dialect: DialectName, column: string): RawBuilder<string | null> {
  const key = sql.ref(column);
  const rest = sql`substr(${key}, 11)`;
  return sql<string | null>`CASE WHEN substr(${key}, 1, 10) = 'broadcast:' AND ${positionOf(dialect, rest, ':')} > 1
    THEN substr(${rest}, 1, ${positionOf(dialect, rest, ':')} - 1) END`;
}

/** The lower-cased domain of an address `local@domain` (what follows its first `@`), else NULL. */
export function domainOf(dialect: DialectName, column: string): RawBuilder<string | null> {
  const address = sql.ref(column);
  return sql<string | null>`CASE WHEN ${positionOf(dialect, address, '@')} > 0 THEN lower(substr(${address}, ${positionOf(dialect, address, '@')} + 1)) END`;
}
