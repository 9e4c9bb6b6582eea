/**
 * @module The optional bearer token of `/metrics` (QATRA_METRICS_TOKEN). Prometheus sends it as
 * `Authorization: Bearer TOKEN` (`authorization: { credentials: … }` in a scrape config). The
 * comparison is constant-time: both sides are hashed to 32 bytes first, so neither the content nor
 * the length of the token leaks through timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (text: string) => createHash('sha256').update(text).digest();

/** True when no token is configured, or the Authorization header carries exactly it. */
export function metricsAuthorized(authorization: string | undefined, token: string | undefined): boolean {
  if (token === undefined) return true;
  const m = /^bearer\s+(.+)$/i.exec(authorization?.trim() ?? '');
  return timingSafeEqual(digest(m ? m[1]! : ''), digest(token)) && m !== null;
}
