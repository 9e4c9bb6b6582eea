/**
 * @module URL patterns of page-view triggers (journeys) and visit conditions (segments): one syntax,
 * one meaning, matched in memory here and in SQL by src/segments/visits.ts (the same LIKE pattern
 * this module builds). docs/journeys.md, "Page views", states it for users:
 *
 *  - `*` (at most 8) stands for any run of characters, `/` included (`/products/*`; a star then `/pricing` is any
 *    path ending in /pricing); every other character stands for itself;
 *  - a pattern starting with `/` or `*` is matched against the page's path (`/pricing`); one that
 *    starts with a host (a name with a dot, `localhost`, or a `*.` wildcard: `shop.example.com/*`,
 *    `*.example.com/pricing`) against host + path, so the host must match too;
 *  - the query string is ignored unless the pattern has a `?`: `/search?q=*` matches path and query;
 *    the fragment is always ignored;
 *  - letters A-Z match either case (paths are case-sensitive by RFC 3986, but people type `/Pricing`
 *    and `/pricing` for one page, and SQLite's LIKE folds ASCII case only, so both sides fold ASCII).
 */
import type { PageLocation } from '../events/page-url.js';

export const MAX_URL_PATTERN = 500;

export interface UrlPattern {
  /** As written. */
  source: string;
  /** Host + path, not path alone. */
  withHost: boolean;
  /** The query string is part of what is matched. */
  withQuery: boolean;
  /** The SQL LIKE pattern (ESCAPE '\'), ASCII lower case. */
  like: string;
  /** The pattern, ASCII lower case, for globMatch. */
  glob: string;
}

/** More stars buy nothing a person needs and let a hostile pattern make matching (and LIKE) slow. */
export const MAX_URL_PATTERN_STARS = 8;

const HOST_START = /^(?:\*\.)?(?:localhost|[a-z0-9-]+(?:\.[a-z0-9-]+)+)(?::\d{1,5})?(?=\/|$)/i;

/** Why a pattern is refused, or null when it is fine. */
export function urlPatternIssue(source: string): string | null {
  if (source.length === 0) return 'must not be empty';
  if (source.length > MAX_URL_PATTERN) return `at most ${MAX_URL_PATTERN} characters`;
  if (/[\s\u0000-\u001f\u007f#]/.test(source)) return 'no spaces, control characters or # (the fragment is never matched)';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source)) return 'leave out the scheme: shop.example.com/pricing, not https://shop.example.com/pricing';
  if ((source.match(/\*/g)?.length ?? 0) > MAX_URL_PATTERN_STARS) return `at most ${MAX_URL_PATTERN_STARS} * in a pattern`;
  if (source.startsWith('/') || source.startsWith('*')) return null;
  if (HOST_START.test(source)) return null;
  return 'a path pattern starts with / or * (/pricing, */pricing); a host pattern with the host (shop.example.com/*)';
}

const asciiLower = (s: string) => s.replace(/[A-Z]+/g, (m) => m.toLowerCase());

/** Compiles a pattern already checked by urlPatternIssue. */
export function compileUrlPattern(source: string): UrlPattern {
  const withHost = !source.startsWith('/') && !source.startsWith('*/') && HOST_START.test(source);
  // A host pattern without a path (`example.com`) means the whole site.
  const full = withHost && !source.includes('/') ? `${source}/*` : source;
  const withQuery = full.includes('?');
  const lower = asciiLower(full);
  const like = lower.replace(/[\\%_]/g, (c) => `\\${c}`).replace(/\*/g, '%');
  return { source, withHost, withQuery, like, glob: lower };
}

/** The string a pattern is matched against, ASCII lower case; null when the page lacks the host it needs. */
export function matchTarget(p: Pick<UrlPattern, 'withHost' | 'withQuery'>, page: PageLocation): string | null {
  if (p.withHost && page.host === null) return null;
  return asciiLower((p.withHost ? page.host! : '') + page.path + (p.withQuery ? (page.query ?? '') : ''));
}

/** Whether the page view's place matches the pattern. */
export function matchesUrlPattern(p: UrlPattern, page: PageLocation | null | undefined): boolean {
  if (!page) return false;
  const target = matchTarget(p, page);
  return target !== null && globMatch(p.glob, target);
}

/**
 * Whether `text` matches `glob` whole, `*` standing for any run of characters. The classic two-pointer
 * walk that backtracks only to the last star: O(pattern × text) at worst, where a regular expression
 * of `.*`s can take exponential time on a hostile pattern.
 */
export function globMatch(glob: string, text: string): boolean {
  let g = 0;
  let t = 0;
  let star = -1;
  let resume = 0;
  while (t < text.length) {
    if (g < glob.length && glob[g] === '*') {
      star = g++;
      resume = t;
    } else if (g < glob.length && glob[g] === text[t]) {
      g++;
      t++;
    } else if (star >= 0) {
      g = star + 1;
      t = ++resume;
    } else return false;
  }
  while (g < glob.length && glob[g] === '*') g++;
  return g === glob.length;
}
