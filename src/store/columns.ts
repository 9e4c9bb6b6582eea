/**
 * @module Column types shared by every domain's `tables.ts`: a JSON column is `unknown` on read (a parsed
 * value on PostgreSQL, text on SQLite: decode with `fromJson`) and JSON text on write (`toJson`).
 */
import type { ColumnType } from 'kysely';

/** A JSON column: read as whatever the driver gives, written as JSON text. */
export type JsonColumn = ColumnType<unknown, string, string>;
export type NullableJsonColumn = ColumnType<unknown, string | null | undefined, string | null>;
