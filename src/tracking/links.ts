/**
 * @module Click and open tracking in rendered HTML: every `href` of an http(s) link becomes
 * `PUBLIC/c/TOKEN` (the original targets are kept, by index, on the message row), and a 1×1 pixel
 * `PUBLIC/o/TOKEN.gif` is added before `</body>`. Links that must stay as they are: mailto/tel/#
 * anchors, our own unsubscribe and preference links (a click there must reach the page, and the
 * List-Unsubscribe header has them anyway), and anchors marked `data-qatra-track="off"`.
 */

export interface RewriteResult {
  html: string;
  /** Original targets, by index; a click token names an index. */
  links: string[];
}

const ANCHOR = /<a\b[^>]*>/gi;
const HREF = /(\bhref\s*=\s*)("([^"]*)"|'([^']*)')/i;

function decodeEntities(value: string): string {
  return value
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/**
 * Rewrites http(s) links. `trackedUrl(i)` gives the tracking URL for link index `i`; `keep(url)`
 * says which links stay untouched. The same URL appearing twice gets one index.
 */
export function rewriteLinks(html: string, trackedUrl: (index: number) => string, keep: (url: string) => boolean): RewriteResult {
  const links: string[] = [];
  const out = html.replace(ANCHOR, (tag) => {
    const m = HREF.exec(tag);
    if (!m) return tag;
    const url = decodeEntities((m[3] ?? m[4] ?? '').trim());
    if (!/^https?:\/\//i.test(url) || keep(url) || /data-qatra-track\s*=\s*["']?off/i.test(tag)) return tag;
    let index = links.indexOf(url);
    if (index < 0) index = links.push(url) - 1;
    return tag.replace(HREF, `$1"${trackedUrl(index)}"`);
  });
  return { html: out, links };
}

const TEXT_URL = /https?:\/\/[^\s<>"'\[\]]+/gi;
/** Punctuation that ends a sentence rather than the URL ("see https://x.example/a." / "(https://…)"). */
const TRAILING = /[.,;:!?)]+$/;

/**
 * The http(s) URLs written literally in a template source: the only bare URLs of a text part that
 * may be tracked. A URL with Liquid in it (`https://x.example/{{ … }}`) is not literal and counts
 * only through the HTML part's anchors.
 */
export function writtenUrls(source: string): string[] {
  const out = new Set<string>();
  for (const found of source.match(TEXT_URL) ?? []) {
    const url = found.replace(TRAILING, '');
    if (!/\{[{%]/.test(url)) out.add(decodeEntities(url));
  }
  return [...out];
}

/**
 * Rewrites http(s) URLs in the plain-text part the same way, continuing the HTML part's `links`
 * (same URL, same index), so a click in either part resolves to the same target and counts once per
 * link. Only URLs the template wrote are tracked: those of the HTML part's anchors (`links`) and
 * those written literally in the text template (`written`, see writtenUrls). A URL that came from
 * data (a contact whose first_name is `https://evil.example/x`) stays plain text: tracking it would
 * hand out a link signed by us that redirects anywhere. `links` is extended in place with written
 * URLs that only the text part has.
 */
export function rewriteTextLinks(text: string, links: string[], trackedUrl: (index: number) => string, keep: (url: string) => boolean, written: readonly string[]): string {
  return text.replace(TEXT_URL, (found) => {
    const tail = TRAILING.exec(found)?.[0] ?? '';
    const url = tail ? found.slice(0, -tail.length) : found;
    if (keep(url)) return found;
    let index = links.indexOf(url);
    if (index < 0) {
      if (!written.includes(url)) return found;
      index = links.push(url) - 1;
    }
    return trackedUrl(index) + tail;
  });
}

/** Appends the open pixel just before `</body>` (or at the end when there is no body tag). */
export function addOpenPixel(html: string, pixelUrl: string): string {
  const img = `<img src="${pixelUrl}" width="1" height="1" alt="" style="display:block;width:1px;height:1px;border:0" />`;
  const at = html.search(/<\/body\s*>/i);
  return at < 0 ? html + img : html.slice(0, at) + img + html.slice(at);
}
