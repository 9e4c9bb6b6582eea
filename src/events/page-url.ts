/**
 * @module Where a page view was: the host, path and query string of a `page` call, read once at
 * ingestion and stored in `events.page_host`, `page_path`, `page_query` (migrations/000020.sql), so
 * URL patterns (src/conditions/url-pattern.ts) match plain columns in SQL (segments) and the same
 * values in memory (journey triggers: the event signal carries them).
 *
 * Read from the call's `properties` (analytics.js fills `url`, `path`, `search` there), else from
 * `context.page` (where analytics.js also puts them): `path` as sent, else the path of `url`; the
 * query string is the one inside `path`, else `search`, else that of `url`; the host (lower case,
 * with its port) comes from `url`. The fragment is dropped. Anything that is not a string, or a
 * `url` that does not parse, counts as absent; a page view with neither path nor url has no place.
 */
import type { JsonObject } from '../core/json.js';

export interface PageLocation {
  /** `shop.example.com`, lower case; null when the call has no absolute `url`. */
  host: string | null;
  /** `/products/red-shoe`, as sent (case kept), without query string or fragment. */
  path: string;
  /** `?color=red` or null. */
  query: string | null;
}

const MAX = 2000;

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v.slice(0, MAX) : null;
}

const SCHEME = /^[a-z][a-z0-9+.-]*$/i;

/**
 * scheme://[userinfo@]host[:port] path ?query #fragment, read by hand: `new URL()` cost ~20 µs per
 * call on the bench machine (a tenth of ingestion's budget per event), a regular expression ~1.5 µs.
 * No normalisation (percent-encoding, dot segments): the path is matched as the site sent it.
 */
function parseUrl(raw: string | null): { host: string; pathname: string; search: string } | null {
  if (raw === null) return null;
  const sep = raw.indexOf('://');
  if (sep <= 0 || !SCHEME.test(raw.slice(0, sep))) return null;
  let end = sep + 3;
  for (; end < raw.length; end++) {
    const ch = raw.charCodeAt(end);
    if (ch === 47 /* / */ || ch === 63 /* ? */ || ch === 35 /* # */) break;
  }
  const authority = raw.slice(sep + 3, end);
  const host = authority.slice(authority.lastIndexOf('@') + 1);
  if (host === '') return null;
  const rest = splitPath(raw.slice(end));
  return { host, pathname: rest.path || '/', search: rest.query ?? '' };
}

/** Splits `/a?b#c` into path `/a` and query `?b`. */
function splitPath(raw: string): { path: string; query: string | null } {
  const hash = raw.indexOf('#');
  const noHash = hash >= 0 ? raw.slice(0, hash) : raw;
  const q = noHash.indexOf('?');
  if (q < 0) return { path: noHash, query: null };
  const query = noHash.slice(q);
  return { path: noHash.slice(0, q), query: query.length > 1 ? query : null };
}

/** The place of a page view from its properties (and context.page); null when it names none. */
export function pageLocation(properties: JsonObject, context?: JsonObject | null): PageLocation | null {
  const page = context && typeof context.page === 'object' && context.page !== null && !Array.isArray(context.page) ? (context.page as JsonObject) : {};
  const pick = (key: string) => str(properties[key]) ?? str(page[key]);
  const url = parseUrl(pick('url'));
  const rawPath = pick('path');
  const fromPath = rawPath !== null && rawPath.startsWith('/') ? splitPath(rawPath) : null;
  const path = fromPath?.path ?? (url ? url.pathname : null);
  if (path === null || path === '') return null;
  const search = pick('search');
  const query = fromPath?.query ?? (search && search.startsWith('?') && search.length > 1 ? search : null) ?? (url && url.search.length > 1 ? url.search : null);
  return { host: url ? url.host.toLowerCase() : null, path, query };
}
