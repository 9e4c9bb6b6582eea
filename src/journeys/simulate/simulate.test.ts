import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../../test/harness.js';
import { welcomeMjml } from '../../templates/test-fixtures.js';
import { permissionFor } from '../../users/roles.js';

const email = (id: string, subject: string) => ({
  id,
  name: id,
  kind: 'marketing',
  content: {
    subject,
    preheader: `pre ${id}`,
    body: `<p>Hi {{ contact.first_name | default: "there" }}, ${id} ({{ event.sku | default: "-" }})</p><p>{{ workspace.postal_address }} <a href="{{ unsubscribe_url }}">unsubscribe</a></p>`,
  },
});

const welcome = {
  id: 'welcome-series',
  name: 'Welcome series',
  status: 'live',
  trigger: { type: 'contact_created' },
  start: 'w1',
  nodes: [
    { id: 'w1', type: 'message', channel: 'email', template: 'w1' },
    { id: 'd1', type: 'delay', calendarDays: 2, at: '09:00' },
    { id: 'w2', type: 'message', channel: 'email', template: 'w2' },
    { id: 'd2', type: 'delay', calendarDays: 5, at: '09:00' },
    { id: 'w3', type: 'message', channel: 'email', template: 'w3' },
    { id: 'done', type: 'exit' },
  ],
  edges: [
    { from: 'w1', to: 'd1' },
    { from: 'd1', to: 'w2' },
    { from: 'w2', to: 'd2' },
    { from: 'd2', to: 'w3' },
    { from: 'w3', to: 'done' },
  ],
};

const cart = {
  id: 'cart',
  name: 'Abandoned cart',
  status: 'live',
  trigger: { type: 'event', event: 'cart_abandoned' },
  start: 'wait',
  nodes: [
    { id: 'wait', type: 'wait_for_event', event: 'order_completed', timeout: '4h' },
    { id: 'thanks', type: 'message', channel: 'email', template: 'thanks' },
    { id: 'nudge', type: 'message', channel: 'email', template: 'nudge' },
    { id: 'done', type: 'exit' },
  ],
  edges: [
    { from: 'wait', to: 'thanks', output: 'event' },
    { from: 'wait', to: 'nudge', output: 'timeout' },
    { from: 'thanks', to: 'done' },
    { from: 'nudge', to: 'done' },
  ],
};

const plans = {
  id: 'plans',
  name: 'By plan',
  trigger: { type: 'manual' },
  start: 'b',
  nodes: [
    { id: 'b', type: 'branch', branches: [{ output: 'pro', condition: { field: 'contact.plan', op: 'eq', value: 'pro' } }] },
    { id: 'pro-mail', type: 'message', channel: 'email', template: 'w1' },
    { id: 'free-mail', type: 'message', channel: 'email', template: 'welcome-1' },
    { id: 'done', type: 'exit' },
  ],
  edges: [
    { from: 'b', to: 'pro-mail', output: 'pro' },
    { from: 'b', to: 'free-mail', output: 'else' },
    { from: 'pro-mail', to: 'done' },
    { from: 'free-mail', to: 'done' },
  ],
};

const TABLES = ['journey_runs', 'journey_steps', 'deliveries', 'messages', 'outbox', 'events', 'contacts'] as const;

describe.each(backends())('journey simulation on %s', (kind) => {
  let h: Harness;
  let t: Tenant;
  const simulate = (journey: string, payload: object, headers = t.admin) => h.app.inject({ method: 'POST', url: `/api/journeys/${journey}/simulate`, headers, payload });
  const counts = async () => {
    const out: Record<string, number> = {};
    for (const table of TABLES) {
      const r = await h.deps.store.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      out[table] = Number(r.n);
    }
    return out;
  };

  beforeAll(async () => {
    h = await createHarness(kind);
    t = await h.tenant();
    for (const tpl of [email('w1', 'Welcome 1'), email('w2', 'Welcome 2'), email('w3', 'Welcome 3'), email('thanks', 'Thanks for your order'), email('nudge', 'You left something'), welcomeMjml]) {
      const r = await h.app.inject({ method: 'POST', url: '/api/templates', headers: t.admin, payload: tpl });
      expect(r.statusCode, r.body).toBe(201);
    }
    for (const doc of [welcome, cart, plans]) {
      const r = await h.app.inject({ method: 'POST', url: '/api/journeys', headers: t.admin, payload: doc });
      expect(r.statusCode, r.body).toBe(201);
    }
  });
  afterAll(async () => {
    await h?.close();
  });

  it('a 3-email welcome series over 7 days shows 3 messages at 09:00 local time in Asia/Tehran, and writes nothing', async () => {
    const c = await h.app.inject({ method: 'POST', url: '/api/contacts', headers: t.admin, payload: { email: 'reza@example.com', timezone: 'Asia/Tehran', attributes: { first_name: 'Reza' } } });
    expect(c.statusCode, c.body).toBeLessThan(300);
    const before = await counts();
    const r = await simulate('welcome-series', { contact: { contactId: c.json().id }, start: '2026-03-01T12:00:00Z', until: '30d' });
    expect(r.statusCode, r.body).toBe(200);
    const body = r.json();
    const sent = body.path.filter((p: { outcome: string }) => p.outcome === 'sent');
    expect(sent.map((p: { node: string }) => p.node)).toEqual(['w1', 'w2', 'w3']);
    expect(sent.map((p: { local: string }) => p.local)).toEqual(['2026-03-01 15:30:00', '2026-03-03 09:00:00', '2026-03-08 09:00:00']);
    // Tehran is UTC+03:30 all year (no DST since 2022).
    expect(sent[1].at).toBe(Date.parse('2026-03-03T05:30:00Z'));
    expect(sent[0].message.subject).toBe('Welcome 1');
    expect(sent[0].message.html).toContain('Hi Reza, w1');
    expect(sent[0].message.preheader).toBe('pre w1');
    expect(sent[0].message.dir).toBe('ltr');
    expect(body.endStatus).toBe('completed');
    expect(body.endedAt).toBe(sent[2].at);
    expect(body.path.at(-1)).toMatchObject({ node: 'done', type: 'exit', outcome: 'completed' });
    expect(body.timezone).toBe('Asia/Tehran');
    expect(await counts()).toEqual(before);
  });

  it('an abandoned cart takes `event` when order_completed comes at +2h and `timeout` when it comes at +5h (timeout 4h)', async () => {
    const contact = { attributes: { first_name: 'Ana' }, email: 'ana@example.com' };
    const start = '2026-03-01T10:00:00Z';
    const early = (await simulate('cart', { contact, start, events: [{ name: 'order_completed', at: '+2h', properties: { sku: 'A1' } }] })).json();
    const waitEarly = early.path.find((p: { node: string; outcome: string }) => p.node === 'wait' && p.outcome !== 'waiting');
    expect(waitEarly).toMatchObject({ outcome: 'event', output: 'event', at: Date.parse(start) + 2 * 3_600_000 });
    const thanks = early.path.find((p: { node: string }) => p.node === 'thanks');
    expect(thanks.message.subject).toBe('Thanks for your order');
    // The event's properties reach the template as event.*, as in the runtime.
    expect(thanks.message.html).toContain('(A1)');
    expect(early.path.some((p: { node: string }) => p.node === 'nudge')).toBe(false);
    expect(early.warnings.some((w: string) => w.startsWith('events.'))).toBe(false);

    const late = (await simulate('cart', { contact, start, events: [{ name: 'order_completed', at: '+5h' }] })).json();
    const waitLate = late.path.find((p: { node: string; outcome: string }) => p.node === 'wait' && p.outcome !== 'waiting');
    expect(waitLate).toMatchObject({ outcome: 'timeout', output: 'timeout', at: Date.parse(start) + 4 * 3_600_000 });
    expect(late.path.map((p: { node: string }) => p.node)).toEqual(['wait', 'wait', 'nudge', 'done']);
    expect(late.endStatus).toBe('completed');
    expect(late.warnings).toContain('events.0 (order_completed) changed nothing: no wait was listening for it and it is no goal or exit event at that time');
  });

  it("a branch on an attribute follows the contact's plan", async () => {
    const pro = (await simulate('plans', { contact: { attributes: { plan: 'pro' }, email: 'p@example.com' } })).json();
    expect(pro.path[0]).toMatchObject({ node: 'b', type: 'branch', outcome: 'pro', output: 'pro' });
    expect(pro.path[1].node).toBe('pro-mail');
    const free = (await simulate('plans', { contact: { attributes: { plan: 'free' }, email: 'f@example.com' } })).json();
    expect(free.path[0]).toMatchObject({ node: 'b', outcome: 'else', output: 'else' });
    expect(free.path[1].node).toBe('free-mail');
  });

  it('a Persian contact gets the fa variant rendered right to left', async () => {
    const r = (await simulate('plans', { contact: { attributes: { plan: 'free', first_name: 'سارا' }, email: 's@example.com', locale: 'fa-IR' } })).json();
    const m = r.path.find((p: { node: string }) => p.node === 'free-mail').message;
    expect(m.dir).toBe('rtl');
    expect(m.locale).toBe('fa');
    expect(m.subject).toBe('خوش آمدید سارا');
  });

  it('rejects bad input with field paths, and unknown journeys and contacts with 404', async () => {
    const bad = await simulate('cart', {
      contact: { attributes: {} },
      events: [
        { name: 'x', at: '+1h' },
        { name: 'y', at: 'soon' },
      ],
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.issues.map((i: { path: string }) => i.path)).toContain('body.events.1.at');
    expect((await simulate('nope', { contact: { attributes: {} } })).statusCode).toBe(404);
    const missing = await simulate('cart', { contact: { contactId: 'ct_missing' } });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error?.message ?? missing.body).toMatch(/ct_missing/);
  });

  it('stops at `until` with the run still open, and a goal event converts the run', async () => {
    await h.app.inject({ method: 'POST', url: '/api/journeys', headers: t.admin, payload: { ...welcome, id: 'welcome-goal', goal: { event: 'upgraded' } } });
    const open = (await simulate('welcome-goal', { contact: { attributes: {}, email: 'o@example.com' }, start: '2026-03-01T12:00:00Z', until: '1d' })).json();
    expect(open.endStatus).toBe('open');
    expect(open.path.filter((p: { outcome: string }) => p.outcome === 'sent')).toHaveLength(1);
    const goal = (await simulate('welcome-goal', { contact: { attributes: {}, email: 'o@example.com' }, start: '2026-03-01T12:00:00Z', events: [{ name: 'upgraded', at: '+3d' }] })).json();
    expect(goal.endStatus).toBe('converted');
    expect(goal.path.at(-1)).toMatchObject({ node: '$goal', outcome: 'converted' });
    expect(goal.path.filter((p: { outcome: string }) => p.outcome === 'sent')).toHaveLength(2);
  });

  it("quiet hours defer the message to their end in the contact's zone, as the runtime would", async () => {
    await h.app.inject({
      method: 'POST',
      url: '/api/journeys',
      headers: t.admin,
      payload: { ...welcome, id: 'welcome-quiet', settings: { quietHours: { start: '21:00', end: '08:00', outcome: 'defer' } } },
    });
    // 23:00 in Tehran (19:30 UTC): the first email waits until 08:00 local.
    const r = (await simulate('welcome-quiet', { contact: { attributes: {}, email: 'q@example.com', timezone: 'Asia/Tehran' }, start: '2026-03-01T19:30:00Z' })).json();
    expect(r.path[0]).toMatchObject({ node: 'w1', outcome: 'deferred', local: '2026-03-01 23:00:00' });
    const first = r.path.find((p: { outcome: string }) => p.outcome === 'sent');
    expect(first.local).toBe('2026-03-02 08:00:00');
  });

  it('is described in the OpenAPI document with its body schema', async () => {
    const spec = (await h.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    const op = spec.paths['/api/journeys/{id}/simulate'].post;
    expect(JSON.stringify(op.requestBody)).toContain('events');
    expect(Object.keys(op.responses)).toContain('200');
  });

  it('is a read for roles, so viewers may simulate', () => {
    expect(permissionFor('POST', '/api/journeys/:id/simulate')).toBe('read');
    expect(permissionFor('POST', '/api/journeys/:id/enroll')).toBe('edit');
  });
  it('a page_view journey: trigger properties that match the URL pattern walk quietly; ones that do not are warned about', async () => {
    const browse = { ...cart, id: 'browse', name: 'Browse', trigger: { type: 'page_view', url: '/products/*' } };
    const created = await h.app.inject({ method: 'POST', url: '/api/journeys', headers: t.admin, payload: browse });
    expect(created.statusCode, created.body).toBe(201);
    const contact = { attributes: { first_name: 'Ana' }, email: 'ana@example.com' };
    const start = '2026-03-01T10:00:00Z';
    const warnings = async (trigger: object) => {
      const r = await simulate('browse', { contact, start, trigger });
      expect(r.statusCode, r.body).toBe(200);
      return (r.json().warnings as string[]).filter((w) => w.startsWith('trigger:'));
    };
    expect(await warnings({ url: 'https://shop.example.com/products/red-shoe?utm_source=mail', name: 'Red Shoe' })).toEqual([]);
    expect(await warnings({ path: '/products/red-shoe' })).toEqual([]);
    const [warning, ...more] = await warnings({ path: '/about' });
    expect(more).toEqual([]);
    expect(warning).toContain('does not match "/products/*"');
  });
});
