/**
 * @module The sandboxed Liquid engine. Templates see only the variables we pass (own properties
 * only, no prototypes), unknown filters are errors, and `include`/`render`/`layout` resolve ONLY
 * from an in-memory map of the workspace's partials: there is no file system behind it, so
 * `{% include '/etc/passwd' %}` is just a partial that does not exist. Parse size, render time and
 * allocated output are bounded so one bad template cannot stall a worker.
 */
import { Liquid } from 'liquidjs';

export const LIMITS = Object.freeze({
  /** Longest template source Liquid will parse (characters). */
  parseChars: 1024 * 1024,
  /** Wall time one render may take (ms). Checked by LiquidJS between template nodes. */
  renderMs: 500,
  /** Characters LiquidJS may allocate while rendering (strings, ranges, arrays). */
  memoryChars: 4 * 1024 * 1024,
  /** Largest rendered part we accept (characters); larger is an error, not a truncated email. */
  outputChars: 1024 * 1024,
});

/**
 * A new engine whose partials are exactly `partials` (template id → Liquid source). With `html`,
 * every `{{ output }}` is HTML-escaped (a contact named `<a href=…>` stays text); `| raw` opts out.
 */
export function createLiquid(partials: Record<string, string>, options: { html?: boolean } = {}): Liquid {
  return new Liquid({
    templates: partials,
    ...(options.html ? { outputEscape: 'escape' as const } : {}),
    // Partials are looked up by template id, never by path.
    extname: '',
    relativeReference: false,
    ownPropertyOnly: true,
    strictFilters: true,
    strictVariables: false,
    // Parsed partials are cached per engine; a workspace gets a new engine when its partials change.
    cache: 200,
    parseLimit: LIMITS.parseChars,
    renderLimit: LIMITS.renderMs,
    memoryLimit: LIMITS.memoryChars,
  });
}

/** A small least-recently-used map: Map keeps insertion order, so the first key is the oldest. */
export class Lru<K, V> {
  private readonly map = new Map<K, V>();
  constructor(private readonly max: number) {}
  get(key: K): V | undefined {
    const value = this.map.get(key);
    if (value !== undefined) {
      this.map.delete(key);
      this.map.set(key, value);
    }
    return value;
  }
  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as K);
  }
  delete(key: K): void {
    this.map.delete(key);
  }
  get size(): number {
    return this.map.size;
  }
}

/** `…, line:3, col:7` → { line: 3, column: 7, message without the suffix }. */
export function liquidErrorPosition(err: unknown): { line?: number; column?: number; message: string } {
  const raw = err instanceof Error ? err.message : String(err);
  const m = /,? line:(\d+), col:(\d+)\s*$/.exec(raw);
  let message = m ? raw.slice(0, m.index) : raw;
  const missing = /ENOENT: Failed to lookup "([^"]*)"/.exec(message);
  if (missing) message = `partial "${missing[1]}" not found in this workspace (partials are templates of kind "partial")`;
  return m ? { line: Number(m[1]), column: Number(m[2]), message } : { message };
}
