/**
 * @module What an ESP's event webhook is to the shared route (./routes.ts): a `verify` that checks
 * the request the way that ESP signs it (throwing ForbiddenError: 403, nothing changed) and turns its
 * body into Qatra feedback (src/bounces/apply.ts) naming the message by our record id or the ESP's
 * id. Also the checks the verifiers share: a time window for signed timestamps and a constant-time
 * comparison.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { ForbiddenError } from '../../../../core/errors.js';
import type { Feedback } from '../../../../bounces/apply.js';
import type { EspKind } from './kinds.js';
import type { EspSecrets } from './settings.js';
import type { EspSettingsOf } from './message.js';

/** Signed timestamps further than this from our clock (either way) are refused (SendGrid, Mailgun). */
export const SIGNED_TIMESTAMP_WINDOW_MS = 5 * 60_000;

export interface HookRequest {
  /** The body exactly as received: signatures are over these bytes. */
  rawBody: string;
  headers: IncomingHttpHeaders;
  /** The client's address (through the proxies the operator trusts: QATRA_TRUST_PROXY). */
  ip: string;
  /** The body parsed as JSON within the app's bounds (the route's: ./routes.ts), else a 400. */
  json(): unknown;
}

/** One event of an ESP, in Qatra's terms. */
export interface EspEvent {
  ref: { messageId?: string | undefined; providerMessageId?: string | undefined };
  feedback: Feedback;
  /** When it happened (the ESP's timestamp), epoch ms. */
  at?: number | undefined;
}

export interface HookVerdict {
  events: EspEvent[];
  /** What this request presented once (a token, a signature, a message id): a second use is refused. */
  nonce?: string | undefined;
}

export interface EspWebhook<K extends EspKind> {
  kind: K;
  verify(request: HookRequest, config: { esp: EspSettingsOf<K>; secrets: EspSecrets; now: number }): Promise<HookVerdict>;
}

/** Refuses a signed timestamp (epoch ms) outside the window around `now`. */
export function checkTimestamp(at: number, now: number, windowMs = SIGNED_TIMESTAMP_WINDOW_MS): void {
  if (!Number.isFinite(at)) throw new ForbiddenError('missing or invalid signed timestamp');
  if (Math.abs(now - at) > windowMs) throw new ForbiddenError(`signed timestamp outside the ${Math.round(windowMs / 1000)} s window (old or replayed request)`);
}

/** Constant-time equality of two strings (hashed first, so lengths do not leak either). */
export function safeEqual(a: string, b: string): boolean {
  const h = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(h(a), h(b)) && a.length === b.length;
}

/** A header's one value, or undefined. */
export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return typeof v === 'string' ? v : undefined;
}

/** A plain object field, or undefined. */
export function obj(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

export function str(value: unknown, max = 1000): string | undefined {
  return typeof value === 'string' && value !== '' ? value.slice(0, max) : undefined;
}

/** Our record id when `value` is one (`msg_…`), else undefined: a custom arg anyone could set is only a lookup key. */
export function recordIdOf(value: unknown): string | undefined {
  return typeof value === 'string' && /^msg_[0-9a-z]{26}$/.test(value) ? value : undefined;
}

/** An RFC 3463 status (`5.1.1`) when `value` is one. */
export function enhancedStatus(value: unknown): string | undefined {
  return typeof value === 'string' && /^[245]\.\d{1,3}\.\d{1,3}$/.test(value.trim()) ? value.trim() : undefined;
}
