/**
 * @module Checks made just before a marketing message leaves (docs/standards.md §7, §8): consent for the
 * channel, quiet hours in the contact's local time, and the journey's or broadcast's frequency cap. Each has an
 * explicit outcome: defer (hold until allowed), skip (go on to the next node) or exit. Transactional
 * messages bypass quiet hours and caps. Journey steps and broadcast batches both call them
 * (journeys/runtime/guards.test.ts proves them through a journey).
 */
import type { z } from 'zod';
import type { FrequencyCap, QuietHours } from '../journeys/definition/schema.js';
import type { Db } from '../store/store.js';
import { durationMs } from '../core/duration.js';
import { localParts, nextTimeOfDay, parseTimeOfDay } from '../core/local-time.js';

export type GuardVerdict = { ok: true } | { ok: false; outcome: 'defer' | 'skip' | 'exit'; reason: string; until: number };

/** Quiet between `start` and `end` local time; a window may wrap midnight (21:00–08:00). */
export function checkQuietHours(q: z.infer<typeof QuietHours>, now: number, tz: string): GuardVerdict {
  const p = localParts(now, tz);
  const minute = p.hour * 60 + p.minute;
  const s = parseTimeOfDay(q.start);
  const e = parseTimeOfDay(q.end);
  const start = s.hour * 60 + s.minute;
  const end = e.hour * 60 + e.minute;
  const quiet = start <= end ? minute >= start && minute < end : minute >= start || minute < end;
  if (!quiet) return { ok: true };
  return { ok: false, outcome: q.outcome, reason: `quiet hours ${q.start}-${q.end} (${tz})`, until: nextTimeOfDay(now, tz, q.end) };
}

/** At most `max` marketing messages per `per` window per contact (this workspace, optionally one channel). */
export async function checkFrequencyCap(db: Db, cap: z.infer<typeof FrequencyCap>, contactId: string, now: number): Promise<GuardVerdict> {
  const windowStart = now - durationMs(cap.per);
  let q = db
    .selectFrom('deliveries')
    .select('sent_at')
    .where('contact_id', '=', contactId)
    .where('status', '=', 'sent')
    .where('kind', '=', 'marketing')
    .where('sent_at', '>', windowStart)
    .orderBy('sent_at', 'desc')
    .limit(cap.max);
  if (cap.channel) q = q.where('channel', '=', cap.channel);
  const rows = await q.execute();
  if (rows.length < cap.max) return { ok: true };
  // Allowed again when the oldest of the last `max` sends leaves the window.
  const oldest = Math.min(...rows.map((r) => Number(r.sent_at)));
  return { ok: false, outcome: cap.outcome, reason: `frequency cap ${cap.max} per ${cap.per}`, until: oldest + durationMs(cap.per) + 1 };
}

/** True when the contact unsubscribed from the channel as a whole (consents table, topic ''). */
export async function unsubscribed(db: Db, contactId: string, channel: string): Promise<boolean> {
  const row = await db.selectFrom('consents').select('status').where('contact_id', '=', contactId).where('channel', '=', channel).where('topic', '=', '').executeTakeFirst();
  return row?.status === 'unsubscribed';
}

/** For a batch: contact id → channels it unsubscribed from as a whole (one query). */
export async function unsubscribedChannels(db: Db, contactIds: readonly string[]): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  for (let i = 0; i < contactIds.length; i += 500) {
    const rows = await db
      .selectFrom('consents')
      .select(['contact_id', 'channel'])
      .where('contact_id', 'in', contactIds.slice(i, i + 500))
      .where('topic', '=', '')
      .where('status', '=', 'unsubscribed')
      .execute();
    for (const r of rows) {
      if (!out.has(r.contact_id)) out.set(r.contact_id, new Set());
      out.get(r.contact_id)!.add(r.channel);
    }
  }
  return out;
}
