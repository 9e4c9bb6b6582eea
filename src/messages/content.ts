/**
 * @module What a message looked like, for the contact timeline.
 *
 * Qatra keeps what identifies a delivery (subject, links, template version: recordContent in
 * ./records.ts), not every body it sent: a broadcast to 100k contacts would store 100k HTML bodies.
 * So the body comes from the best place there is:
 *  - `outbox`: the outbox provider stored the exact message it "sent" (outbox.message_id is the
 *    message record's id): its HTML and text as they left, tracking links included.
 *  - `template`: otherwise the recorded template version is rendered again for the contact as it is
 *    now, with placeholder unsubscribe links and without the journey's trigger data; the answer says
 *    so, and the subject that was really sent is the record's.
 *  - `none`: neither (an SMS, a webhook, a message that never got rendered, an erased contact).
 */
import type { AppDeps } from '../core/app-deps.js';
import { NotFoundError } from '../core/errors.js';
import type { TemplateCache } from '../templates/cache.js';
import { previewTemplate } from '../templates/preview.js';

export interface MessageContent {
  messageId: string;
  source: 'outbox' | 'template' | 'none';
  subject: string | null;
  html: string | null;
  text: string | null;
  direction: 'ltr' | 'rtl' | null;
  templateId: string | null;
  templateVersion: number | null;
}

export async function messageContent(deps: AppDeps & { templateCache: TemplateCache }, workspaceId: string, messageId: string): Promise<MessageContent> {
  const { db } = deps.store;
  const m = await db
    .selectFrom('messages')
    .select(['id', 'contact_id', 'subject', 'template_id', 'template_version'])
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', messageId)
    .executeTakeFirst();
  if (!m) throw new NotFoundError('message', messageId);
  const base = { messageId: m.id, subject: m.subject, templateId: m.template_id, templateVersion: m.template_version };
  const stored = await db
    .selectFrom('outbox')
    .select(['subject', 'html_body', 'text_body'])
    .where('workspace_id', '=', workspaceId)
    .where('message_id', '=', m.id)
    .orderBy('id', 'desc')
    .executeTakeFirst();
  if (stored) {
    const direction = /<html[^>]*\bdir=["']?rtl/i.test(stored.html_body ?? '') ? 'rtl' : 'ltr';
    return { ...base, source: 'outbox', subject: stored.subject, html: stored.html_body, text: stored.text_body, direction };
  }
  const contact = await db.selectFrom('contacts').select(['erased_at']).where('id', '=', m.contact_id).executeTakeFirst();
  if (m.template_id !== null && m.template_version !== null && contact && contact.erased_at === null) {
    try {
      const r = await previewTemplate(deps, workspaceId, m.template_id, { contactId: m.contact_id, version: m.template_version });
      return { ...base, source: 'template', subject: m.subject ?? r.subject, html: r.html, text: r.text, direction: r.direction };
    } catch (err) {
      // The template (or that version) was deleted since: there is nothing left to render.
      if (!(err instanceof NotFoundError)) throw err;
    }
  }
  return { ...base, source: 'none', html: null, text: null, direction: null };
}
