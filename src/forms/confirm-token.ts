/**
 * @module The signed link of a double opt-in confirmation: `/f/confirm/<form>.<contact>.<issued>.<sig>`.
 * The signature is HMAC-SHA256 over `form-confirm:<form>:<contact>:<issued>` with the workspace's
 * signing secret (the one tracking and unsubscribe tokens use, tracking/tokens.ts `workspaceSecret`),
 * cut to 128 bits. Tracking tokens name a message record; this one names a form and a contact, so
 * it has its own format and purpose string (a token of one kind never verifies as the other).
 * Links expire after CONFIRM_TTL_MS; a fresh signup sends a fresh link.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Store } from '../store/store.js';
import { workspaceSecret } from '../tracking/tokens.js';
import { findPublicForm, type Form } from './forms.js';

export const CONFIRM_TTL_MS = 30 * 24 * 3600_000;

function sign(secret: string, formId: string, contactId: string, issued: string): string {
  return createHmac('sha256', secret).update(`form-confirm:${formId}:${contactId}:${issued}`).digest().subarray(0, 16).toString('base64url');
}

export function confirmToken(secret: string, formId: string, contactId: string, nowMs: number): string {
  const issued = Math.floor(nowMs / 1000).toString(36);
  return `${formId}.${contactId}.${issued}.${sign(secret, formId, contactId, issued)}`;
}

export type ConfirmCheck = { ok: true; form: Form; contactId: string } | { ok: false; reason: 'invalid' | 'expired' };

/** Verifies a confirmation token: well-formed, signed by the form's workspace, not expired. */
export async function checkConfirmToken(store: Store, token: string, nowMs: number, secrets?: Map<string, string>): Promise<ConfirmCheck> {
  const m = /^(frm_[0-9a-z]{26})\.(ct_[0-9a-z]{26})\.([0-9a-z]{1,10})\.([A-Za-z0-9_-]{22})$/.exec(token);
  if (!m) return { ok: false, reason: 'invalid' };
  const [, formId, contactId, issued, sig] = m as unknown as [string, string, string, string, string];
  const form = await findPublicForm(store.db, formId);
  if (!form) return { ok: false, reason: 'invalid' };
  const secret = await workspaceSecret(store, form.workspaceId, secrets);
  const expected = Buffer.from(sign(secret, formId, contactId, issued));
  const given = Buffer.from(sig);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'invalid' };
  if (nowMs - parseInt(issued, 36) * 1000 > CONFIRM_TTL_MS) return { ok: false, reason: 'expired' };
  return { ok: true, form, contactId };
}
