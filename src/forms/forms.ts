/**
 * @module Hosted signup forms of a workspace: create, read, patch, delete, list. A form adds people
 * to one list; whether they must confirm (double opt-in) is the list's setting, read at submit time,
 * so changing the list changes every form of it.
 */
import type { Selectable } from 'kysely';
import { z } from 'zod';
import type { ServiceDeps } from '../core/deps.js';
import { NotFoundError, ValidationError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { fromJson, toJson } from '../core/json.js';
import { parseOrThrow } from '../core/parse.js';
import type { Db } from '../store/store.js';
import { checkForm, formCreateBody, formPatchBody, type FormCreateInput, type FormField, type FormPatchInput } from './schemas.js';
import type { FormsTable } from './tables.js';

export interface Form {
  id: string;
  workspaceId: string;
  listId: string;
  name: string;
  title: string;
  fields: FormField[];
  consentText: string | null;
  consentTextVersion: string | null;
  thankYouText: string | null;
  redirectUrl: string | null;
  confirmationTemplateId: string | null;
  lang: string | null;
  createdAt: number;
  updatedAt: number;
}

export function toForm(row: Selectable<FormsTable>): Form {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    listId: row.list_id,
    name: row.name,
    title: row.title,
    fields: fromJson<FormField[]>(row.fields) ?? [],
    consentText: row.consent_text,
    consentTextVersion: row.consent_text_version,
    thankYouText: row.thank_you_text,
    redirectUrl: row.redirect_url,
    confirmationTemplateId: row.confirmation_template_id,
    lang: row.lang,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The list and the confirmation template must exist in the workspace (400 with the field path). */
async function checkReferences(db: Db, workspaceId: string, f: { listId: string; confirmationTemplateId: string | null }): Promise<void> {
  const list = await db.selectFrom('lists').select('id').where('workspace_id', '=', workspaceId).where('id', '=', f.listId).executeTakeFirst();
  if (!list) throw ValidationError.at('listId', `no list ${f.listId} in this workspace`);
  if (f.confirmationTemplateId) {
    const t = await db.selectFrom('templates').select('id').where('workspace_id', '=', workspaceId).where('id', '=', f.confirmationTemplateId).executeTakeFirst();
    if (!t) throw ValidationError.at('confirmationTemplateId', `no template ${f.confirmationTemplateId} in this workspace`);
  }
}

function columns(f: Omit<Form, 'id' | 'workspaceId' | 'createdAt' | 'updatedAt'>) {
  return {
    list_id: f.listId,
    name: f.name,
    title: f.title,
    fields: toJson(f.fields),
    consent_text: f.consentText,
    consent_text_version: f.consentTextVersion,
    thank_you_text: f.thankYouText,
    redirect_url: f.redirectUrl,
    confirmation_template_id: f.confirmationTemplateId,
    lang: f.lang,
  };
}

export async function createForm(deps: ServiceDeps, workspaceId: string, input: FormCreateInput): Promise<Form> {
  const b = parseOrThrow(formCreateBody, input);
  const f = {
    listId: b.listId,
    name: b.name,
    title: b.title,
    fields: b.fields,
    consentText: b.consentText ?? null,
    consentTextVersion: b.consentTextVersion ?? null,
    thankYouText: b.thankYouText ?? null,
    redirectUrl: b.redirectUrl ?? null,
    confirmationTemplateId: b.confirmationTemplateId ?? null,
    lang: b.lang ?? null,
  };
  await checkReferences(deps.store.db, workspaceId, f);
  const now = deps.clock.now();
  const row = await deps.store.db
    .insertInto('forms')
    .values({ id: newId('frm', now), workspace_id: workspaceId, ...columns(f), created_at: now, updated_at: now })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toForm(row);
}

export async function getForm(deps: ServiceDeps, workspaceId: string, formId: string): Promise<Form> {
  const row = await deps.store.db.selectFrom('forms').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', formId).executeTakeFirst();
  if (!row) throw new NotFoundError('form', formId);
  return toForm(row);
}

/** A form by id alone, for the public pages (the id is the only thing a visitor has). */
export async function findPublicForm(db: Db, formId: string): Promise<Form | undefined> {
  const row = await db.selectFrom('forms').selectAll().where('id', '=', formId).executeTakeFirst();
  return row ? toForm(row) : undefined;
}

export async function updateForm(deps: ServiceDeps, workspaceId: string, formId: string, input: FormPatchInput): Promise<Form> {
  const patch = parseOrThrow(formPatchBody, input);
  return deps.store.transaction(async (trx) => {
    const row = await trx.selectFrom('forms').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', formId).executeTakeFirst();
    if (!row) throw new NotFoundError('form', formId);
    const { id: _id, workspaceId: _ws, createdAt: _c, updatedAt: _u, ...before } = toForm(row);
    const next = { ...before };
    for (const [k, v] of Object.entries(patch)) if (v !== undefined) (next as Record<string, unknown>)[k] = v;
    parseOrThrow(
      z.any().superRefine((v, ctx) => checkForm(v as typeof next, ctx)),
      next,
    );
    await checkReferences(trx, workspaceId, next);
    const updated = await trx
      .updateTable('forms')
      .set({ ...columns(next), updated_at: deps.clock.now() })
      .where('id', '=', formId)
      .returningAll()
      .executeTakeFirstOrThrow();
    return toForm(updated);
  });
}

export async function deleteForm(deps: ServiceDeps, workspaceId: string, formId: string): Promise<void> {
  const gone = await deps.store.db.deleteFrom('forms').where('workspace_id', '=', workspaceId).where('id', '=', formId).returning('id').executeTakeFirst();
  if (!gone) throw new NotFoundError('form', formId);
}

export async function listForms(deps: ServiceDeps, workspaceId: string, page: { limit: number; afterId?: string | undefined }): Promise<Form[]> {
  let q = deps.store.db.selectFrom('forms').selectAll().where('workspace_id', '=', workspaceId);
  if (page.afterId !== undefined) q = q.where('id', '>', page.afterId);
  const rows = await q
    .orderBy('id')
    .limit(page.limit + 1)
    .execute();
  return rows.map(toForm);
}
