/**
 * @module Reading templates for the API: one template with its current version and version list,
 * and the workspace's templates.
 */
import type { ServiceDeps } from '../core/deps.js';
import { NotFoundError } from '../core/errors.js';
import { findTemplate, findVersion, toTemplate } from './repository.js';
import type { Template, TemplateKind, TemplateVersion } from './template.js';

export interface TemplateView extends Template {
  current: Omit<TemplateVersion, 'compiled'>;
  versions: Array<{ version: number; createdAt: number; layoutId: string | null; layoutVersion: number | null }>;
}

const withoutCompiled = ({ compiled: _compiled, ...rest }: TemplateVersion) => rest;

export async function getTemplateView(deps: ServiceDeps, workspaceId: string, id: string): Promise<TemplateView> {
  const { db } = deps.store;
  const template = await findTemplate(db, workspaceId, id);
  if (!template) throw new NotFoundError('template', id);
  const current = await findVersion(db, workspaceId, id, template.currentVersion);
  if (!current) throw new NotFoundError('template version', `${id}@${template.currentVersion}`);
  const versions = await db
    .selectFrom('template_versions')
    .select(['version', 'created_at', 'layout_id', 'layout_version'])
    .where('workspace_id', '=', workspaceId)
    .where('template_id', '=', id)
    .orderBy('version', 'desc')
    .execute();
  return {
    ...template,
    current: withoutCompiled(current),
    versions: versions.map((v) => ({ version: v.version, createdAt: v.created_at, layoutId: v.layout_id, layoutVersion: v.layout_version })),
  };
}

export async function getTemplateVersion(deps: ServiceDeps, workspaceId: string, id: string, version: number) {
  const v = await findVersion(deps.store.db, workspaceId, id, version);
  if (!v) throw new NotFoundError('template version', `${id}@${version}`);
  return withoutCompiled(v);
}

export async function listTemplates(
  deps: ServiceDeps,
  workspaceId: string,
  filter: { kind?: TemplateKind | undefined; channel?: string | undefined; includeArchived?: boolean | undefined },
): Promise<Template[]> {
  let q = deps.store.db.selectFrom('templates').selectAll().where('workspace_id', '=', workspaceId);
  if (filter.kind) q = q.where('kind', '=', filter.kind);
  if (filter.channel) q = q.where('channel', '=', filter.channel);
  if (!filter.includeArchived) q = q.where('archived_at', 'is', null);
  return (await q.orderBy('id').limit(10_000).execute()).map(toTemplate);
}
