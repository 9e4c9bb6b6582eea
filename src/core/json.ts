/**
 * @module JSON columns: PostgreSQL stores jsonb (returned parsed by pg), SQLite stores text.
 * Values are always written as JSON text so both drivers see the same parameter.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export function toJson(value: unknown): string {
  return JSON.stringify(value ?? null);
}

export function fromJson<T = Json>(value: unknown): T {
  if (typeof value === 'string') return JSON.parse(value) as T;
  return value as T;
}
