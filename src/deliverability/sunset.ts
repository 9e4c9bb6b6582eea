/**
 * @module The sunset policy (docs/email.md "Sunset policy"): a contact with no human open or click
 * for `inactiveDays` leaves marketing email. Human engagement is the newest `first_opened_at` or
 * `first_clicked_at` of the contact's messages: src/tracking/record.ts sets `first_opened_at` only for
 * opens made by people, so Apple Mail Privacy Protection and image proxies never count. A contact
 * younger than the period is exempt (it has had no chance to engage yet): the inactive stretch starts
 * at the newer of its creation and its last engagement, and it is sunset `inactiveDays` after that.
 *
 * The send pipeline (src/channels/pipeline.ts) asks `sunsetSkips` for each batch of email: marketing
 * sends of a sunset contact are skipped with the reason `sunset`; transactional ones are not asked.
 */
import type { Db } from '../store/store.js';
import type { Contact } from '../contacts/contact.js';
import { DAY_MS, settingsOf, type SunsetSettings } from './settings.js';

/** The reason a skipped message records. */
export const SUNSET_REASON = 'sunset';

/** contact id → its last human open or click (null: none), for the given contacts (one query per 500). */
export async function lastEngagement(db: Db, contactIds: readonly string[]): Promise<Map<string, number | null>> {
  const out = new Map<string, number | null>(contactIds.map((id) => [id, null]));
  const ids = [...new Set(contactIds)];
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db
      .selectFrom('messages')
      .select((eb) => ['contact_id', eb.fn.max('first_opened_at').as('opened'), eb.fn.max('first_clicked_at').as('clicked')])
      .where('contact_id', 'in', ids.slice(i, i + 500))
      .where((eb) => eb.or([eb('first_opened_at', 'is not', null), eb('first_clicked_at', 'is not', null)]))
      .groupBy('contact_id')
      .execute();
    for (const r of rows) {
      const seen = [r.opened, r.clicked].filter((v) => v !== null && v !== undefined).map(Number);
      out.set(r.contact_id, seen.length ? Math.max(...seen) : null);
    }
  }
  return out;
}

/** When the contact is (or will be) sunset: `inactiveDays` after the newer of its creation and its last engagement. */
export function sunsetAt(policy: SunsetSettings, createdAt: number, engagedAt: number | null): number {
  return Math.max(createdAt, engagedAt ?? 0) + policy.inactiveDays * DAY_MS;
}

/** Of these send requests, the indexes of the marketing ones whose contact is sunset now (under its workspace's policy). */
export async function sunsetSkips(db: Db, requests: readonly { workspaceId: string; kind: string; contact: Pick<Contact, 'id' | 'createdAt'> }[], now: number): Promise<Set<number>> {
  const out = new Set<number>();
  const marketing = requests.flatMap((r, i) => (r.kind === 'marketing' ? [i] : []));
  if (marketing.length === 0) return out;
  const settings = await settingsOf(
    db,
    marketing.map((i) => requests[i]!.workspaceId),
  );
  // Only contacts old enough to be sunset are looked up: a young contact is exempt whatever it did.
  const candidates = marketing.filter((i) => {
    const r = requests[i]!;
    const policy = settings.get(r.workspaceId)!.sunset;
    return policy.enabled && sunsetAt(policy, r.contact.createdAt, null) <= now;
  });
  if (candidates.length === 0) return out;
  const engaged = await lastEngagement(
    db,
    candidates.map((i) => requests[i]!.contact.id),
  );
  for (const i of candidates) {
    const r = requests[i]!;
    if (sunsetAt(settings.get(r.workspaceId)!.sunset, r.contact.createdAt, engaged.get(r.contact.id) ?? null) <= now) out.add(i);
  }
  return out;
}

export interface SunsetStatus {
  enabled: boolean;
  lastEngagedAt: number | null;
  /** When the contact leaves (or left) marketing email under the current policy; null when the policy is off. */
  sunsetAt: number | null;
  sunset: boolean;
}

/** One contact's standing under its workspace's policy (the contact profile's "sunset since …"). */
export async function sunsetStatus(db: Db, workspaceId: string, contact: Pick<Contact, 'id' | 'createdAt'>, now: number): Promise<SunsetStatus> {
  const policy = (await settingsOf(db, [workspaceId])).get(workspaceId)!.sunset;
  const lastEngagedAt = (await lastEngagement(db, [contact.id])).get(contact.id) ?? null;
  if (!policy.enabled) return { enabled: false, lastEngagedAt, sunsetAt: null, sunset: false };
  const at = sunsetAt(policy, contact.createdAt, lastEngagedAt);
  return { enabled: true, lastEngagedAt, sunsetAt: at, sunset: at <= now };
}
