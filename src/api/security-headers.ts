/**
 * @module Response headers of the public pages that people reach from emails, without a key:
 * unsubscribe `/u/…`, preference centre `/p/…` and signup forms `/f/…` (OWASP Secure Headers and
 * Clickjacking Defense cheat sheets):
 *  - `Content-Security-Policy: frame-ancestors 'none'` and `X-Frame-Options: DENY` (older
 *    browsers): no other site may frame a page whose one button unsubscribes or confirms;
 *  - `Referrer-Policy: no-referrer`: their URLs carry tokens, which must not leak to whatever the
 *    page links to or loads;
 *  - `X-Content-Type-Options: nosniff`.
 * Set in one onSend hook, so every answer under these prefixes has them (pages, JSON, redirects
 * and errors alike). A route's own Content-Security-Policy is kept and gets `frame-ancestors` added.
 */
import type { App } from './deps.js';

export const PUBLIC_PAGES = /^\/(u|p|f)(\/|$|\?)/;
const FRAME_ANCESTORS = "frame-ancestors 'none'";

export function installSecurityHeaders(app: App): void {
  app.addHook('onSend', async (request, reply, payload) => {
    if (!PUBLIC_PAGES.test(request.url)) return payload;
    const csp = reply.getHeader('content-security-policy');
    const own = typeof csp === 'string' && csp.trim() !== '' ? csp.trim().replace(/;\s*$/, '') : undefined;
    reply.header('content-security-policy', own === undefined ? FRAME_ANCESTORS : /frame-ancestors/i.test(own) ? own : `${own}; ${FRAME_ANCESTORS}`);
    reply.header('x-frame-options', 'DENY');
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    return payload;
  });
}
