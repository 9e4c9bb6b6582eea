/**
 * @module SQL for reading values out of JSON columns (contact attributes, event properties) the same
 * way on both backends: PostgreSQL jsonb (`#>`, `#>>`, `jsonb_typeof`) and SQLite JSON text
 * (`json_extract`, `json_type`). Every reader is NULL-safe: a value of the wrong type reads as NULL
 * instead of failing the query (a PostgreSQL cast of a bad string would abort the whole segment).
 *
 * Dates in JSON are epoch ms numbers or ISO strings (`2026-03-15`, `2026-03-15T10:00:00Z`, read as
 * UTC). Strings are turned into epoch ms with integer arithmetic (days-from-civil, H. Hinnant) on
 * pattern-checked substrings, so no cast can fail and both backends compute the same number.
 */
import { sql, type RawBuilder } from 'kysely';
import type { DialectName } from '../store/store.js';

export type Expr = RawBuilder<unknown>;

export class JsonReader {
  constructor(readonly dialect: DialectName) {}

  private pgPath(parts: string[]): Expr {
    return sql`${sql.val(`{${parts.map((p) => `"${p}"`).join(',')}}`)}::text[]`;
  }

  private litePath(parts: string[]): string {
    return `$${parts.map((p) => `."${p}"`).join('')}`;
  }

  /** The JSON type: 'number' | 'string' | 'boolean' | 'null' | 'object' | 'array' (NULL when absent). */
  type(column: Expr, parts: string[]): Expr {
    if (this.dialect === 'postgres') return sql`jsonb_typeof(${column} #> ${this.pgPath(parts)})`;
    const p = this.litePath(parts);
    return sql`(CASE json_type(${column}, ${p}) WHEN 'integer' THEN 'number' WHEN 'real' THEN 'number' WHEN 'text' THEN 'string' WHEN 'true' THEN 'boolean' WHEN 'false' THEN 'boolean' ELSE json_type(${column}, ${p}) END)`;
  }

  /** The value as text (numbers in their JSON form, booleans 'true'/'false'); NULL when absent. */
  text(column: Expr, parts: string[]): Expr {
    if (this.dialect === 'postgres') return sql`(${column} #>> ${this.pgPath(parts)})`;
    const p = this.litePath(parts);
    return sql`(CASE json_type(${column}, ${p}) WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' WHEN 'null' THEN NULL ELSE CAST(json_extract(${column}, ${p}) AS TEXT) END)`;
  }

  /** The value when it is a JSON number, else NULL. */
  number(column: Expr, parts: string[]): Expr {
    if (this.dialect === 'postgres') {
      const p = this.pgPath(parts);
      return sql`(CASE WHEN jsonb_typeof(${column} #> ${p}) = 'number' THEN (${column} #>> ${p})::double precision END)`;
    }
    const p = this.litePath(parts);
    return sql`(CASE WHEN json_type(${column}, ${p}) IN ('integer', 'real') THEN json_extract(${column}, ${p}) END)`;
  }

  /** The value when it is a JSON boolean true. */
  isTrue(column: Expr, parts: string[]): Expr {
    return sql`(${this.type(column, parts)} = 'boolean' AND ${this.text(column, parts)} = 'true')`;
  }

  /** True when the text starts like `YYYY-MM-DD` (digits checked). */
  isIsoDate(text: Expr): Expr {
    if (this.dialect === 'postgres') return sql`(${text} ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}')`;
    return sql`(${text} GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*')`;
  }

  private hasIsoTime(text: Expr): Expr {
    if (this.dialect === 'postgres') return sql`(${text} ~ '^.{10}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}')`;
    return sql`(${text} GLOB '??????????[T ][0-9][0-9]:[0-9][0-9]:[0-9][0-9]*')`;
  }

  /** Epoch ms of a JSON value that is a number (taken as epoch ms) or an ISO date string; else NULL. */
  instant(column: Expr, parts: string[]): Expr {
    const t = this.text(column, parts);
    return sql`(CASE WHEN ${this.type(column, parts)} = 'number' THEN ${this.number(column, parts)}
      WHEN ${this.type(column, parts)} = 'string' AND ${this.isIsoDate(t)} THEN ${this.civilMs(t)} END)`;
  }

  /** Epoch ms of a pattern-checked ISO string: days-from-civil plus an optional HH:MM:SS. */
  private civilMs(t: Expr): Expr {
    const int = (from: number, len: number) => sql`CAST(substr(${t}, ${sql.lit(from)}, ${sql.lit(len)}) AS bigint)`;
    const m = int(6, 2);
    const d = int(9, 2);
    // Years before March count from the previous year, so the leap day is the year's last day.
    const y = sql`(${int(1, 4)} - CASE WHEN ${m} <= 2 THEN 1 ELSE 0 END)`;
    const era = sql`(${y} / 400)`;
    const yoe = sql`(${y} - ${era} * 400)`;
    const doy = sql`((153 * (CASE WHEN ${m} > 2 THEN ${m} - 3 ELSE ${m} + 9 END) + 2) / 5 + ${d} - 1)`;
    const doe = sql`(${yoe} * 365 + ${yoe} / 4 - ${yoe} / 100 + ${doy})`;
    const days = sql`(${era} * 146097 + ${doe} - 719468)`;
    const secs = sql`(CASE WHEN ${this.hasIsoTime(t)} THEN ${int(12, 2)} * 3600 + ${int(15, 2)} * 60 + ${int(18, 2)} ELSE 0 END)`;
    return sql`(${days} * 86400000 + ${secs} * 1000)`;
  }

  /** `MM-DD` of a JSON date (ISO string or epoch ms number, UTC); NULL otherwise. */
  monthDay(column: Expr, parts: string[]): Expr {
    const t = this.text(column, parts);
    const n = this.number(column, parts);
    const fromNumber = this.dialect === 'postgres' ? sql`to_char(to_timestamp(${n} / 1000.0) AT TIME ZONE 'UTC', 'MM-DD')` : sql`strftime('%m-%d', ${n} / 1000, 'unixepoch')`;
    return sql`(CASE WHEN ${this.type(column, parts)} = 'string' AND ${this.isIsoDate(t)} THEN substr(${t}, 6, 5)
      WHEN ${n} BETWEEN -62135596800000 AND 253402300799000 THEN ${fromNumber} END)`;
  }
}

/** The `MM-DD` days from `now` (UTC) through `days` days later; Feb 29 counts on Feb 28 of common years. */
export function monthDaysAhead(now: number, days: number): string[] {
  const out = new Set<string>();
  const start = new Date(now);
  for (let i = 0; i <= days; i++) {
    const d = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate() + i));
    const md = `${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}`;
    out.add(md);
    const y = d.getUTCFullYear();
    const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
    if (md === '02-28' && !leap) out.add('02-29');
  }
  return [...out];
}
