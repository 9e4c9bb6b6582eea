/**
 * @module The invitation email: a transactional system message carrying a one-time setup link to a
 * teammate. It goes through the workspace's email provider as the email channel's pool holds it
 * (SMTP, an HTTP provider, or the outbox on a fresh install), from the transactional sender. A
 * teammate is not a contact, so there is no `messages` row, no tracking and no unsubscribe link:
 * like the settings' "send test" (src/channels/email/test-send.ts), it is mail about the account.
 */
import type { Clock } from '../core/clock.js';
import { newId } from '../core/ids.js';
import type { EmailChannel } from '../channels/email/channel.js';
import { domainOf } from '../channels/email/settings.js';
import { escapeHtml } from '../unsubscribe/html.js';
import type { Role } from './tables.js';

export interface InviteMail {
  workspaceId: string;
  to: string;
  role: Role;
  setupUrl: string;
  expiresAt: number;
  /** Who invites (a member's name), or null for an API key. */
  invitedBy: string | null;
}

export type InviteMailResult = { status: 'sent' } | { status: 'failed'; reason: string };

export function inviteContent(m: InviteMail): { subject: string; text: string; html: string } {
  const who = m.invitedBy ? `${m.invitedBy} invited you` : 'You are invited';
  const until = new Date(m.expiresAt).toISOString().slice(0, 10);
  const subject = `${who} to Qatra`;
  const text = `${who} to join a Qatra workspace as ${m.role}.\n\nCreate your account with this link (it works once, until ${until}):\n\n${m.setupUrl}\n\nIf you did not expect this, ignore this message.\n`;
  const html = `<!doctype html><html><body><p dir="auto">${escapeHtml(who)} to join a Qatra workspace as <strong>${escapeHtml(m.role)}</strong>.</p><p><a href="${escapeHtml(m.setupUrl)}">Create your account</a></p><p dir="auto">The link works once, until ${until}. If you did not expect this, ignore this message.</p></body></html>`;
  return { subject, text, html };
}

export async function sendInviteMail(deps: { clock: Clock }, channel: EmailChannel, m: InviteMail): Promise<InviteMailResult> {
  try {
    const { resolved, provider } = await channel.providers.get(m.workspaceId);
    const settings = resolved.settings;
    const from = settings.transactionalFrom ?? settings.from;
    const id = newId('inv', deps.clock.now());
    const result = await provider.send({
      workspaceId: m.workspaceId,
      recordId: id,
      from,
      to: { address: m.to },
      replyTo: settings.replyTo,
      ...inviteContent(m),
      messageId: `<${id}@${domainOf(from.address)}>`,
      date: new Date(deps.clock.now()),
      headers: {},
    });
    return result.status === 'sent' ? { status: 'sent' } : { status: 'failed', reason: result.reason };
  } catch (err) {
    // The invitation stands (its link is in the answer to hand over); only the mail failed.
    return { status: 'failed', reason: err instanceof Error ? err.message : String(err) };
  }
}
