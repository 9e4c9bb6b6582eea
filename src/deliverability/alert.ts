/**
 * @module Telling a workspace that the reputation breaker paused one of its senders, once per trip:
 * the trip's `notified_at` is set by a conditional UPDATE first (a second worker, or a run repeated
 * after a crash past this point, finds it set and tells nothing), then
 *  - email: to each owner and admin, a transactional message through the email channel
 *    (src/messages/send.ts: recorded, suppression-checked, retried by the message-retry task) under
 *    the key `breaker:<trip>:<user>`. The template is the settings' `alertTemplateId`, else the
 *    system template `qatra-reputation-paused`, created in the workspace on first use (and never
 *    overwritten: an admin may reword it) with `{{ data.trip.summary }}` and a link to resume;
 *  - webhook: settings.webhookUrl gets `{ type: 'reputation.paused', workspaceId, trip }`, signed and
 *    guarded like the insights alert (src/insights/alert-webhook.ts).
 * A failure of one recipient is logged and does not stop the others: the trip stays listed.
 */
import type { AppDeps } from '../core/app-deps.js';
import type { Channel } from '../channels/channel.js';
import type { JsonObject } from '../core/json.js';
import { saveTemplates } from '../templates/service.js';
import type { TemplateInput } from '../templates/template.js';
import { postAlert } from '../insights/alert-webhook.js';
import { emailAdmins } from '../users/admins.js';
import { loadDeliverabilitySettings } from './settings.js';
import type { Trip } from './trips.js';

export type AlertDeps = Pick<AppDeps, 'store' | 'clock' | 'signals' | 'log' | 'config'> & { email: Channel | undefined };

export const SYSTEM_TEMPLATE_ID = 'qatra-reputation-paused';

export const systemTemplate = (): TemplateInput => ({
  id: SYSTEM_TEMPLATE_ID,
  name: 'Reputation breaker alert (system)',
  kind: 'transactional',
  content: {
    subject: 'Qatra paused {{ data.trip.targetKind }} {{ data.trip.targetId }}',
    format: 'html',
    body: '<p dir="auto">{{ data.trip.summary }}</p><p dir="auto">Open {{ data.trip.targetKind }} <a href="{{ data.url }}">{{ data.trip.targetId }}</a> to see the reason and resume it.</p>',
  },
});

/** The webhook's JSON. */
export const tripEvent = (workspaceId: string, trip: Trip) => ({ type: 'reputation.paused', workspaceId, trip });

async function ensureSystemTemplate(deps: AlertDeps, workspaceId: string): Promise<void> {
  const row = await deps.store.db.selectFrom('templates').select('id').where('workspace_id', '=', workspaceId).where('id', '=', SYSTEM_TEMPLATE_ID).executeTakeFirst();
  if (row) return;
  try {
    await saveTemplates(deps, workspaceId, [systemTemplate()], 'create');
  } catch (err) {
    // Created concurrently: theirs will do.
    deps.log.debug({ err, workspaceId }, 'system template not created');
  }
}

export async function alertTrip(deps: AlertDeps, trip: Trip, workspaceId: string): Promise<{ alerted: boolean; emails: number; webhook: number | null }> {
  const now = deps.clock.now();
  const claimed = await deps.store.db
    .updateTable('reputation_trips')
    .set({ notified_at: now })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', trip.id)
    .where('notified_at', 'is', null)
    .executeTakeFirst();
  if (Number(claimed.numUpdatedRows) === 0) return { alerted: false, emails: 0, webhook: null };
  const settings = (await loadDeliverabilitySettings(deps.store.db, workspaceId)).breaker;
  const path = trip.targetKind === 'journey' ? `/app/journeys/${encodeURIComponent(trip.targetId)}` : '/app/broadcasts';
  const data = JSON.parse(JSON.stringify({ ...tripEvent(workspaceId, { ...trip, notifiedAt: now }), url: new URL(path, deps.config.publicUrl).toString() })) as JsonObject;
  let emails = 0;
  if (deps.email) {
    const templateId = settings.alertTemplateId ?? SYSTEM_TEMPLATE_ID;
    if (!settings.alertTemplateId) await ensureSystemTemplate(deps, workspaceId);
    emails = await emailAdmins(deps, deps.email, workspaceId, { templateId, data, key: `breaker:${trip.id}`, logContext: { trip: trip.id }, what: 'reputation alert email' });
  }
  let webhook: number | null = null;
  if (settings.webhookUrl) {
    try {
      webhook = await postAlert(deps, workspaceId, { url: settings.webhookUrl, body: tripEvent(workspaceId, { ...trip, notifiedAt: now }), now });
      if (webhook < 200 || webhook >= 300) deps.log.warn({ workspaceId, trip: trip.id, status: webhook }, 'reputation alert webhook refused');
    } catch (err) {
      deps.log.warn({ err, workspaceId, trip: trip.id }, 'reputation alert webhook failed');
    }
  }
  return { alerted: true, emails, webhook };
}
