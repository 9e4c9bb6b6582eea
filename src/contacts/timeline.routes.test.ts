import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompiledQuery } from 'kysely';
import { timelineQueries } from './timeline.js';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../test/harness.js';
import { explain } from '../../test/plans.js';
import { toJson } from '../core/json.js';
import { reserveMessage } from '../messages/records.js';
import { footerPartial, welcomeMjml } from '../templates/test-fixtures.js';
import pino from 'pino';
import { saveTemplates } from '../templates/service.js';
import { applyJourney } from '../journeys/journeys.js';
import { createRuntime } from '../journeys/runtime/runtime.js';
import { journeyTask } from '../journeys/runtime/scheduler.js';
import { Worker } from '../worker/worker.js';
import { createList } from '../lists/lists.js';

describe.each(backends())('contact timeline on %s', (kind) => {
  let h: Harness;
  let t: Tenant;
  beforeAll(async () => {
    h = await createHarness(kind);
    t = await h.tenant();
  });
  afterAll(async () => h?.close());

  const get = (url: string, tenant = t) => h.app.inject({ method: 'GET', url, headers: tenant.admin });
  const newContact = async (userId: string, tenant = t) => {
    const res = await h.app.inject({ method: 'POST', url: '/api/contacts', headers: tenant.admin, payload: { userId, email: `${userId}@example.com` } });
    expect(res.statusCode).toBe(201);
    return res.json().id as string;
  };
  let seq = 0;
  const event = (contactId: string, name: string, at: number, tenant = t) =>
    h.deps.store.db
      .insertInto('events')
      .values({
        workspace_id: tenant.workspaceId,
        contact_id: contactId,
        type: 'track',
        name,
        properties: toJson({ n: ++seq }),
        context: null,
        message_id: `m-${kind}-${seq}`,
        timestamp: at,
        received_at: at,
      })
      .execute();
  const message = async (contactId: string, at: number, extra: { templateId?: string } = {}) => {
    const { message: m } = await reserveMessage(h.deps.store.db, { workspaceId: t.workspaceId, contactId, channel: 'email', kind: 'marketing', idempotencyKey: `k-${++seq}`, ...extra }, at);
    return m.id;
  };
  /** Every page of the timeline, following nextCursor. */
  const allPages = async (contactId: string, limit: number) => {
    const out: { kind: string; id: string; at: number }[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await get(`/api/contacts/${contactId}/timeline?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.data.length).toBeLessThanOrEqual(limit);
      out.push(...body.data);
      cursor = body.nextCursor;
      pages++;
    } while (cursor && pages < 100);
    return { entries: out, pages };
  };

  it('merges events and messages newest first; at the same time messages first, then the higher id', async () => {
    const c = await newContact('tl-order');
    await event(c, 'Signed Up', 1000);
    await event(c, 'Viewed', 2000);
    await event(c, 'Clicked', 2000);
    const m1 = await message(c, 2000);
    const m2 = await message(c, 3000);
    const first = (await get(`/api/contacts/${c}/timeline?limit=2`)).json();
    expect(first.data.map((e: { kind: string; id: string }) => e.id)).toEqual([m2, m1]);
    expect(first.data[0]).toMatchObject({ kind: 'message', at: 3000, status: 'queued', channel: 'email', openCount: 0, clickCount: 0 });
    const second = (await get(`/api/contacts/${c}/timeline?limit=2&cursor=${first.nextCursor}`)).json();
    expect(second.data.map((e: { name: string }) => e.name)).toEqual(['Clicked', 'Viewed']);
    const third = (await get(`/api/contacts/${c}/timeline?limit=2&cursor=${second.nextCursor}`)).json();
    expect(third.data).toEqual([{ kind: 'event', at: 1000, id: expect.any(String), type: 'track', name: 'Signed Up', properties: { n: expect.any(Number) } }]);
    expect(third.nextCursor).toBeNull();
  });

  it('pages through many entries with colliding times without losing or repeating one', async () => {
    const c = await newContact('tl-many');
    for (let i = 0; i < 45; i++) await event(c, `e${i}`, 10_000 + (i % 9) * 100);
    for (let i = 0; i < 25; i++) await message(c, 10_000 + (i % 7) * 100);
    const { entries, pages } = await allPages(c, 7);
    expect(entries).toHaveLength(70);
    expect(pages).toBe(10);
    expect(new Set(entries.map((e) => `${e.kind}:${e.id}`)).size).toBe(70);
    const sorted = [...entries].sort((a, b) => b.at - a.at || (a.kind === b.kind ? 0 : a.kind === 'message' ? -1 : 1) || (a.kind === 'event' ? Number(b.id) - Number(a.id) : b.id < a.id ? -1 : 1));
    expect(entries).toEqual(sorted);
  });

  it("shows a message's status, opens and clicks, and opens its stored rendered copy", async () => {
    const c = await newContact('tl-msg');
    const id = await message(c, 5000);
    await h.deps.store.db
      .updateTable('messages')
      .set({ status: 'sent', subject: 'Hello there', open_count: 2, click_count: 1, first_opened_at: 6000, first_clicked_at: 7000, sent_at: 5001 })
      .where('id', '=', id)
      .execute();
    await h.deps.store.db
      .insertInto('outbox')
      .values({
        workspace_id: t.workspaceId,
        message_id: id,
        from_address: 'q@example.com',
        to_address: 'tl-msg@example.com',
        subject: 'Hello there',
        html_body: '<html dir="rtl"><body>سلام</body></html>',
        text_body: 'سلام',
        headers: toJson({}),
        raw: 'raw',
        created_at: 5001,
      })
      .execute();
    const page = (await get(`/api/contacts/${c}/timeline`)).json();
    expect(page.data[0]).toMatchObject({ kind: 'message', id, status: 'sent', subject: 'Hello there', openCount: 2, clickCount: 1, firstOpenedAt: 6000, firstClickedAt: 7000, sentAt: 5001 });
    const content = await get(`/api/messages/${id}/content`);
    expect(content.statusCode).toBe(200);
    expect(content.json()).toMatchObject({ messageId: id, source: 'outbox', subject: 'Hello there', html: '<html dir="rtl"><body>سلام</body></html>', text: 'سلام', direction: 'rtl' });
  });

  it('without a stored copy renders the recorded template version again for the contact, and says so', async () => {
    const admin = (method: 'POST', url: string, payload: unknown) => h.app.inject({ method, url, headers: t.admin, payload: payload as object });
    expect((await admin('POST', '/api/templates', footerPartial)).statusCode).toBe(201);
    expect((await admin('POST', '/api/templates', welcomeMjml)).statusCode).toBe(201);
    const c = await newContact('tl-tpl');
    await h.app.inject({ method: 'PATCH', url: `/api/contacts/${c}`, headers: t.admin, payload: { attributes: { first_name: 'Layla' } } });
    const id = await message(c, 8000, { templateId: 'welcome-1' });
    await h.deps.store.db.updateTable('messages').set({ template_version: 1, subject: 'Welcome, Layla!' }).where('id', '=', id).execute();
    const content = (await get(`/api/messages/${id}/content`)).json();
    expect(content).toMatchObject({ source: 'template', subject: 'Welcome, Layla!', templateId: 'welcome-1', templateVersion: 1, direction: 'ltr' });
    expect(content.html).toContain('Hello Layla');
    const bare = await message(c, 8001);
    expect((await get(`/api/messages/${bare}/content`)).json()).toMatchObject({ source: 'none', html: null });
  });

  it("answers 404 for another workspace's contact or message and 400 for a cursor it did not make", async () => {
    const other = await h.tenant();
    const theirs = await newContact('tl-theirs', other);
    await event(theirs, 'Secret', 1, other);
    expect((await get(`/api/contacts/${theirs}/timeline`)).statusCode).toBe(404);
    const mine = await newContact('tl-mine');
    const bad = await get(`/api/contacts/${mine}/timeline?cursor=${Buffer.from('c1:nope').toString('base64url')}`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.issues[0].path).toBe('querystring.cursor');
    const msg = await message(mine, 1);
    expect((await h.app.inject({ method: 'GET', url: `/api/messages/${msg}/content`, headers: other.admin })).statusCode).toBe(404);
  });

  it('shows consent changes and skipped sends with their reasons (a journey guard, a broadcast recipient), in order and across pages', async () => {
    await h.app.inject({ method: 'PATCH', url: '/api/workspace', headers: t.admin, payload: { postalAddress: '1 Main St, Springfield' } });
    await saveTemplates(h.deps, t.workspaceId, [footerPartial, welcomeMjml], 'upsert');
    const c = await newContact('tl-consent');
    const t0 = h.clock.now();
    expect((await h.app.inject({ method: 'PUT', url: `/api/contacts/${c}/consent/email`, headers: t.admin, payload: { status: 'unsubscribed', source: 'crm' } })).statusCode).toBe(200);
    await applyJourney(h.deps, t.workspaceId, {
      id: 'tl-journey',
      name: 'TL',
      status: 'live',
      trigger: { type: 'manual' },
      start: 'hello',
      nodes: [
        { id: 'hello', type: 'message', channel: 'email', template: 'welcome-1' },
        { id: 'wait', type: 'delay', duration: '1h' },
        { id: 'done', type: 'exit' },
      ],
      edges: [
        { from: 'hello', to: 'wait' },
        { from: 'wait', to: 'done' },
      ],
    });
    h.clock.advance(1000);
    expect((await h.app.inject({ method: 'POST', url: '/api/journeys/tl-journey/enroll', headers: t.admin, payload: { contactIds: [c] } })).statusCode).toBe(200);
    const rt = createRuntime(h.deps);
    await new Worker([journeyTask(rt)], { pollIntervalMs: 10, shutdownTimeoutMs: 1000, log: pino({ level: 'silent' }) }).drain();
    const list = await createList(h.deps, t.workspaceId, { name: 'TL list' });
    const created = await h.app.inject({
      method: 'POST',
      url: '/api/broadcasts',
      headers: t.admin,
      payload: { name: 'TL news', channel: 'email', template: 'welcome-1', audience: { type: 'list', id: list.id } },
    });
    expect(created.statusCode).toBe(201);
    const bc = created.json() as { id: string };
    await h.deps.store.db
      .insertInto('broadcast_recipients')
      .values({ broadcast_id: bc.id, contact_id: c, workspace_id: t.workspaceId, tz: null, due_at: t0 + 2000, status: 'skipped', attempts: 0, error: 'unsubscribed from email', settled_at: t0 + 2000 })
      .execute();

    // Skipped steps of a delay node are no sends: not shown, and paging past them loses nothing.
    const run = await h.deps.store.db.selectFrom('journey_runs').select('id').where('contact_id', '=', c).executeTakeFirstOrThrow();
    for (const visit of [7, 8, 9]) {
      await h.deps.store.db
        .insertInto('journey_steps')
        .values({ run_id: run.id, workspace_id: t.workspaceId, node_id: 'wait', visit, outcome: 'skipped', due_at: null, executed_at: t0 + 1500 + visit, detail: toJson({ reason: 'no date' }) })
        .execute();
    }
    const page = (await get(`/api/contacts/${c}/timeline`)).json();
    expect(page.nextCursor).toBeNull();
    expect(page.data).toEqual([
      { kind: 'skipped_send', at: t0 + 2000, id: `broadcast:${bc.id}`, channel: 'email', reason: 'unsubscribed from email', journeyId: null, nodeId: null, broadcastId: bc.id },
      {
        kind: 'skipped_send',
        at: t0 + 1000,
        id: expect.stringMatching(/^step:\d+$/),
        channel: 'email',
        reason: 'unsubscribed from email',
        journeyId: 'tl-journey',
        nodeId: 'hello',
        broadcastId: null,
      },
      { kind: 'consent', at: t0, id: expect.any(String), channel: 'email', topic: '', status: 'unsubscribed', source: 'crm' },
      { kind: 'event', at: t0, id: expect.any(String), type: 'track', name: 'unsubscribed', properties: { channel: 'email', source: 'api' } },
    ]);
    for (const limit of [1, 2, 3]) expect((await allPages(c, limit)).entries).toEqual(page.data);
    await (rt.channels.get('email') as { close?: () => Promise<void> } | undefined)?.close?.();
  });

  it('is in the OpenAPI document', async () => {
    const doc = (await h.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/contacts/{id}/timeline', '/api/messages/{id}/content']));
  });

  it.runIf(kind === 'sqlite')('reads each page as one range scan of the timeline indexes (EXPLAIN QUERY PLAN)', async () => {
    const plan = (q: { compile(): CompiledQuery }) => explain(h.deps.store.db, kind, q.compile());
    for (const cursor of [
      { at: 5, kind: 'event' as const, id: '5' },
      { at: 5, kind: 'message' as const, id: 'msg_x' },
    ]) {
      const q = timelineQueries(h.deps.store.db, 'ct_x', cursor, 51);
      const events = await plan(q.events);
      const messages = await plan(q.messages);
      expect(events).toMatch(/INDEX events_contact_time \(contact_id=\? AND/);
      expect(messages).toMatch(/INDEX messages_contact_time \(contact_id=\? AND/);
      expect(`${events} ${messages}`).not.toMatch(/TEMP B-TREE/);
    }
  });
});
