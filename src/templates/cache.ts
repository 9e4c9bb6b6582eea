/**
 * @module What rendering keeps in memory, per process: stored versions (immutable, so cached for
 * good), one Liquid engine per workspace's set of partials, and parsed Liquid per (version, locale,
 * part) — parse once, render many. All bounded. Create one per process and pass it in.
 */
import type { Liquid, Template as LiquidTemplate } from 'liquidjs';
import { compile as compileHtmlToText } from 'html-to-text';
import type { Db } from '../store/store.js';
import { createLiquid, Lru } from './engine.js';
import { loadPartials, partialStamp } from './repository.js';
import type { TemplateKind, TemplateVersion } from './template.js';

export interface TemplateCacheOptions {
  /** How long a workspace's partials are trusted before checking for changes (ms). */
  partialsTtlMs?: number;
  maxParsed?: number;
  maxVersions?: number;
  maxWorkspaces?: number;
  now?: () => number;
}

interface Engine {
  stamp: string;
  liquid: Liquid;
  checkedAt: number;
}

export type CachedVersion = TemplateVersion & { kind: TemplateKind; channel: string };

export class TemplateCache {
  readonly versions: Lru<string, CachedVersion>;
  private readonly parsed: Lru<string, LiquidTemplate[]>;
  private readonly engines: Lru<string, Engine>;
  private readonly ttlMs: number;
  private readonly now: () => number;
  /** HTML → text for the plain part when the template has none. Compiled once (html-to-text's fast path). */
  readonly htmlToText = compileHtmlToText({
    wordwrap: 78,
    selectors: [
      { selector: 'img', format: 'skip' },
      { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
      { selector: 'h1', options: { uppercase: false } },
      { selector: 'h2', options: { uppercase: false } },
      { selector: 'table', format: 'block' },
      { selector: 'tr', format: 'block' },
      { selector: 'td', format: 'block' },
    ],
  });

  constructor(options: TemplateCacheOptions = {}) {
    this.ttlMs = options.partialsTtlMs ?? 2000;
    this.now = options.now ?? Date.now;
    this.parsed = new Lru(options.maxParsed ?? 2000);
    this.versions = new Lru(options.maxVersions ?? 500);
    this.engines = new Lru(options.maxWorkspaces ?? 200);
  }

  /** The engine for a workspace's current partials; re-checks the database at most every partialsTtlMs. */
  async engine(db: Db, workspaceId: string): Promise<Engine> {
    const cached = this.engines.get(workspaceId);
    const now = this.now();
    if (cached && now - cached.checkedAt < this.ttlMs) return cached;
    if (cached && (await partialStamp(db, workspaceId)) === cached.stamp) {
      cached.checkedAt = now;
      return cached;
    }
    const set = await loadPartials(db, workspaceId);
    const engine = { stamp: set.stamp, liquid: createLiquid(set.sources), checkedAt: now };
    this.engines.set(workspaceId, engine);
    return engine;
  }

  /** Forget a workspace's engine (after its partials changed in this process). */
  invalidate(workspaceId: string): void {
    this.engines.delete(workspaceId);
  }

  parse(engine: Engine, key: string, source: string): LiquidTemplate[] {
    const full = `${engine.stamp}|${key}`;
    let tpl = this.parsed.get(full);
    if (!tpl) {
      tpl = engine.liquid.parse(source);
      this.parsed.set(full, tpl);
    }
    return tpl;
  }
}
