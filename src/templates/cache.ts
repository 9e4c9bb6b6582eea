/**
 * @module What rendering keeps in memory, per process: stored versions (immutable, so cached for
 * good), one Liquid engine per workspace's set of partials, and parsed Liquid per (version, locale,
 * part) — parse once, render many. All bounded. Create one per process and pass it in.
 *
 * Which version is current, and which partials exist, are re-read from the database at most every
 * `partialsTtlMs` (default 2 s): a save made by another process reaches sends within that time.
 * Every send records the version it actually used.
 */
import type { Liquid, Template as LiquidTemplate } from 'liquidjs';
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

export interface Engine {
  stamp: string;
  /** Escapes `{{ output }}` for HTML bodies. */
  html: Liquid;
  /** No escaping: subjects, preheaders, text parts. */
  text: Liquid;
  checkedAt: number;
}

export type CachedVersion = TemplateVersion & { kind: TemplateKind; channel: string };

export class TemplateCache {
  readonly versions: Lru<string, CachedVersion>;
  /** Which version is current, per template; trusted for partialsTtlMs like the partials. */
  private readonly current: Lru<string, { version: number; checkedAt: number }>;
  private readonly parsed: Lru<string, LiquidTemplate[]>;
  private readonly engines: Lru<string, Engine>;
  private readonly inflight = new Map<string, Promise<unknown>>();
  private readonly ttlMs: number;
  private readonly now: () => number;
  constructor(options: TemplateCacheOptions = {}) {
    this.ttlMs = options.partialsTtlMs ?? 2000;
    this.now = options.now ?? Date.now;
    this.parsed = new Lru(options.maxParsed ?? 2000);
    this.versions = new Lru(options.maxVersions ?? 500);
    this.engines = new Lru(options.maxWorkspaces ?? 200);
    this.current = new Lru(options.maxVersions ?? 500);
  }

  /** The current version of a template as last seen, if seen within partialsTtlMs. */
  currentVersion(workspaceId: string, templateId: string): number | undefined {
    const hit = this.current.get(`${workspaceId}|${templateId}`);
    return hit && this.now() - hit.checkedAt < this.ttlMs ? hit.version : undefined;
  }

  rememberCurrent(workspaceId: string, templateId: string, version: number): void {
    this.current.set(`${workspaceId}|${templateId}`, { version, checkedAt: this.now() });
  }

  /**
   * Concurrent callers asking for the same key share one lookup: a batch of 100 renders starting
   * together (or together finding the TTL expired) reads the database once, not 100 times.
   */
  shared<T>(key: string, load: () => Promise<T>): Promise<T> {
    const running = this.inflight.get(key);
    if (running) return running as Promise<T>;
    const p = load().finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return p;
  }

  /** The engine for a workspace's current partials; re-checks the database at most every partialsTtlMs. */
  async engine(db: Db, workspaceId: string): Promise<Engine> {
    const cached = this.engines.get(workspaceId);
    const now = this.now();
    if (cached && now - cached.checkedAt < this.ttlMs) return cached;
    return this.shared(`engine|${workspaceId}`, async () => {
      if (cached && (await partialStamp(db, workspaceId)) === cached.stamp) {
        cached.checkedAt = now;
        return cached;
      }
      const set = await loadPartials(db, workspaceId);
      const engine = { stamp: set.stamp, html: createLiquid(set.sources, { html: true }), text: createLiquid(set.sources), checkedAt: now };
      this.engines.set(workspaceId, engine);
      return engine;
    });
  }

  /** Forget what may have changed after a save in this process: the workspace's partials and the template's current version. */
  invalidate(workspaceId: string, templateId?: string): void {
    this.engines.delete(workspaceId);
    if (templateId) this.current.delete(`${workspaceId}|${templateId}`);
  }

  /** Parsed templates belong to the engine that parsed them; `key` must say which (html or text). */
  parse(engine: Engine, mode: 'html' | 'text', key: string, source: string): LiquidTemplate[] {
    const full = `${engine.stamp}|${mode}|${key}`;
    let tpl = this.parsed.get(full);
    if (!tpl) {
      tpl = engine[mode].parse(source);
      this.parsed.set(full, tpl);
    }
    return tpl;
  }
}
