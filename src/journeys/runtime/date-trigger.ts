/**
 * @module Date-attribute triggers (birthdays, renewals): `yearly` fires on the date's day every year,
 * `once` on the date itself; `offsetDays` moves it (−7 = a week before) and `time` is the local time
 * of day in the contact's zone (else the workspace's). A periodic scan enrols every contact whose
 * occurrence fell within the last `catchUpMs` (so a scan missed during downtime still fires), and
 * records the occurrence in journey_date_fires — primary key (journey, contact, anniversary year) —
 * in the same transaction, so each occurrence fires exactly once. The anniversary year is that of the
 * date itself, not of the offset day: "7 days before 3 January 2027" fires on 27 December 2026 as
 * occurrence 2027. Feb 29 falls on Feb 28 in other years.
 *
 * The scan reads the workspace's contacts in pages (O(contacts) per scan, every 15 minutes by default).
 */
import type { JourneyDocument } from '../definition/schema.js';
import { toContact } from '../../contacts/contact.js';
import { enroll } from './enroll.js';
import { workspaceZone } from '../../workspaces/workspaces.js';
import { getPath } from '../../conditions/conditions.js';
import { daysInMonth, fromLocal, localParts, parseDateAttribute, parseTimeOfDay, zoneFor } from '../../core/local-time.js';
import type { JourneyRuntime } from './runtime.js';

type DateTrigger = Extract<JourneyDocument['trigger'], { type: 'date_attribute' }>;

export const DEFAULT_CATCH_UP_MS = 2 * 86_400_000;

/** The occurrence due in (now − catchUpMs, now], if any, with its key. */
export function dueOccurrence(trigger: DateTrigger, value: unknown, tz: string, now: number, catchUpMs = DEFAULT_CATCH_UP_MS): { at: number; key: string } | null {
  const date = parseDateAttribute(value);
  if (!date) return null;
  const { hour, minute } = parseTimeOfDay(trigger.time ?? '09:00');
  const offset = trigger.offsetDays ?? 0;
  const years = trigger.mode === 'once' ? [date.year] : [-1, 0, 1].map((d) => localParts(now, tz).year + d);
  for (const year of years) {
    const day = Math.min(date.day, daysInMonth(year, date.month));
    const at = fromLocal(year, date.month, day + offset, hour, minute, tz);
    if (at <= now && at > now - catchUpMs) return { at, key: trigger.mode === 'once' ? 'once' : String(year) };
  }
  return null;
}

/** Scans every live date-triggered journey; returns how many contacts it enrolled. */
export async function scanDateTriggers(rt: JourneyRuntime, catchUpMs = DEFAULT_CATCH_UP_MS): Promise<number> {
  const db = rt.store.db;
  const now = rt.clock.now();
  const workspaces = await db.selectFrom('journeys').select('workspace_id').distinct().where('status', '=', 'live').execute();
  let enrolled = 0;
  for (const { workspace_id: ws } of workspaces) {
    const journeys = (await rt.catalog.liveJourneys(db, ws)).filter((j) => j.doc.trigger.type === 'date_attribute');
    if (journeys.length === 0) continue;
    const fallbackTz = await workspaceZone(db, ws);
    let cursor = '';
    for (;;) {
      const page = await db.selectFrom('contacts').selectAll().where('workspace_id', '=', ws).where('id', '>', cursor).orderBy('id').limit(1000).execute();
      if (page.length === 0) break;
      cursor = page[page.length - 1]!.id;
      for (const row of page) {
        const contact = toContact(row);
        const tz = zoneFor(contact.timezone, fallbackTz);
        for (const j of journeys) {
          const trigger = j.doc.trigger as DateTrigger;
          const value = getPath(contact.attributes, trigger.attribute);
          const occ = dueOccurrence(trigger, value, tz, now, catchUpMs);
          if (!occ) continue;
          const done = await rt.store.transaction(async (trx) => {
            const fired = await trx
              .insertInto('journey_date_fires')
              .values({ workspace_id: ws, journey_id: j.id, contact_id: contact.id, occurrence: occ.key, fired_at: now })
              .onConflict((oc) => oc.doNothing())
              .returning('occurrence')
              .executeTakeFirst();
            if (!fired) return false;
            const r = await enroll(trx, { journeyId: j.id, version: j.version, doc: j.doc, contact, trigger: { attribute: trigger.attribute, date: String(value), occurrence: occ.key }, now });
            return r.status === 'enrolled';
          });
          if (done) enrolled++;
        }
      }
    }
  }
  return enrolled;
}
