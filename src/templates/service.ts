/**
 * @module Saving templates: validate everything first, then write all of it in one transaction or
 * nothing. A save whose content is unchanged makes no new version. Used by the API (one template)
 * and `qatra templates apply` (many, where partials and layouts in the batch are seen by the
 * templates that use them).
 */
import { getSmsSettings } from '../channels/sms/settings.js';
import { createHash } from 'node:crypto';
import type { ServiceDeps } from '../core/deps.js';
import { ConflictError, NotFoundError, ValidationError } from '../core/errors.js';
import { toJson } from '../core/json.js';
import type { Db } from '../store/store.js';
import { createLiquid } from './engine.js';
import { TemplateValidationError, formatIssue, type TemplateIssue } from './issues.js';
import { findCurrent, loadPartials } from './repository.js';
import { templateInputSchema, type CompiledBodies, type ParsedTemplateInput, type TemplateContent, type TemplateInput } from './template.js';
import { validateTemplate, type ValidationEnv } from './validate.js';
import { postalAddressOf } from '../workspaces/postal-address.js';

export type SaveMode = 'create' | 'update' | 'upsert';

export interface SaveResult {
  id: string;
  version: number;
  /** False when the content was unchanged and no version was written. */
  newVersion: boolean;
  warnings: string[];
  /** Set for a template not in the input that got a new version because its layout changed. */
  rebuiltForLayout?: string;
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function contentHash(content: TemplateContent): string {
  return createHash('sha256').update(canonical(content)).digest('hex');
}

/** Kinds other templates depend on are written first. */
const ORDER = { partial: 0, layout: 1, marketing: 2, transactional: 2 } as const;

export function parseInputs(raw: unknown[]): ParsedTemplateInput[] {
  const issues: { path: string; message: string }[] = [];
  const parsed = raw.map((r, i) => {
    const res = templateInputSchema.safeParse(r);
    if (!res.success) for (const e of res.error.issues) issues.push({ path: [i, ...e.path].join('.'), message: e.message });
    return res.success ? res.data : undefined;
  });
  if (issues.length) throw new ValidationError(issues);
  return parsed as ParsedTemplateInput[];
}

/**
 * Saves `raw` (all or nothing). Messages built on a layout that this save changes are rebuilt on
 * the new layout as new versions of their own, in the same transaction, and listed after the
 * inputs in the result: a layout change reaches every message that uses it, or fails validation.
 */
export async function saveTemplates(
  deps: ServiceDeps & { compileBodies?: ValidationEnv['compile'] },
  workspaceId: string,
  raw: TemplateInput[],
  mode: SaveMode,
  options: { dryRun?: boolean } = {},
): Promise<SaveResult[]> {
  const requested = parseInputs(raw);
  const seen = new Set<string>();
  for (const input of requested) {
    if (seen.has(input.id)) throw ValidationError.at('id', `template "${input.id}" appears twice`);
    seen.add(input.id);
  }
  const { db } = deps.store;
  const layoutIds = requested.map((i) => i.content.layoutId).filter((id): id is string => !!id);
  const existing = await findCurrent(db, workspaceId, [...new Set([...requested.map((i) => i.id), ...layoutIds])]);
  const changedLayouts = requested.filter((i) => i.kind === 'layout' && existing.has(i.id) && existing.get(i.id)!.contentHash !== contentHash(i.content));
  const rebuilt = new Map<string, string>();
  for (const [id, current] of await findCurrent(
    db,
    workspaceId,
    await layoutDependents(
      db,
      workspaceId,
      changedLayouts.map((l) => l.id),
    ),
  )) {
    if (seen.has(id) || current.template.archived) continue;
    existing.set(id, current);
    rebuilt.set(id, current.version.layoutId!);
  }
  const inputs: ParsedTemplateInput[] = [
    ...requested,
    ...[...rebuilt.keys()].map((id) => {
      const { template, version } = existing.get(id)!;
      return { id, name: template.name, channel: template.channel, kind: template.kind, content: version.content };
    }),
  ];
  for (const input of requested) {
    if (mode === 'create' && existing.has(input.id)) throw new ConflictError(`template "${input.id}" already exists`, 'id');
    if (mode === 'update' && !existing.has(input.id)) throw new NotFoundError('template', input.id);
  }

  // The world as it will be after this batch: its partials and layouts override the stored ones.
  const partials = (await loadPartials(db, workspaceId)).sources;
  for (const input of inputs) if (input.kind === 'partial') partials[input.id] = input.content.body;
  const liquid = createLiquid(partials);
  const batch = new Map(inputs.map((i) => [i.id, i]));
  const postalAddress = await postalAddressOf(db, workspaceId);
  const maxSmsSegments = inputs.some((i) => i.channel === 'sms') ? (await getSmsSettings(db, workspaceId)).maxSegments : undefined;

  const problems: Array<TemplateIssue & { templateId: string; index: number }> = [];
  const prepared: Array<{ input: ParsedTemplateInput; compiled: CompiledBodies; warnings: string[]; hash: string }> = [];
  for (const [index, input] of inputs.entries()) {
    const layoutId = input.content.layoutId;
    const fromBatch = layoutId ? batch.get(layoutId) : undefined;
    const stored = layoutId ? existing.get(layoutId) : undefined;
    const layout = fromBatch
      ? { id: fromBatch.id, version: 0, kind: fromBatch.kind, content: fromBatch.content }
      : stored && !stored.template.archived
        ? { id: stored.template.id, version: stored.version.version, kind: stored.template.kind, content: stored.version.content }
        : null;
    const { issues, compiled } = await validateTemplate(input, { liquid, layout, postalAddress, maxSmsSegments, compile: deps.compileBodies });
    for (const issue of issues) if (issue.severity === 'error') problems.push({ ...issue, templateId: input.id, index });
    prepared.push({ input, compiled, warnings: issues.filter((i) => i.severity === 'warning').map(formatIssue), hash: contentHash(input.content) });
  }
  if (problems.length) throw new TemplateValidationError(problems, inputs.length > 1);
  if (options.dryRun) {
    return prepared.map((p) => {
      const before = existing.get(p.input.id);
      const changed = !before || before.contentHash !== p.hash || rebuilt.has(p.input.id);
      const result = { id: p.input.id, version: (before?.template.currentVersion ?? 0) + (changed ? 1 : 0), newVersion: changed, warnings: p.warnings };
      return rebuilt.has(p.input.id) ? { ...result, rebuiltForLayout: rebuilt.get(p.input.id)! } : result;
    });
  }

  const now = deps.clock.now();
  const order = [...prepared].sort((a, b) => ORDER[a.input.kind] - ORDER[b.input.kind]);
  const results = new Map<string, SaveResult>();
  await deps.store.transaction(async (trx) => {
    for (const p of order) {
      const { input } = p;
      const before = existing.get(input.id);
      let version: number;
      if (!before) {
        const inserted = await trx
          .insertInto('templates')
          .values({ workspace_id: workspaceId, id: input.id, name: input.name, channel: input.channel, kind: input.kind, current_version: 1, created_at: now, updated_at: now })
          .onConflict((oc) => oc.columns(['workspace_id', 'id']).doNothing())
          .returning('id')
          .executeTakeFirst();
        if (!inserted) throw new ConflictError(`template "${input.id}" already exists`, 'id');
        version = 1;
      } else if (before.contentHash === p.hash && before.template.kind === input.kind && before.template.channel === input.channel && !rebuilt.has(input.id)) {
        // Same content: no new version; a new name or leaving the archive is a plain update.
        await trx.updateTable('templates').set({ name: input.name, archived_at: null, updated_at: now }).where('workspace_id', '=', workspaceId).where('id', '=', input.id).execute();
        results.set(input.id, { id: input.id, version: before.template.currentVersion, newVersion: false, warnings: before.version.warnings });
        continue;
      } else {
        // The row lock (PostgreSQL) or BEGIN IMMEDIATE (SQLite) makes concurrent saves number versions one after another.
        const row = await trx
          .updateTable('templates')
          .set((eb) => ({ name: input.name, channel: input.channel, kind: input.kind, current_version: eb('current_version', '+', 1), archived_at: null, updated_at: now }))
          .where('workspace_id', '=', workspaceId)
          .where('id', '=', input.id)
          .returning('current_version')
          .executeTakeFirstOrThrow();
        version = row.current_version;
      }
      const layoutId = input.content.layoutId ?? null;
      const layoutVersion = layoutId ? (results.get(layoutId)?.version ?? existing.get(layoutId)?.template.currentVersion ?? null) : null;
      await trx
        .insertInto('template_versions')
        .values({
          workspace_id: workspaceId,
          template_id: input.id,
          version,
          content: toJson(input.content),
          compiled: toJson(p.compiled),
          warnings: toJson(p.warnings),
          content_hash: p.hash,
          layout_id: layoutId,
          layout_version: layoutVersion,
          created_at: now,
        })
        .execute();
      const result = { id: input.id, version, newVersion: true, warnings: p.warnings };
      results.set(input.id, rebuilt.has(input.id) ? { ...result, rebuiltForLayout: rebuilt.get(input.id)! } : result);
    }
  });
  return inputs.map((i) => results.get(i.id)!);
}

/** Live templates whose current version is built on one of `layoutIds`. */
async function layoutDependents(db: Db, workspaceId: string, layoutIds: string[]): Promise<string[]> {
  if (layoutIds.length === 0) return [];
  const rows = await db
    .selectFrom('templates as t')
    .innerJoin('template_versions as v', (j) => j.onRef('v.workspace_id', '=', 't.workspace_id').onRef('v.template_id', '=', 't.id').onRef('v.version', '=', 't.current_version'))
    .select('t.id')
    .where('t.workspace_id', '=', workspaceId)
    .where('v.layout_id', 'in', layoutIds)
    .where('t.archived_at', 'is', null)
    .execute();
  return rows.map((r) => r.id);
}

export async function archiveTemplate(deps: ServiceDeps, workspaceId: string, id: string): Promise<void> {
  const res = await deps.store.db
    .updateTable('templates')
    .set({ archived_at: deps.clock.now(), updated_at: deps.clock.now() })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .where('archived_at', 'is', null)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) === 0) throw new NotFoundError('template', id);
}
