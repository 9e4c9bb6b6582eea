/**
 * @module What a simulated message node would send: the real renderers (src/templates/render.ts,
 * render-sms.ts — the code path of the preview endpoint) for the contact and the run's context, with
 * the preview's placeholder unsubscribe links. Also the email channel's read-only checks that make a
 * send `skipped` (no address, suppressed), so the simulated path takes the same turn.
 */
import type { AppDeps } from '../../core/app-deps.js';
import type { Contact } from '../../contacts/contact.js';
import type { JsonObject } from '../../core/json.js';
import { NotFoundError, ValidationError } from '../../core/errors.js';
import type { TemplateCache } from '../../templates/cache.js';
import { renderEmail, type RenderContext } from '../../templates/render.js';
import { renderSms } from '../../templates/render-sms.js';
import { isRtlLocale } from '../../templates/locale.js';
import { getWorkspaceSettings } from '../../templates/workspace-settings.js';
import { suppressionReason } from '../../suppression/check.js';
import type { PendingSend } from '../runtime/walk.js';
import type { SimulatedMessage } from './schemas.js';

export type SimulatedSend = { status: 'sent'; message: SimulatedMessage | null; note?: string } | { status: 'skipped'; reason: string } | { status: 'failed'; reason: string };

export interface RenderDeps {
  deps: AppDeps;
  templateCache: TemplateCache;
  /** True for a contact typed in (no row): consent and suppressions are not looked up. */
  synthetic: boolean;
}

const TEXT_EXCERPT = 2000;

export async function simulateSend(r: RenderDeps, workspaceId: string, contact: Contact, send: PendingSend, context: RenderContext): Promise<SimulatedSend> {
  const { deps, templateCache } = r;
  const rdeps = { store: deps.store, templateCache };
  const templateId = typeof send.config.template === 'string' ? send.config.template : null;
  try {
    if (send.channel === 'email') {
      if (!contact.email) return { status: 'skipped', reason: 'contact has no email address' };
      if (!r.synthetic) {
        const topic = typeof send.config.topic === 'string' && send.config.topic !== '' ? send.config.topic : undefined;
        const suppressed = await suppressionReason(deps.store.db, { workspaceId, contactId: contact.id, address: contact.email, kind: send.messageKind, topic });
        if (suppressed) return { status: 'skipped', reason: suppressed };
      }
      if (!templateId) return { status: 'failed', reason: 'email: the message node names no template' };
      const ws = await getWorkspaceSettings(deps.store.db, workspaceId);
      const e = await renderEmail(rdeps, {
        workspaceId,
        templateId,
        contact,
        context,
        workspace: { name: ws.name, postalAddress: ws.postalAddress },
        links: { unsubscribeUrl: `${deps.config.publicUrl}/u/preview`, preferencesUrl: `${deps.config.publicUrl}/p/preview` },
      });
      return {
        status: 'sent',
        message: {
          channel: 'email',
          templateId: e.templateId,
          version: e.version,
          locale: e.locale,
          dir: e.direction,
          to: contact.email,
          subject: e.subject,
          preheader: e.preheader,
          html: e.html,
          text: e.text.slice(0, TEXT_EXCERPT),
        },
      };
    }
    if (send.channel === 'sms' && templateId) {
      if (!contact.phone && !r.synthetic) return { status: 'skipped', reason: 'contact has no phone number' };
      const s = await renderSms(rdeps, { workspaceId, templateId, contact, context, workspace: { name: '', postalAddress: '' } });
      return {
        status: 'sent',
        message: {
          channel: 'sms',
          templateId: s.templateId,
          version: s.version,
          locale: s.locale,
          dir: isRtlLocale(s.locale) ? 'rtl' : 'ltr',
          to: contact.phone,
          subject: '',
          preheader: '',
          html: null,
          text: s.text,
        },
      };
    }
  } catch (err) {
    // The runtime turns these into a permanent failure: the run errors at this node.
    if (err instanceof NotFoundError || err instanceof ValidationError) return { status: 'failed', reason: `template: ${err.message}` };
    throw err;
  }
  return { status: 'sent', message: null, note: `${send.channel}: not rendered by the simulation (assumed delivered)` };
}

export function contextOf(trigger: JsonObject, event: JsonObject, data: JsonObject): RenderContext {
  return { trigger, event, data };
}
