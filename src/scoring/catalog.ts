/**
 * @module What the signal sink reads of a workspace's scoring setup: its enabled rules, indexed by
 * event name and by the contact attributes attribute rules look at, and its decay setting (which the
 * decay task and manual adjustments read alone, `decayOf`). The catalog is a cache only, one per
 * runtime (made by ./sink.ts's factory): per workspace it is keyed by a change marker (rule count,
 * latest rule change, settings change; one indexed query per transaction), so an edit made by another
 * process is seen by the next transaction, and this process forgets at once what it changed itself
 * (`deps.signals.forget`).
 */
import { sql } from 'kysely';
import { fromJson } from '../core/json.js';
import type { Db } from '../store/store.js';
import type { Condition } from '../journeys/definition/schema.js';
import type { CompiledRule } from './rule.js';

export const DEFAULT_DECAY_PERIOD_MS = 30 * 86_400_000;

export interface Decay {
  /** Percent of the score removed per full period of inactivity (1-100). */
  percent: number;
  periodMs: number;
}

export interface ScoringSetup {
  /** False when the workspace has no enabled rule and no decay: the sink does nothing. */
  active: boolean;
  byEvent: Map<string, CompiledRule[]>;
  attributeRules: CompiledRule[];
  /** Top-level keys (attribute names, `email`, `userId`, …) the attribute rules read. */
  attributeKeys: Set<string>;
  decay: Decay | null;
}

/** `contact.plan.tier` → `plan`. */
function keysOf(c: Condition, into: Set<string>): void {
  if ('all' in c) c.all.forEach((x) => keysOf(x, into));
  else if ('any' in c) c.any.forEach((x) => keysOf(x, into));
  else if ('not' in c) keysOf(c.not, into);
  else if ('field' in c) into.add(c.field.split('.')[1]!);
}

export interface ScoringCatalog {
  setup(db: Db, workspaceId: string): Promise<ScoringSetup>;
  /** Forgets a workspace's setup at once (this process changed it). */
  forget(workspaceId: string): void;
}

export function createScoringCatalog(): ScoringCatalog {
  const cache = new Map<string, { marker: string; setup: ScoringSetup }>();
  /**
   * Per transaction, the setup is read once: a sink's nested signals (the `lead_score.changed` it
   * emits) come back in the same transaction, where the marker cannot have moved.
   */
  const inTransaction = new WeakMap<Db, Map<string, ScoringSetup>>();

  async function currentSetup(db: Db, workspaceId: string): Promise<ScoringSetup> {
    const m = (
      await sql<{ n: number | string; at: number | string | null; s: number | string | null }>`SELECT
        (SELECT count(*) FROM scoring_rules WHERE workspace_id = ${workspaceId}) AS n,
        (SELECT max(updated_at) FROM scoring_rules WHERE workspace_id = ${workspaceId}) AS at,
        (SELECT updated_at FROM scoring_settings WHERE workspace_id = ${workspaceId}) AS s`.execute(db)
    ).rows[0]!;
    const marker = `${m.n}:${m.at ?? ''}:${m.s ?? ''}`;
    const hit = cache.get(workspaceId);
    if (hit && hit.marker === marker) return hit.setup;
    const setup = await load(db, workspaceId, Number(m.n) > 0, m.s !== null);
    if (cache.size > 10_000) cache.clear();
    cache.set(workspaceId, { marker, setup });
    return setup;
  }

  return {
    async setup(db, workspaceId) {
      const memo = db.isTransaction ? inTransaction.get(db) : undefined;
      const known = memo?.get(workspaceId);
      if (known) return known;
      const setup = await currentSetup(db, workspaceId);
      if (db.isTransaction) {
        if (memo) memo.set(workspaceId, setup);
        else inTransaction.set(db, new Map([[workspaceId, setup]]));
      }
      return setup;
    },
    forget(workspaceId) {
      cache.delete(workspaceId);
    },
  };
}

/** The workspace's decay setting, read from the database (null: no decay). */
export async function decayOf(db: Db, workspaceId: string): Promise<Decay | null> {
  const s = await db.selectFrom('scoring_settings').select(['decay_percent', 'decay_period_ms']).where('workspace_id', '=', workspaceId).executeTakeFirst();
  return s && Number(s.decay_percent) > 0 ? { percent: Number(s.decay_percent), periodMs: Number(s.decay_period_ms) } : null;
}

async function load(db: Db, workspaceId: string, hasRules: boolean, hasSettings: boolean): Promise<ScoringSetup> {
  const setup: ScoringSetup = { active: false, byEvent: new Map(), attributeRules: [], attributeKeys: new Set(), decay: null };
  if (hasRules) {
    const rows = await db.selectFrom('scoring_rules').selectAll().where('workspace_id', '=', workspaceId).where('enabled', '=', 1).orderBy('id').execute();
    for (const r of rows) {
      const def = fromJson<Record<string, unknown>>(r.definition);
      const rule: CompiledRule = {
        id: r.id,
        kind: r.kind,
        event: r.kind === 'event' ? (def.event as string) : null,
        where: def.where as CompiledRule['where'],
        condition: def.condition as Condition | undefined,
        points: Number(r.points),
        maxPerContact: r.kind === 'attribute' ? 1 : r.max_per_contact === null ? null : Number(r.max_per_contact),
        maxPerPeriod: r.max_per_period === null || r.period_ms === null ? null : { times: Number(r.max_per_period), periodMs: Number(r.period_ms) },
      };
      if (rule.event !== null) {
        const list = setup.byEvent.get(rule.event) ?? [];
        list.push(rule);
        setup.byEvent.set(rule.event, list);
      } else if (rule.condition) {
        setup.attributeRules.push(rule);
        keysOf(rule.condition, setup.attributeKeys);
      }
      setup.active = true;
    }
  }
  if (hasSettings) {
    const s = await db.selectFrom('scoring_settings').selectAll().where('workspace_id', '=', workspaceId).executeTakeFirst();
    if (s && Number(s.decay_percent) > 0) {
      setup.decay = { percent: Number(s.decay_percent), periodMs: Number(s.decay_period_ms) };
      setup.active = true;
    }
  }
  return setup;
}

/** When the next decay period is due for a score row; null when there is nothing to decay. */
export function nextDecayAt(decay: Decay | null, score: number, lastActivityAt: number, decayPeriods: number): number | null {
  if (!decay || score === 0) return null;
  return lastActivityAt + (decayPeriods + 1) * decay.periodMs;
}
