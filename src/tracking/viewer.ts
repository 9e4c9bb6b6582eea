/**
 * @module Showing a sent message to the people who run Qatra (the outbox viewer) without it counting
 * as a reader's open or click: the open pixel (`/o/TOKEN.gif`, ./links.ts addOpenPixel) is removed,
 * and tracked links (`/c/TOKEN`) no longer lead to the click recorder. Only the viewer's copy
 * changes; the stored message stays what was sent.
 *
 * Matched by path and token shape (./tokens.ts: `<id>[-<index>].<signature>`, lower-case base32)
 * rather than by the public URL, which may have changed since the message was sent.
 */

const TOKEN = '[0-9a-z]+(?:-[0-9]+)?\\.[0-9a-z]+';
const PIXEL = new RegExp(`<img\\b[^>]*\\bsrc\\s*=\\s*["']?[^"'\\s>]*/o/${TOKEN}\\.gif["']?[^>]*>`, 'gi');
const CLICK_HREF = new RegExp(`(\\bhref\\s*=\\s*)(["']?)[^"'\\s>]*/c/${TOKEN}\\2`, 'gi');

/** The HTML a viewer may render: no open pixel, and tracked links pointing nowhere. */
export function withoutTracking(html: string): string {
  return html.replace(PIXEL, '').replace(CLICK_HREF, '$1$2#tracked-link$2 title="tracked link: not followed in this viewer"');
}
