/**
 * @module A small planted workspace for the correlation and prediction suites (deterministic seed),
 * written straight into the tables. What is planted, with T the clock's now:
 *  - `tier`: gold (30 %) converts at twice the rate of silver (the planted attribute);
 *  - `shoe`: left or right, no effect (the null attribute); optionally `n00`…`nNN`, more null ones;
 *  - engaged contacts (40 %) open an email about every 10 days and convert 6× as often; the others
 *    view a page now and then;
 *  - in every 30-day period from T − 180d to T a contact completes an order with probability
 *    0.03 × (gold ? 2 : 1) × (engaged ? 6 : 1), at a random instant inside the period;
 *  - template `t_promo` was sent to every engaged contact at T − 45d; a segment `Gold` holds the
 *    gold contacts since T − 100d.
 * Every contact was created at T − 400d. The ground truth comes back with the ids.
 */
import { toJson, type JsonObject } from '../core/json.js';
import type { Db } from '../store/store.js';
import { seededRandom } from '../stats/probability.js';

export const DAY = 86_400_000;

export interface PlantedContact {
  id: string;
  gold: boolean;
  engaged: boolean;
  orders: number[];
}

export interface PlantOptions {
  contacts: number;
  /** How many extra null attributes (`n00`…) to add, each 'a' or 'b' at random. */
  nullAttributes?: number;
  seed?: number;
}

export async function plantWorkspace(db: Db, workspaceId: string, now: number, options: PlantOptions): Promise<PlantedContact[]> {
  const rand = seededRandom(options.seed ?? 22);
  const planted: PlantedContact[] = [];
  const contacts: Array<Record<string, unknown>> = [];
  const events: Array<Record<string, unknown>> = [];
  const tag = workspaceId.slice(-6);
  for (let i = 0; i < options.contacts; i++) {
    const id = `pc_${String(i).padStart(6, '0')}_${tag}`;
    const gold = rand() < 0.3;
    const engaged = rand() < 0.4;
    const attributes: JsonObject = { tier: gold ? 'gold' : 'silver', shoe: rand() < 0.5 ? 'left' : 'right' };
    for (let k = 0; k < (options.nullAttributes ?? 0); k++) attributes[`n${String(k).padStart(2, '0')}`] = rand() < 0.5 ? 'a' : 'b';
    contacts.push({
      id,
      workspace_id: workspaceId,
      user_id: `u${i}`,
      email: `c${i}@example.com`,
      phone: null,
      timezone: null,
      locale: null,
      attributes: toJson(attributes),
      created_at: now - 400 * DAY,
      updated_at: now - 400 * DAY,
    });
    const orders: number[] = [];
    const event = (name: string, at: number, properties: JsonObject) =>
      events.push({
        workspace_id: workspaceId,
        contact_id: id,
        type: 'track',
        name,
        properties: toJson(properties),
        context: null,
        message_id: `${id}-${events.length}`,
        timestamp: at,
        received_at: at,
      });
    for (let start = now - 180 * DAY; start < now; start += 30 * DAY) {
      if (rand() < 0.03 * (gold ? 2 : 1) * (engaged ? 6 : 1)) {
        const at = start + Math.floor(rand() * 30 * DAY);
        orders.push(at);
        event('Order Completed', at, { revenue: 20 + Math.floor(rand() * 80) });
      }
    }
    for (let t = now - 200 * DAY + Math.floor(rand() * 10 * DAY); t < now; t += engaged ? 7 * DAY + Math.floor(rand() * 6 * DAY) : 20 * DAY + Math.floor(rand() * 40 * DAY)) {
      if (engaged) event('email.opened', t, { machine: false });
      else event('Page Viewed', t, { path: '/' });
    }
    planted.push({ id, gold, engaged, orders });
  }
  for (let i = 0; i < contacts.length; i += 500)
    await db
      .insertInto('contacts')
      .values(contacts.slice(i, i + 500) as never)
      .execute();
  for (let i = 0; i < events.length; i += 500)
    await db
      .insertInto('events')
      .values(events.slice(i, i + 500) as never)
      .execute();
  const promo = planted
    .filter((p) => p.engaged)
    .map((p) => ({
      id: `msg_${p.id}`,
      workspace_id: workspaceId,
      contact_id: p.id,
      channel: 'email',
      kind: 'marketing' as const,
      idempotency_key: `msg_${p.id}`,
      journey_id: null,
      journey_version: null,
      run_id: null,
      node_id: null,
      template_id: 't_promo',
      template_version: null,
      topic: null,
      provider: null,
      status: 'sent' as const,
      reason: null,
      provider_message_id: null,
      header_message_id: null,
      to_address: null,
      subject: null,
      links: '[]',
      created_at: now - 45 * DAY,
      sent_at: now - 45 * DAY,
      updated_at: now - 45 * DAY,
    }));
  for (let i = 0; i < promo.length; i += 200)
    await db
      .insertInto('messages')
      .values(promo.slice(i, i + 200))
      .execute();
  const segmentId = `seg_gold_${tag}`;
  await db
    .insertInto('segments')
    .values({
      id: segmentId,
      workspace_id: workspaceId,
      name: 'Gold',
      description: null,
      conditions: toJson({ type: 'attribute', attribute: 'tier', op: 'equals', value: 'gold' }),
      refresh_interval_ms: null,
      next_refresh_at: null,
      computed_at: now - 100 * DAY,
      created_at: now - 100 * DAY,
      updated_at: now - 100 * DAY,
    })
    .execute();
  const members = planted.filter((p) => p.gold).map((p) => ({ segment_id: segmentId, contact_id: p.id, workspace_id: workspaceId, entered_at: now - 100 * DAY }));
  for (let i = 0; i < members.length; i += 500)
    await db
      .insertInto('segment_members')
      .values(members.slice(i, i + 500))
      .execute();
  return planted;
}
