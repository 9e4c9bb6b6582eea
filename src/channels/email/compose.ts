/**
 * @module Turns a rendered template into the OutgoingEmail a provider delivers: click tracking (in
 * the HTML and the text part) and the open pixel (marketing, and transactional when the workspace asks), From and Reply-To, the
 * standard headers, the deterministic Message-ID and the VERP return path (both signed, so a bounce
 * or complaint naming them cannot be forged: bounces/signed-ids.ts). `To` is built from a parsed
 * EmailAddress (src/core/email-address.ts), never from a raw string.
 */
import type { EmailAddress } from '../../core/email-address.js';
import type { RenderedEmail } from '../../templates/render.js';
import { signToken } from '../../tracking/tokens.js';
import { addOpenPixel, rewriteLinks, rewriteTextLinks } from '../../tracking/links.js';
import type { OutgoingEmail } from './provider.js';
import type { EmailSettings } from './settings.js';
import { domainOf } from './settings.js';
import { parseMailbox, standardHeaders } from './headers.js';
import { signedMessageId, verpAddress } from '../../bounces/signed-ids.js';

export interface ComposeInput {
  workspaceId: string;
  workspaceName: string;
  recordId: string;
  idempotencyKey: string;
  kind: 'marketing' | 'transactional';
  journeyId?: string | undefined;
  topic?: string | undefined;
  /** The recipient, parsed (the channel skips a contact whose stored email does not parse). */
  to: EmailAddress;
  rendered: RenderedEmail;
  settings: EmailSettings;
  secret: string;
  publicUrl: string;
  now: number;
}

export function unsubscribeUrls(publicUrl: string, secret: string, recordId: string): { unsubscribeUrl: string; preferencesUrl: string; token: string } {
  const token = signToken(secret, 'unsubscribe', { messageId: recordId });
  return {
    token,
    unsubscribeUrl: `${publicUrl}/u/${token}`,
    preferencesUrl: `${publicUrl}/p/${signToken(secret, 'preferences', { messageId: recordId })}`,
  };
}

export function composeEmail(input: ComposeInput): { email: OutgoingEmail; links: string[] } {
  const { settings, rendered, publicUrl, secret, recordId } = input;
  const from = rendered.from ? parseMailbox(rendered.from) : input.kind === 'transactional' && settings.transactionalFrom ? settings.transactionalFrom : settings.from;
  const domain = domainOf(from.address);
  const track = input.kind === 'marketing' || settings.tracking.transactional;
  let html = rendered.html;
  let text = rendered.text;
  let links: string[] = [];
  if (track && settings.tracking.clicks) {
    const ours = [`${publicUrl}/u/`, `${publicUrl}/p/`];
    const tracked = (i: number) => `${publicUrl}/c/${signToken(secret, 'click', { messageId: recordId, linkIndex: i })}`;
    const keep = (url: string) => ours.some((p) => url.startsWith(p));
    const rewritten = rewriteLinks(html, tracked, keep);
    html = rewritten.html;
    links = rewritten.links;
    text = rewriteTextLinks(text, links, tracked, keep, rendered.textLinks ?? []);
  }
  if (track && settings.tracking.opens) html = addOpenPixel(html, `${publicUrl}/o/${signToken(secret, 'open', { messageId: recordId })}.gif`);
  const unsub = input.kind === 'marketing' ? unsubscribeUrls(publicUrl, secret, recordId) : undefined;
  const headers = standardHeaders({
    workspaceId: input.workspaceId,
    workspaceName: input.workspaceName,
    domain,
    journeyId: input.journeyId,
    templateId: rendered.templateId,
    topic: input.topic,
    unsubscribe: unsub ? { url: unsub.unsubscribeUrl, mailtoToken: unsub.token } : undefined,
  });
  const email: OutgoingEmail = {
    workspaceId: input.workspaceId,
    recordId,
    from,
    to: { address: input.to.address },
    replyTo: rendered.replyTo ?? settings.replyTo,
    subject: rendered.subject,
    html,
    text,
    messageId: signedMessageId(secret, input.workspaceId, input.idempotencyKey, domain),
    date: new Date(input.now),
    headers,
    returnPath: settings.returnPathDomain ? verpAddress(secret, recordId, settings.returnPathDomain) : undefined,
  };
  return { email, links };
}
