/**
 * @module The origins a write key may be used from in a browser. By default a write key works from
 * any origin (write keys are public, as in Segment); a key may list its origins, and then a browser
 * request (one with an `Origin` header) from any other origin is refused with 403.
 *
 * An entry is an exact origin, `scheme://host[:port]` (`https://shop.example.com`,
 * `http://127.0.0.1:8080`), or a wildcard of subdomains, `https://*.example.com`, which matches
 * `https://a.example.com` and `https://a.b.example.com` but not `https://example.com` itself (list
 * both for both). Entries are stored as given after normalising (lower case, no default port).
 */
import { ValidationError } from '../core/errors.js';

export const MAX_ORIGINS = 100;
const MAX_ORIGIN_CHARS = 255;
const HOST_LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/** One entry in normal form, or an error message. */
export function normalizeOrigin(entry: string): { origin: string } | { error: string } {
  const text = entry.trim().toLowerCase();
  if (text.length === 0 || text.length > MAX_ORIGIN_CHARS) return { error: `an origin has 1 to ${MAX_ORIGIN_CHARS} characters` };
  const m = /^(https?):\/\/(\*\.)?([^/:?#]+)(?::(\d{1,5}))?$/.exec(text);
  if (!m) return { error: `"${entry.slice(0, 80)}" is not an origin: write scheme://host[:port] with no path, such as https://www.example.com or https://*.example.com` };
  const [, scheme, wildcard, host, port] = m as unknown as [string, string, string | undefined, string, string | undefined];
  const labels = host.split('.');
  const ip = /^\d{1,3}(\.\d{1,3}){3}$/.test(host);
  if (!ip && !labels.every((l) => HOST_LABEL.test(l))) return { error: `"${entry.slice(0, 80)}": the host is not a domain name or IPv4 address` };
  if (wildcard && (ip || labels.length < 2)) return { error: `"${entry.slice(0, 80)}": a wildcard needs a domain of two labels or more after "*."` };
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) return { error: `"${entry.slice(0, 80)}": the port is out of range` };
  const defaultPort = (scheme === 'https' && port === '443') || (scheme === 'http' && port === '80');
  return { origin: `${scheme}://${wildcard ?? ''}${host}${port && !defaultPort ? `:${port}` : ''}` };
}

/** The list in normal form, without repeats; null or [] mean "any origin" and come back as null. */
export function normalizeOrigins(entries: readonly string[] | null | undefined, path = 'allowedOrigins'): string[] | null {
  if (!entries || entries.length === 0) return null;
  if (entries.length > MAX_ORIGINS) throw ValidationError.at(path, `at most ${MAX_ORIGINS} origins`);
  const out: string[] = [];
  entries.forEach((entry, i) => {
    const result = normalizeOrigin(entry);
    if ('error' in result) throw ValidationError.at(`${path}.${i}`, result.error);
    if (!out.includes(result.origin)) out.push(result.origin);
  });
  return out;
}

/** Whether a request's Origin header value is allowed by the list (null: any origin). */
export function originAllowed(allowed: readonly string[] | null, origin: string): boolean {
  if (allowed === null) return true;
  const request = normalizeOrigin(origin);
  if ('error' in request) return false; // "null" (sandboxed frames, file://) and nonsense
  const value = request.origin;
  if (value.includes('*')) return false;
  for (const entry of allowed) {
    if (entry === value) return true;
    const star = entry.indexOf('://*.');
    if (star < 0) continue;
    const scheme = entry.slice(0, star + 3);
    const suffix = entry.slice(star + 4); // ".example.com" or ".example.com:8443"
    if (!value.startsWith(scheme)) continue;
    const rest = value.slice(scheme.length); // "a.example.com[:port]"
    if (rest.endsWith(suffix) && rest.length > suffix.length) return true;
  }
  return false;
}
