/**
 * @module The double opt-in confirmation email, sent as a transactional message (it bypasses
 * marketing consent and caps, never reaches hard-bounced or complained addresses).
 *
 *  - With a `confirmationTemplateId` the form's template is sent through the email channel, with
 *    `{{ data.confirm_url }}`, `{{ data.list_name }}` and `{{ data.form_title }}`.
 *  - Without one, a built-in plain message. The email channel only sends templates, so this file
 *    follows the channel's steps itself with the messages and suppression services: record the
 *    delivery (queued) first, claim the attempt, check suppression at send time, record what
 *    leaves, hand it to the workspace's provider (the channel's provider pool), record the outcome.
 */
import { escapeHtml } from '../unsubscribe/html.js';
import type { Clock } from '../core/clock.js';
import type { Store } from '../store/store.js';
import type { Contact } from '../contacts/contact.js';
import type { SendResult } from '../channels/channel.js';
import type { EmailChannel } from '../channels/email/channel.js';
import { signedMessageId, verpAddress } from '../bounces/signed-ids.js';
import { workspaceSecret } from '../tracking/tokens.js';
import { domainOf } from '../channels/email/settings.js';
import { ERASED_CONTACT, claimAttempt, recordContent, recordOutcome, reserveMessage } from '../messages/records.js';
import { suppressionReason } from '../suppression/check.js';
import { suppress } from '../suppression/suppressions.js';
import type { Form } from './forms.js';

export interface ConfirmationMail {
  form: Form;
  listName: string;
  contact: Contact;
  confirmUrl: string;
}

export function builtInConfirmation(m: ConfirmationMail): { subject: string; text: string; html: string } {
  const subject = `Please confirm your subscription to ${m.listName}`;
  const text = `Hello,\n\nplease confirm that you want to receive "${m.listName}" by opening this link:\n\n${m.confirmUrl}\n\nIf you did not sign up, ignore this message: you will not be added.\n`;
  const html = `<!doctype html><html><body><p dir="auto">Please confirm that you want to receive <strong>${escapeHtml(m.listName)}</strong>.</p><p><a href="${escapeHtml(m.confirmUrl)}">Confirm my subscription</a></p><p dir="auto">If you did not sign up, ignore this message: you will not be added.</p></body></html>`;
  return { subject, text, html };
}

export async function sendConfirmation(deps: { store: Store; clock: Clock }, channel: EmailChannel, m: ConfirmationMail): Promise<SendResult> {
  const { store, clock } = deps;
  const workspaceId = m.form.workspaceId;
  const idempotencyKey = `form:${m.form.id}:confirm:${m.contact.id}:${clock.now()}`;
  if (m.form.confirmationTemplateId) {
    return channel.send({
      workspaceId,
      contact: m.contact,
      idempotencyKey,
      config: { template: m.form.confirmationTemplateId },
      context: { data: { confirm_url: m.confirmUrl, list_name: m.listName, form_title: m.form.title } },
      kind: 'transactional',
    });
  }
  const to = m.contact.email;
  if (!to) return { status: 'skipped', reason: 'contact has no email address' };
  const now = clock.now();
  // A new record is created already claimed by this attempt (messages/records.ts).
  const { message, created } = await reserveMessage(store.db, { workspaceId, contactId: m.contact.id, channel: 'email', kind: 'transactional', idempotencyKey, to }, now);
  if (!created && !(await claimAttempt(store.db, message, now))) return { status: 'retryable', reason: 'another attempt of this delivery is in progress' };
  const suppressed = await suppressionReason(store.db, { workspaceId, contactId: m.contact.id, address: to, kind: 'transactional' });
  if (suppressed) {
    await recordOutcome(store.db, message.id, { status: 'skipped', reason: suppressed }, clock.now());
    return { status: 'skipped', reason: suppressed };
  }
  const { resolved, provider } = await channel.providers.get(workspaceId);
  const settings = resolved.settings;
  const from = settings.transactionalFrom ?? settings.from;
  const content = builtInConfirmation(m);
  // Signed like the email channel's, so bounces and complaints about it can be verified.
  const secret = await workspaceSecret(store, workspaceId);
  const headerMessageId = signedMessageId(secret, workspaceId, idempotencyKey, domainOf(from.address));
  if (!(await recordContent(store.db, message.id, { provider: provider.name, to, subject: content.subject, links: [], headerMessageId, templateVersion: null }, now))) {
    await recordOutcome(store.db, message.id, { status: 'skipped', reason: ERASED_CONTACT }, clock.now());
    return { status: 'skipped', reason: ERASED_CONTACT };
  }
  const result = await provider.send({
    workspaceId,
    recordId: message.id,
    from,
    to: { address: to },
    replyTo: settings.replyTo,
    ...content,
    messageId: headerMessageId,
    date: new Date(now),
    headers: {},
    returnPath: settings.returnPathDomain ? verpAddress(secret, message.id, settings.returnPathDomain) : undefined,
  });
  const at = clock.now();
  switch (result.status) {
    case 'sent':
      await recordOutcome(store.db, message.id, { status: 'sent', providerMessageId: result.providerMessageId ?? null }, at);
      return result;
    case 'retryable':
      await recordOutcome(store.db, message.id, { status: 'queued', reason: result.reason }, at);
      return result;
    case 'skipped':
      await recordOutcome(store.db, message.id, { status: 'skipped', reason: result.reason }, at);
      return result;
    case 'permanent':
      if ('hardBounce' in result) {
        await store.transaction(async (trx) => {
          await recordOutcome(trx, message.id, { status: 'bounced', reason: result.reason }, at);
          await suppress(trx, { workspaceId, address: to, reason: 'hard_bounce', source: provider.name, detail: result.reason, now: at });
        });
      } else await recordOutcome(store.db, message.id, { status: 'failed', reason: result.reason }, at);
      return { status: 'permanent', reason: result.reason };
  }
}
