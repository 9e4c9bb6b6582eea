/**
 * @module Starting a journey from the gallery (./catalogue.ts): the item's templates are created
 * (English, with an Arabic variant) and its journey is created as a draft that sends them. The ids
 * are the item's (`welcome-series`, its templates `welcome-series-welcome`, …), or with `-2`, `-3`
 * … when any of them is taken, so using an item twice makes a second, independent copy.
 *
 * Everything is validated before anything is written (the templates by a dry-run save, the journey
 * by the full validator, which must accept it: a gallery item is complete). The templates and the
 * journey are then written in two transactions, templates first; the journey's id was checked
 * free just before, so only a concurrent create of the same id between the two could leave the
 * templates without their journey (they stay, as unused templates).
 */
import type { ServiceDeps } from '../../core/deps.js';
import { NotFoundError, ValidationError } from '../../core/errors.js';
import { saveTemplates } from '../../templates/service.js';
import type { TemplateInput } from '../../templates/template.js';
import { applyValidated, validate, type ApplyResult } from '../journeys.js';
import { GALLERY, type GalleryItem } from './catalogue.js';
import { galleryMjml } from './email.js';

export function findGalleryItem(id: string): GalleryItem {
  const item = GALLERY.find((g) => g.id === id);
  if (!item) throw new NotFoundError('gallery item', id);
  return item;
}

/** The item's templates as saved under journey id `journeyId`. */
export function galleryTemplates(item: GalleryItem, journeyId: string): TemplateInput[] {
  return item.templates.map((t) => ({
    id: `${journeyId}-${t.key}`,
    name: journeyId === item.id ? t.name : `${t.name} (${journeyId})`,
    channel: 'email',
    kind: 'marketing',
    content: {
      subject: t.subject,
      preheader: t.preheader,
      format: 'mjml',
      body: galleryMjml(t.en),
      locales: { ar: { subject: t.ar.subject, preheader: t.ar.preheader, body: galleryMjml(t.ar) } },
    },
  }));
}

/** The item's journey document under id `journeyId`, as a draft. */
export function galleryJourney(item: GalleryItem, journeyId: string, name: string): Record<string, unknown> {
  const text = JSON.stringify(item.journey).replace(/\{\{template:([a-z0-9-]+)\}\}/g, (_m, key: string) => `${journeyId}-${key}`);
  return { id: journeyId, name, description: item.description, status: 'draft', ...(JSON.parse(text) as Record<string, unknown>) };
}

async function freeJourneyId(deps: ServiceDeps, workspaceId: string, item: GalleryItem): Promise<{ id: string; n: number }> {
  const { db } = deps.store;
  for (let n = 1; n < 100; n++) {
    const id = n === 1 ? item.id : `${item.id}-${n}`;
    const templateIds = item.templates.map((t) => `${id}-${t.key}`);
    const journey = await db.selectFrom('journeys').select('id').where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
    const template = await db.selectFrom('templates').select('id').where('workspace_id', '=', workspaceId).where('id', 'in', templateIds).executeTakeFirst();
    if (!journey && !template) return { id, n };
  }
  throw ValidationError.at('id', `the workspace already has 99 copies of "${item.id}"`);
}

export interface UsedGalleryItem {
  journey: ApplyResult;
  templates: string[];
}

export async function useGalleryItem(deps: ServiceDeps, workspaceId: string, itemId: string): Promise<UsedGalleryItem> {
  const item = findGalleryItem(itemId);
  const { id, n } = await freeJourneyId(deps, workspaceId, item);
  const templates = galleryTemplates(item, id);
  const document = galleryJourney(item, id, n === 1 ? item.name : `${item.name} ${n}`);
  await saveTemplates(deps, workspaceId, templates, 'create', { dryRun: true });
  const ids = new Set(templates.map((t) => t.id));
  const checked = await validate({ ...deps, templateExists: async (_ws, t) => ids.has(t) }, workspaceId, document);
  if (!checked.ok) throw new ValidationError(checked.errors);
  await saveTemplates(deps, workspaceId, templates, 'create');
  const [journey] = await applyValidated(deps, workspaceId, [{ document: checked.document, requestedStatus: 'draft', warnings: checked.warnings }], 'create');
  return { journey: journey!, templates: [...ids] };
}
