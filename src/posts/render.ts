/**
 * @module A post's text: its Liquid source rendered with `workspace`, `series` and `post` only (no
 * contact: a post goes to an audience, not a person), in the sandboxed engine of templates, then
 * each http(s) URL it carries replaced by its tracked link (./links.ts). Rendered the same way when
 * saved (to check its length on every account) and when published.
 */
import { createLiquid, liquidErrorPosition } from '../templates/engine.js';
import { urlsIn } from '../channels/sms/short-links.js';

export interface PostVariables {
  workspace: { name: string };
  series: { name: string };
  post: { number: number; total: number; date: string };
}

export class PostTextError extends Error {}

/** Renders the Liquid source; throws PostTextError with Liquid's words. */
export async function renderText(source: string, vars: PostVariables): Promise<string> {
  const liquid = createLiquid({});
  try {
    return (await liquid.parseAndRender(source, { workspace: { ...vars.workspace }, series: { ...vars.series }, post: { ...vars.post } })).trim();
  } catch (err) {
    const at = liquidErrorPosition(err);
    throw new PostTextError(at.line ? `${at.message} (line ${at.line}, column ${at.column})` : at.message);
  }
}

/** The URLs a rendered text carries, in order, each once (the same rule as SMS short links). */
export const linksOf = urlsIn;

/** `text` with the i-th of `links` replaced by `tracked[i]`. */
export function withTrackedLinks(text: string, links: readonly string[], tracked: readonly string[]): string {
  if (links.length === 0) return text;
  let out = text;
  // Longest first, so a URL that is a prefix of another is not replaced inside it.
  const order = links.map((url, i) => ({ url, i })).sort((a, b) => b.url.length - a.url.length);
  const marks = order.map((o) => `\u0000${o.i}\u0000`);
  order.forEach((o, k) => (out = out.split(o.url).join(marks[k]!)));
  return out.replace(/\u0000(\d+)\u0000/g, (_, i: string) => tracked[Number(i)]!);
}

/** Characters a text counts as on Mastodon: code points, each URL as `perUrl` (23 by default). */
export function mastodonLength(text: string, perUrl = 23): number {
  const urls = linksOf(text);
  let rest = text;
  for (const u of urls) rest = rest.split(u).join('');
  const count = [...rest].length;
  return count + perUrl * (text.length === rest.length ? 0 : countUrls(text, urls));
}

function countUrls(text: string, urls: readonly string[]): number {
  return urls.reduce((n, u) => n + text.split(u).length - 1, 0);
}

/** Characters a text counts as on Telegram (UTF-16 code units, as the Bot API measures). */
export const telegramLength = (text: string): number => text.length;

/** `url` with the UTM parameters it does not set itself. */
export function withUtm(url: string, utm: { source: string; medium: string; campaign: string; content?: string | undefined }): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return url;
  }
  const set = (k: string, v: string | undefined) => {
    if (v && !u.searchParams.has(k)) u.searchParams.set(k, v);
  };
  set('utm_source', utm.source);
  set('utm_medium', utm.medium);
  set('utm_campaign', utm.campaign);
  set('utm_content', utm.content);
  return u.toString();
}
