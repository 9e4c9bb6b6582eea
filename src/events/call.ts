/**
 * @module A Call: one validated Segment call, normalised into what we store. Decides the stored
 * event's name, properties and (skew-corrected) timestamp.
 *
 * Timestamps, as Segment computes them: the client's time of the call is `originalTimestamp`, or
 * `timestamp` when the library sent that instead (analytics.js and the server libraries do). When the
 * call also carries `sentAt`, the client clock's skew is removed:
 * `timestamp = receivedAt − (sentAt − originalTimestamp)`. Without sentAt the client time is taken as
 * is; without any client time, the call happened when we received it.
 */
import { newId } from '../core/ids.js';
import type { JsonObject } from '../core/json.js';
import type { CallType, SegmentCall } from './segment.js';

export interface Call {
  type: CallType;
  messageId: string;
  userId: string | null;
  anonymousId: string | null;
  /** alias only: the id the user had before. */
  previousId: string | null;
  /** identify only: traits of the contact. */
  traits: JsonObject | null;
  /** Stored event name: the track event, the page/screen name, or the call type. */
  name: string;
  /** Stored event properties: properties (track/page/screen) or traits (identify/group). */
  properties: JsonObject;
  context: JsonObject;
  /** Client time (skew-corrected), epoch ms. */
  timestamp: number;
  /** When the request carrying the call arrived, epoch ms. */
  receivedAt: number;
  /** The contact a verified click id names (src/browser/click-ids.ts); set after toCall, never from the body. */
  contactId?: string | null;
  /** A known crawler's call (./bots.ts): stored marked, emits no signal. */
  bot?: boolean;
}

export function clientTimestamp(receivedAt: number, times: { timestamp?: number | undefined; originalTimestamp?: number | undefined; sentAt?: number | undefined }): number {
  const original = times.originalTimestamp ?? times.timestamp;
  if (original === undefined) return receivedAt;
  if (times.sentAt === undefined) return original;
  return receivedAt - (times.sentAt - original);
}

export interface CallDefaults {
  receivedAt: number;
  /** The request's IP, used as context.ip when the call has none (like Segment). */
  ip?: string | undefined;
  /** A batch's own context, merged under each item's. */
  context?: JsonObject | undefined;
  /** A batch's own sentAt, for items without one. */
  sentAt?: number | undefined;
}

export function toCall(raw: SegmentCall, defaults: CallDefaults): Call {
  const context: JsonObject = { ...(defaults.context as JsonObject | undefined), ...(raw.context as JsonObject | undefined) };
  if (context.ip === undefined && defaults.ip) context.ip = defaults.ip;
  const timestamp = clientTimestamp(defaults.receivedAt, {
    timestamp: raw.timestamp,
    originalTimestamp: raw.originalTimestamp,
    sentAt: raw.sentAt ?? defaults.sentAt,
  });
  // One object literal per call: spreading a shared `base` into each result (the former shape of
  // this function) cost ~2.5 µs per call in V8's slow spread path, a twentieth of the server's CPU
  // per ingested event on the bench; a literal costs ~0.1 µs.
  const call = (name: string, properties: JsonObject, traits: JsonObject | null = null, previousId: string | null = null, anonymousId = raw.anonymousId): Call => ({
    type: raw.type,
    messageId: raw.messageId ?? newId('m', defaults.receivedAt),
    userId: raw.userId,
    anonymousId,
    previousId,
    traits,
    name,
    properties,
    context,
    timestamp,
    receivedAt: defaults.receivedAt,
  });
  switch (raw.type) {
    case 'identify': {
      const traits = (raw.traits ?? {}) as JsonObject;
      return call('identify', traits, traits);
    }
    case 'track':
      return call(raw.event, (raw.properties ?? {}) as JsonObject);
    case 'page':
    case 'screen': {
      const properties = { ...(raw.properties as JsonObject | undefined) };
      if (raw.category && properties.category === undefined) properties.category = raw.category;
      return call(raw.name || raw.type, properties);
    }
    case 'group':
      // The group's id is kept with its traits: the events table has no column for it.
      return call('group', { ...(raw.traits as JsonObject | undefined), groupId: raw.groupId });
    case 'alias':
      return call('alias', { previousId: raw.previousId, userId: raw.userId }, null, raw.previousId, null);
  }
}
