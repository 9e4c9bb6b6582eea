/**
 * @module Test data for the segment suites: five contacts with attributes, events, list memberships,
 * consent and messages chosen so every operator selects a different set. Written straight into the
 * tables (the services that normally write them are tested elsewhere).
 */
import { toJson, type JsonObject } from '../core/json.js';
import type { Db } from '../store/store.js';

export const DAY = 86_400_000;

interface SeedContact {
  name: string;
  email?: string;
  phone?: string;
  locale?: string;
  createdDaysAgo: number;
  attributes: JsonObject;
  events: Array<[name: string, daysAgo: number, properties?: JsonObject]>;
}

export const SEED: SeedContact[] = [
  {
    name: 'ann',
    email: 'ann@example.com',
    locale: 'de-DE',
    createdDaysAgo: 40,
    attributes: { plan: 'pro', age: 34, birthday: '1990-01-08', vip: true, address: { city: 'Berlin' }, lead_score: 80, signup: '2025-12-20T10:00:00Z' },
    events: [
      ['Order Completed', 5, { revenue: 60 }],
      ['Order Completed', 20, { revenue: 50 }],
      ['Order Completed', 200, { revenue: 500 }],
      ['email.opened', 10, { machine: false, journeyId: 'welcome', templateId: 'w1' }],
      ['Page Viewed', 1, { path: '/pricing' }],
    ],
  },
  {
    name: 'bob',
    email: 'bob@test.org',
    createdDaysAgo: 10,
    attributes: { plan: 'free', age: 19, birthday: '1985-12-31', lead_score: 20 },
    events: [
      ['Order Completed', 2, { revenue: 30 }],
      ['email.opened', 3, { machine: true, journeyId: 'welcome' }],
      ['email.clicked', 3, { journeyId: 'welcome', templateId: 'w2' }],
    ],
  },
  {
    name: 'cara',
    phone: '+4915100000',
    createdDaysAgo: 100,
    attributes: { plan: 'Pro Max', birthday: '2000-01-02', age: 'unknown', lead_score: 50 },
    events: [['email.opened', 120, { machine: false }]],
  },
  {
    name: 'dan',
    email: 'dan@example.com',
    createdDaysAgo: 1,
    attributes: {},
    events: [
      ['Page Viewed', 1, { path: '/home' }],
      ['Page Viewed', 2, { path: '/pricing/enterprise' }],
    ],
  },
  {
    name: 'eve',
    email: 'eve@example.com',
    createdDaysAgo: 60,
    attributes: { plan: 'pro', birthday: Date.UTC(1995, 0, 10), lead_score: 95 },
    events: [
      ['Order Completed', 100, { revenue: 80 }],
      ['Order Completed', 95, { revenue: 90 }],
    ],
  },
];

/** Seeds SEED into `workspaceId` relative to `now`; contact ids are `<prefix>_<name>`. */
export async function seedContacts(db: Db, workspaceId: string, now: number, prefix = 'ct'): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for (const c of SEED) {
    const id = `${prefix}_${c.name}_${workspaceId.slice(-6)}`;
    ids.set(c.name, id);
    await db
      .insertInto('contacts')
      .values({
        id,
        workspace_id: workspaceId,
        user_id: c.name,
        email: c.email ?? null,
        phone: c.phone ?? null,
        timezone: null,
        locale: c.locale ?? null,
        attributes: toJson(c.attributes),
        created_at: now - c.createdDaysAgo * DAY,
        updated_at: now,
      })
      .execute();
    let n = 0;
    for (const [name, daysAgo, props] of c.events) {
      await db
        .insertInto('events')
        .values({
          workspace_id: workspaceId,
          contact_id: id,
          type: 'track',
          name,
          properties: toJson(props ?? {}),
          context: null,
          message_id: `${id}-${n++}`,
          timestamp: now - daysAgo * DAY,
          received_at: now - daysAgo * DAY,
        })
        .execute();
    }
  }
  const listId = `lst_news_${workspaceId.slice(-6)}`;
  await db.insertInto('lists').values({ id: listId, workspace_id: workspaceId, name: 'newsletter', description: null, double_opt_in: 0, created_at: now, updated_at: now }).execute();
  for (const [who, status] of [
    ['ann', 'subscribed'],
    ['bob', 'unsubscribed'],
    ['cara', 'pending'],
  ] as const) {
    await db
      .insertInto('list_memberships')
      .values({ list_id: listId, contact_id: ids.get(who)!, workspace_id: workspaceId, status, source: null, created_at: now, updated_at: now })
      .execute();
  }
  for (const [who, topic, status] of [
    ['ann', '', 'subscribed'],
    ['bob', '', 'unsubscribed'],
    ['eve', 'offers', 'subscribed'],
  ] as const) {
    await db
      .insertInto('consents')
      .values({ workspace_id: workspaceId, contact_id: ids.get(who)!, channel: 'email', topic, status, source: null, updated_at: now })
      .execute();
  }
  for (const [who, status, daysAgo, journey, template] of [
    ['ann', 'sent', 5, 'welcome', 'w1'],
    ['bob', 'sent', 40, null, null],
    ['cara', 'queued', 1, null, null],
  ] as const) {
    const id = `msg_${who}_${workspaceId.slice(-6)}`;
    await db
      .insertInto('messages')
      .values({
        id,
        workspace_id: workspaceId,
        contact_id: ids.get(who)!,
        channel: 'email',
        kind: 'marketing',
        idempotency_key: id,
        journey_id: journey,
        journey_version: null,
        run_id: null,
        node_id: null,
        template_id: template,
        template_version: null,
        topic: null,
        provider: null,
        status,
        reason: null,
        provider_message_id: null,
        header_message_id: null,
        to_address: null,
        subject: null,
        links: '[]',
        created_at: now - daysAgo * DAY,
        sent_at: status === 'sent' ? now - daysAgo * DAY : null,
        updated_at: now,
      })
      .execute();
  }
  return ids;
}
