/**
 * @module The sunset policy's re-engagement event: `reengageDaysBefore` days before a contact would be
 * sunset (./sunset.ts), the event `contact.sunsetting` is recorded for it (properties `sunsetAt`,
 * `lastEngagedAt`, `inactiveDays`), so a journey triggered by that event can try to win it back
 * before it leaves marketing email. Once per inactive stretch: `sunset_notices` keeps when it fired,
 * and only a human open or click after that starts a new stretch that may fire again.
 *
 * The notice is written by a conditional upsert (a new row, or an old one the contact has engaged
 * since) in the same transaction as the event and its signal, so two workers, or a tick repeated
 * after a crash, fire it once.
 */
import type { ServiceDeps } from '../core/deps.js';
import { toJson, type JsonObject } from '../core/json.js';
import type { Db } from '../store/store.js';
import { fromJson } from '../core/json.js';
import { DAY_MS, deliverabilitySettingsSchema, type SunsetSettings } from './settings.js';
import { lastEngagement, sunsetAt } from './sunset.js';

export const SUNSETTING_EVENT = 'contact.sunsetting';
/** Contacts looked at per workspace and tick. */
export const REENGAGE_BATCH = 500;

/** Workspaces whose policy is on with a re-engagement event. */
async function reengagingWorkspaces(db: Db): Promise<Array<{ workspaceId: string; policy: SunsetSettings }>> {
  const rows = await db.selectFrom('deliverability_settings').select(['workspace_id', 'settings']).orderBy('workspace_id').execute();
  return rows.flatMap((r) => {
    const parsed = deliverabilitySettingsSchema.safeParse(fromJson(r.settings));
    if (!parsed.success || !parsed.data.sunset.enabled || parsed.data.sunset.reengageDaysBefore === 0) return [];
    return [{ workspaceId: r.workspace_id, policy: parsed.data.sunset }];
  });
}

/** Contacts with no human engagement after `since`, old enough, and not yet told in this stretch. */
function due(db: Db, workspaceId: string, since: number, limit: number) {
  return db
    .selectFrom('contacts as c')
    .select(['c.id', 'c.created_at'])
    .where('c.workspace_id', '=', workspaceId)
    .where('c.erased_at', 'is', null)
    .where('c.created_at', '<=', since)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('messages as m')
            .select('m.id')
            .whereRef('m.contact_id', '=', 'c.id')
            .where((w) => w.or([w('m.first_opened_at', '>', since), w('m.first_clicked_at', '>', since)])),
        ),
      ),
    )
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('sunset_notices as n')
            .select('n.contact_id')
            .where('n.workspace_id', '=', workspaceId)
            .whereRef('n.contact_id', '=', 'c.id')
            // A notice stands until the contact engages after it.
            .where(({ not: not2, exists: exists2, selectFrom: from2 }) =>
              not2(
                exists2(
                  from2('messages as m2')
                    .select('m2.id')
                    .whereRef('m2.contact_id', '=', 'c.id')
                    .where((w) => w.or([w('m2.first_opened_at', '>', w.ref('n.notified_at')), w('m2.first_clicked_at', '>', w.ref('n.notified_at'))])),
                ),
              ),
            ),
        ),
      ),
    )
    .orderBy('c.id')
    .limit(limit)
    .execute();
}

/** Fires `contact.sunsetting` for the contacts due in every workspace; returns how many fired. */
export async function fireSunsetting(deps: Pick<ServiceDeps, 'store' | 'clock' | 'signals'>, limit = REENGAGE_BATCH): Promise<number> {
  const { store, clock } = deps;
  const now = clock.now();
  let fired = 0;
  for (const { workspaceId, policy } of await reengagingWorkspaces(store.db)) {
    const since = now - (policy.inactiveDays - policy.reengageDaysBefore) * DAY_MS;
    const contacts = await due(store.db, workspaceId, since, limit);
    if (contacts.length === 0) continue;
    const engaged = await lastEngagement(
      store.db,
      contacts.map((c) => c.id),
    );
    for (const c of contacts) {
      const lastEngagedAt = engaged.get(c.id) ?? null;
      const at = sunsetAt(policy, Number(c.created_at), lastEngagedAt);
      const done = await store.transaction(async (trx) => {
        const notice = await trx
          .insertInto('sunset_notices')
          .values({ workspace_id: workspaceId, contact_id: c.id, notified_at: now, sunset_at: at })
          .onConflict((oc) =>
            oc
              .columns(['workspace_id', 'contact_id'])
              .doUpdateSet({ notified_at: now, sunset_at: at })
              // An older notice counts only when the contact engaged after it (a new stretch).
              .where('sunset_notices.notified_at', '<', lastEngagedAt ?? -1),
          )
          .returning('contact_id')
          .executeTakeFirst();
        if (!notice) return false;
        const properties: JsonObject = { sunsetAt: at, lastEngagedAt, inactiveDays: policy.inactiveDays };
        const row = await trx
          .insertInto('events')
          .values({
            workspace_id: workspaceId,
            contact_id: c.id,
            type: 'track',
            name: SUNSETTING_EVENT,
            properties: toJson(properties),
            context: toJson({}),
            message_id: `sunsetting:${c.id}:${now}`,
            timestamp: now,
            received_at: now,
          })
          .onConflict((oc) => oc.columns(['workspace_id', 'message_id']).doNothing())
          .returning('id')
          .executeTakeFirst();
        if (row) {
          await deps.signals.emit(
            trx,
            [{ kind: 'event', event: { id: Number(row.id), workspaceId, contactId: c.id, type: 'track', name: SUNSETTING_EVENT, properties, timestamp: now, receivedAt: now } }],
            now,
          );
        }
        return true;
      });
      if (done) fired++;
    }
  }
  return fired;
}
