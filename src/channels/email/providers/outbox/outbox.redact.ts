/**
 * @module What a viewer sees of an outbox message. Stored messages carry live secrets: the
 * signatures of unsubscribe, preference-centre, click and open tokens (tracking/tokens.ts, in the
 * links and in List-Unsubscribe, `mailto:unsubscribe+TOKEN@…` included) and of double opt-in
 * confirmation links (forms/confirm-token.ts). Anyone holding one can unsubscribe or confirm a
 * contact, so for viewers every such signature is replaced by `redacted`; the rest of the message
 * (and the part of a token that names the message) stays readable. Matching the tokens' shape
 * rather than our URLs also catches links made under an earlier public URL.
 */
import type { KeyPrincipal } from '../../../../keys/keys.js';
import type { SessionPrincipal } from '../../../../users/sessions.js';
import { allows } from '../../../../users/roles.js';

/** `<26 base32 of the message id>[-<link index>].<16 base32 of the signature>` (case-insensitive: mail may change case). */
const MESSAGE_TOKEN = /\b([0-9a-z]{26}(?:-\d{1,4})?)\.[0-9a-z]{16}\b/gi;
/** `<form id>.<contact id>.<issued>.<22 base64url of the signature>`. */
const CONFIRM_TOKEN = /\b(frm_[0-9a-z]{26}\.ct_[0-9a-z]{26}\.[0-9a-z]{1,10})\.[A-Za-z0-9_-]{22}/gi;

/** Whether `principal` sees token signatures redacted: a signed-in viewer (below editor); API keys and editors see them. */
export function seesRedacted(principal: KeyPrincipal | SessionPrincipal | null): boolean {
  return principal?.kind === 'session' && !allows(principal.role, 'edit');
}

export function redactTokens(text: string): string {
  return text.replace(CONFIRM_TOKEN, '$1.redacted').replace(MESSAGE_TOKEN, '$1.redacted');
}

export function redactEntry<E extends { html: string | null; viewerHtml?: string | null; text: string | null; headers: Record<string, string> }>(entry: E): E {
  return {
    ...entry,
    html: entry.html === null ? null : redactTokens(entry.html),
    ...(entry.viewerHtml === undefined ? {} : { viewerHtml: entry.viewerHtml === null ? null : redactTokens(entry.viewerHtml) }),
    text: entry.text === null ? null : redactTokens(entry.text),
    headers: Object.fromEntries(Object.entries(entry.headers).map(([k, v]) => [k, redactTokens(v)])),
  };
}
