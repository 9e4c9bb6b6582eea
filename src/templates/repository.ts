/**
 * @module Reads of the templates tables shared by the service, the renderer and the API.
 */
import type { Selectable } from 'kysely';
import { fromJson } from '../core/json.js';
import type { Db } from '../store/store.js';
import type { TemplatesTable, TemplateVersionsTable } from './tables.js';
import type { CompiledBodies, Template, TemplateContent, TemplateVersion } from './template.js';

export function toTemplate(row: Selectable<TemplatesTable>): Template {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    name: row.name,
    channel: row.channel,
    kind: row.kind,
    currentVersion: row.current_version,
    archived: row.archived_at !== null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toVersion(row: Selectable<TemplateVersionsTable>): TemplateVersion {
  return {
    templateId: row.template_id,
    version: row.version,
    content: fromJson<TemplateContent>(row.content),
    compiled: fromJson<CompiledBodies>(row.compiled),
    warnings: fromJson<string[]>(row.warnings),
    layoutId: row.layout_id,
    layoutVersion: row.layout_version,
    createdAt: row.created_at,
  };
}

export async function findTemplate(db: Db, workspaceId: string, id: string): Promise<Template | undefined> {
  const row = await db.selectFrom('templates').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  return row && toTemplate(row);
}

export async function findVersion(db: Db, workspaceId: string, id: string, version: number): Promise<TemplateVersion | undefined> {
  const row = await db.selectFrom('template_versions').selectAll().where('workspace_id', '=', workspaceId).where('template_id', '=', id).where('version', '=', version).executeTakeFirst();
  return row && toVersion(row);
}

export interface CurrentTemplate {
  template: Template;
  version: TemplateVersion;
  contentHash: string;
}

/** Templates with their current version, by id (archived included). */
export async function findCurrent(db: Db, workspaceId: string, ids: string[]): Promise<Map<string, CurrentTemplate>> {
  const out = new Map<string, CurrentTemplate>();
  if (ids.length === 0) return out;
  const rows = await db
    .selectFrom('templates as t')
    .innerJoin('template_versions as v', (j) => j.onRef('v.workspace_id', '=', 't.workspace_id').onRef('v.template_id', '=', 't.id').onRef('v.version', '=', 't.current_version'))
    .selectAll('t')
    .select(['v.content', 'v.compiled', 'v.warnings', 'v.content_hash', 'v.layout_id', 'v.layout_version', 'v.created_at as v_created_at'])
    .where('t.workspace_id', '=', workspaceId)
    .where('t.id', 'in', ids)
    .execute();
  for (const r of rows) {
    out.set(r.id, {
      template: toTemplate(r),
      contentHash: r.content_hash,
      version: toVersion({ ...r, template_id: r.id, version: r.current_version, created_at: r.v_created_at }),
    });
  }
  return out;
}

export interface PartialSet {
  /** Changes whenever a partial is added, changed or archived: part of every cache key. */
  stamp: string;
  sources: Record<string, string>;
}

/** The workspace's live partials: id → Liquid source of the current version. */
export async function loadPartials(db: Db, workspaceId: string): Promise<PartialSet> {
  const rows = await db
    .selectFrom('templates as t')
    .innerJoin('template_versions as v', (j) => j.onRef('v.workspace_id', '=', 't.workspace_id').onRef('v.template_id', '=', 't.id').onRef('v.version', '=', 't.current_version'))
    .select(['t.id', 't.current_version', 'v.content'])
    .where('t.workspace_id', '=', workspaceId)
    .where('t.kind', '=', 'partial')
    .where('t.archived_at', 'is', null)
    .orderBy('t.id')
    .execute();
  const sources: Record<string, string> = {};
  for (const r of rows) sources[r.id] = fromJson<TemplateContent>(r.content).body;
  return { stamp: rows.map((r) => `${r.id}@${r.current_version}`).join(','), sources };
}

/** Only the stamp (cheap): to see whether cached engines are still current. */
export async function partialStamp(db: Db, workspaceId: string): Promise<string> {
  const rows = await db
    .selectFrom('templates')
    .select(['id', 'current_version'])
    .where('workspace_id', '=', workspaceId)
    .where('kind', '=', 'partial')
    .where('archived_at', 'is', null)
    .orderBy('id')
    .execute();
  return rows.map((r) => `${r.id}@${r.current_version}`).join(',');
}
