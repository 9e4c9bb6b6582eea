/**
 * @module The scoring rules service: create, list, read, change (the whole rule is validated again),
 * delete. Each change forgets this process's cached copy of the workspace's rules (./catalog.ts);
 * other processes see it through the catalog's change marker.
 */
import type { ServiceDeps } from '../core/deps.js';
import { ConflictError, NotFoundError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { fromJson, toJson } from '../core/json.js';
import { parseOrThrow } from '../core/parse.js';
import type { Db } from '../store/store.js';
import { definitionOf, periodMs, periodText, ruleInput, rulePatch, type Rule, type RuleInput } from './rule.js';
import type { ScoringRulesTable } from './tables.js';

type Row = Omit<ScoringRulesTable, 'definition'> & { definition: unknown };

export function toRule(r: Row): Rule {
  const def = fromJson<Record<string, unknown>>(r.definition);
  const rule: Rule = {
    id: r.id,
    name: r.name,
    kind: r.kind,
    points: Number(r.points),
    maxPerContact: r.max_per_contact === null ? null : Number(r.max_per_contact),
    maxPerPeriod: r.max_per_period === null || r.period_ms === null ? null : { times: Number(r.max_per_period), period: periodText(Number(r.period_ms)) },
    enabled: Boolean(r.enabled),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
  if (r.kind === 'event') {
    rule.event = def.event as string;
    if (def.where) rule.where = def.where as Rule['where'];
  } else rule.condition = def.condition as Rule['condition'];
  return rule;
}

function columns(input: RuleInput) {
  const caps = input.kind === 'event' ? input : { maxPerContact: null, maxPerPeriod: null };
  return {
    name: input.name,
    kind: input.kind,
    definition: toJson(definitionOf(input)),
    points: input.points,
    max_per_contact: caps.maxPerContact ?? null,
    max_per_period: caps.maxPerPeriod?.times ?? null,
    period_ms: caps.maxPerPeriod ? periodMs(caps.maxPerPeriod.period) : null,
    enabled: input.enabled ? 1 : 0,
  };
}

async function findRow(db: Db, workspaceId: string, id: string): Promise<Row> {
  const row = await db.selectFrom('scoring_rules').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  if (!row) throw new NotFoundError('scoring rule', id);
  return row;
}

export async function createRule(deps: ServiceDeps, workspaceId: string, raw: unknown): Promise<Rule> {
  const input = parseOrThrow(ruleInput, raw);
  const now = deps.clock.now();
  const id = input.id ?? newId('rule', now);
  const taken = await deps.store.db.selectFrom('scoring_rules').select('workspace_id').where('id', '=', id).executeTakeFirst();
  if (taken) throw new ConflictError(`scoring rule ${id} already exists`, 'id');
  const row = await deps.store.db
    .insertInto('scoring_rules')
    .values({ id, workspace_id: workspaceId, ...columns(input), created_at: now, updated_at: now })
    .returningAll()
    .executeTakeFirstOrThrow();
  deps.signals.forget(workspaceId);
  return toRule(row);
}

export async function listRules(deps: ServiceDeps, workspaceId: string, page: { limit: number; afterId?: string | undefined }): Promise<Rule[]> {
  let q = deps.store.db
    .selectFrom('scoring_rules')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .orderBy('id')
    .limit(page.limit + 1);
  if (page.afterId !== undefined) q = q.where('id', '>', page.afterId);
  return (await q.execute()).map(toRule);
}

export async function getRule(deps: ServiceDeps, workspaceId: string, id: string): Promise<Rule> {
  return toRule(await findRow(deps.store.db, workspaceId, id));
}

/** Merges the patch into the stored rule and validates the result as a whole (paths as for create). */
export async function updateRule(deps: ServiceDeps, workspaceId: string, id: string, raw: unknown): Promise<Rule> {
  const patch = parseOrThrow(rulePatch, raw);
  return deps.store.transaction(async (trx) => {
    const current = toRule(await findRow(trx, workspaceId, id));
    const { id: _id, createdAt: _c, updatedAt: _u, ...base } = current;
    const merged: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(patch)) if (v !== undefined) merged[k] = v;
    // Attribute rules take no caps; a patch that names one is rejected by the schema below.
    if (merged.kind === 'attribute') {
      if (patch.maxPerContact === undefined) delete merged.maxPerContact;
      if (patch.maxPerPeriod === undefined) delete merged.maxPerPeriod;
    }
    const input = parseOrThrow(ruleInput, merged);
    const now = deps.clock.now();
    const row = await trx
      .updateTable('scoring_rules')
      .set({ ...columns(input), updated_at: Math.max(now, current.updatedAt + 1) })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    deps.signals.forget(workspaceId);
    return toRule(row);
  });
}

/** Deletes the rule; its history stays (rule_id keeps naming it). */
export async function deleteRule(deps: ServiceDeps, workspaceId: string, id: string): Promise<void> {
  const gone = await deps.store.db.deleteFrom('scoring_rules').where('workspace_id', '=', workspaceId).where('id', '=', id).returning('id').executeTakeFirst();
  if (!gone) throw new NotFoundError('scoring rule', id);
  deps.signals.forget(workspaceId);
}
