import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../test/harness.js';
import { fromJson } from '../core/json.js';

const DAY = 86_400_000;

describe.each(backends())('lead scoring on %s', (kind) => {
  let h: Harness;
  let t: Tenant;
  let seq = 0;

  beforeAll(async () => {
    h = await createHarness(kind);
    t = await h.tenant();
  });
  afterAll(async () => h?.close());

  const api = (method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
    h.app.inject({ method, url, headers: t.admin, ...(payload === undefined ? {} : { payload: payload as object }) });
  const send = async (type: 'track' | 'identify', body: Record<string, unknown>) => {
    const res = await h.app.inject({ method: 'POST', url: `/v1/${type}`, headers: t.write, payload: { messageId: `s-${++seq}`, ...body } });
    expect(res.statusCode, res.body).toBe(200);
  };
  const track = (userId: string, event: string, properties: Record<string, unknown> = {}) => send('track', { userId, event, properties });
  const contactId = async (userId: string) =>
    (await h.deps.store.db.selectFrom('contacts').select('id').where('workspace_id', '=', t.workspaceId).where('user_id', '=', userId).executeTakeFirstOrThrow()).id;
  const score = async (userId: string) => (await api('GET', `/api/contacts/${await contactId(userId)}/score`)).json();
  const attribute = async (userId: string) => {
    const row = await h.deps.store.db
      .selectFrom('contacts')
      .select('attributes')
      .where('id', '=', await contactId(userId))
      .executeTakeFirstOrThrow();
    return fromJson<Record<string, unknown>>(row.attributes).lead_score;
  };
  const rule = async (body: Record<string, unknown>) => {
    const res = await api('POST', '/api/scoring/rules', body);
    expect(res.statusCode, res.body).toBe(201);
    return res.json();
  };

  it('rules: create, read, list, patch, delete; bad fields are named by their path', async () => {
    const bad = await api('POST', '/api/scoring/rules', { name: 'x', kind: 'event', event: 'a', points: 5, where: [{ property: 'p', op: 'almost', value: 1 }] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.issues.map((i: { path: string }) => i.path)).toContain('body.where.0.op');
    const zero = await api('POST', '/api/scoring/rules', { name: 'x', kind: 'event', event: 'a', points: 0 });
    expect(zero.json().error.issues[0].path).toBe('body.points');
    const self = await api('POST', '/api/scoring/rules', { name: 'x', kind: 'event', event: 'lead_score.changed', points: 1 });
    expect(self.json().error.issues[0].path).toBe('body.event');
    const notContact = await api('POST', '/api/scoring/rules', { name: 'x', kind: 'attribute', condition: { all: [{ field: 'trigger.total', op: 'gt', value: 1 }] }, points: 1 });
    expect(notContact.statusCode).toBe(400);
    expect(notContact.json().error.issues[0].path).toBe('body.condition.all.0.field');
    const capsOnAttribute = await api('POST', '/api/scoring/rules', { name: 'x', kind: 'attribute', condition: { field: 'contact.plan', op: 'eq', value: 'pro' }, points: 1, maxPerContact: 2 });
    expect(capsOnAttribute.statusCode).toBe(400);

    const created = await rule({ id: 'tmp', name: 'Temp', kind: 'event', event: 'tmp_event', points: 3, maxPerPeriod: { times: 2, period: '1d' } });
    expect(created).toMatchObject({ id: 'tmp', kind: 'event', event: 'tmp_event', points: 3, maxPerContact: null, maxPerPeriod: { times: 2, period: '1d' }, enabled: true });
    expect((await api('POST', '/api/scoring/rules', { id: 'tmp', name: 'Again', kind: 'event', event: 'e', points: 1 })).statusCode).toBe(409);
    const patched = await api('PATCH', '/api/scoring/rules/tmp', { points: -4, maxPerPeriod: null });
    expect(patched.json()).toMatchObject({ points: -4, maxPerPeriod: null, event: 'tmp_event' });
    const badPatch = await api('PATCH', '/api/scoring/rules/tmp', { where: [{ property: 'a', op: 'nope' }] });
    expect(badPatch.json().error.issues[0].path).toBe('where.0.op');
    expect((await api('GET', '/api/scoring/rules/tmp')).json().points).toBe(-4);
    expect((await api('GET', '/api/scoring/rules')).json().data.map((r: { id: string }) => r.id)).toContain('tmp');
    expect((await api('DELETE', '/api/scoring/rules/tmp')).statusCode).toBe(204);
    expect((await api('GET', '/api/scoring/rules/tmp')).statusCode).toBe(404);
  });

  it('publishes its routes in the OpenAPI document and needs the admin key', async () => {
    const doc = (await h.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/scoring/rules', '/api/scoring/rules/{id}', '/api/scoring/settings', '/api/contacts/{id}/score']));
    expect((await h.app.inject({ method: 'GET', url: '/api/scoring/rules', headers: t.write })).statusCode).toBe(403);
  });

  it('events ingested through /v1/track add and remove points, each change in the history with its rule', async () => {
    await rule({ id: 'webinar', name: 'Webinar', kind: 'event', event: 'webinar_registered', points: 10 });
    await rule({ id: 'click', name: 'Email click', kind: 'event', event: 'email.clicked', points: 5 });
    await rule({ id: 'unsub', name: 'Unsubscribed', kind: 'event', event: 'unsubscribed', points: -20 });
    await track('ann', 'webinar_registered');
    await track('ann', 'email.clicked', { url: 'https://x' });
    await track('ann', 'email.clicked', { url: 'https://y' });
    await track('ann', 'page_viewed');
    const s = await score('ann');
    expect(s.score).toBe(20);
    expect(await attribute('ann')).toBe(20);
    expect(s.history.data.map((e: { ruleId: string; from: number; to: number }) => [e.ruleId, e.from, e.to])).toEqual([
      ['click', 15, 20],
      ['click', 10, 15],
      ['webinar', 0, 10],
    ]);
    await track('ann', 'unsubscribed');
    expect((await score('ann')).score).toBe(0);
    expect(await attribute('ann')).toBe(0);
    const changed = await h.deps.store.db
      .selectFrom('events')
      .select('properties')
      .where('contact_id', '=', await contactId('ann'))
      .where('name', '=', 'lead_score.changed')
      .orderBy('id')
      .execute();
    expect(changed.map((r) => fromJson<{ from: number; to: number }>(r.properties)).map((p) => [p.from, p.to])).toEqual([
      [0, 10],
      [10, 15],
      [15, 20],
      [20, 0],
    ]);
  });

  it('a batch is scored in order and one lead_score.changed carries its net change; a replayed batch scores nothing', async () => {
    const batch = { batch: [1, 2, 3].map((i) => ({ type: 'track', userId: 'bea', event: 'webinar_registered', messageId: `bea-${i}` })) };
    for (let i = 0; i < 2; i++) {
      const res = await h.app.inject({ method: 'POST', url: '/v1/batch', headers: t.write, payload: batch });
      expect(res.statusCode).toBe(200);
    }
    const s = await score('bea');
    expect(s.score).toBe(30);
    expect(s.history.data).toHaveLength(3);
    const changed = await h.deps.store.db
      .selectFrom('events')
      .select('properties')
      .where('contact_id', '=', await contactId('bea'))
      .where('name', '=', 'lead_score.changed')
      .execute();
    expect(changed.map((r) => fromJson<Record<string, unknown>>(r.properties))).toEqual([expect.objectContaining({ from: 0, to: 30, delta: 30, reasons: ['rule:webinar'] })]);
  });

  it('property filters decide which events count', async () => {
    await rule({ id: 'pricing', name: 'Pricing page', kind: 'event', event: 'page_viewed', where: [{ property: 'path', op: 'starts_with', value: '/pricing' }], points: 7 });
    await rule({
      id: 'big-order',
      name: 'Big order',
      kind: 'event',
      event: 'order',
      where: [
        { property: 'total', op: 'gte', value: 100 },
        { property: 'currency', op: 'in', value: ['EUR', 'USD'] },
      ],
      points: 25,
    });
    await track('cid', 'page_viewed', { path: '/blog' });
    await track('cid', 'page_viewed', { path: '/pricing/teams' });
    await track('cid', 'order', { total: 99, currency: 'EUR' });
    await track('cid', 'order', { total: 150, currency: 'GBP' });
    await track('cid', 'order', { total: '150', currency: 'USD' });
    const s = await score('cid');
    expect(s.history.data.map((e: { ruleId: string }) => e.ruleId)).toEqual(['big-order', 'pricing']);
    expect(s.score).toBe(32);
  });

  it('caps: at most N per contact, and at most M per period', async () => {
    await rule({ id: 'download', name: 'Download', kind: 'event', event: 'download', points: 4, maxPerContact: 3 });
    await rule({ id: 'visit', name: 'Daily visit', kind: 'event', event: 'visit', points: 1, maxPerPeriod: { times: 2, period: '1d' } });
    for (let i = 0; i < 5; i++) await track('dan', 'download');
    expect((await score('dan')).score).toBe(12);
    const batch = { batch: [1, 2, 3, 4].map((i) => ({ type: 'track', userId: 'dan', event: 'visit', messageId: `dan-visit-${i}` })) };
    await h.app.inject({ method: 'POST', url: '/v1/batch', headers: t.write, payload: batch });
    expect((await score('dan')).score).toBe(14);
    await track('dan', 'visit');
    expect((await score('dan')).score).toBe(14);
    h.clock.advance(DAY + 1);
    await track('dan', 'visit');
    await track('dan', 'visit');
    await track('dan', 'visit');
    await track('dan', 'download');
    expect((await score('dan')).score).toBe(16);
  });

  it('a disabled rule scores nothing; an attribute rule applies once, when the attributes first match', async () => {
    await rule({ id: 'off', name: 'Off', kind: 'event', event: 'noise', points: 50, enabled: false });
    await rule({
      id: 'vp',
      name: 'VP title',
      kind: 'attribute',
      condition: {
        all: [
          { field: 'contact.job_title', op: 'contains', value: 'VP' },
          { field: 'contact.country', op: 'in', value: ['DE', 'FR'] },
        ],
      },
      points: 15,
    });
    await track('eve', 'noise');
    await send('identify', { userId: 'eve', traits: { job_title: 'VP Sales', country: 'US' } });
    expect((await score('eve')).score).toBe(0);
    await send('identify', { userId: 'eve', traits: { country: 'DE' } });
    await send('identify', { userId: 'eve', traits: { job_title: 'VP Marketing' } });
    const s = await score('eve');
    expect(s.score).toBe(15);
    expect(s.history.data).toEqual([expect.objectContaining({ ruleId: 'vp', reason: 'rule', delta: 15, detail: { attributes: true } })]);
    // A new contact that matches at once.
    await send('identify', { userId: 'fay', traits: { job_title: 'SVP', country: 'FR' } });
    expect((await score('fay')).score).toBe(15);
  });

  it('manual adjustments by delta or to a value, with a note; history pages newest first', async () => {
    await track('gus', 'webinar_registered');
    const id = await contactId('gus');
    const add = await api('POST', `/api/contacts/${id}/score`, { delta: 7, note: 'met at the fair' });
    expect(add.json()).toMatchObject({ score: 17, entry: { reason: 'manual', from: 10, to: 17, detail: { note: 'met at the fair' } } });
    expect((await api('POST', `/api/contacts/${id}/score`, { set: 40 })).json().score).toBe(40);
    expect((await api('POST', `/api/contacts/${id}/score`, { set: 40 })).json()).toEqual({ score: 40, entry: null });
    const both = await api('POST', `/api/contacts/${id}/score`, { set: 1, delta: 1 });
    expect(both.statusCode).toBe(400);
    expect((await api('POST', '/api/contacts/nope/score', { delta: 1 })).statusCode).toBe(404);
    const first = (await api('GET', `/api/contacts/${id}/score?limit=2`)).json();
    expect(first.score).toBe(40);
    expect(first.history.data.map((e: { to: number }) => e.to)).toEqual([40, 17]);
    const second = (await api('GET', `/api/contacts/${id}/score?limit=2&cursor=${first.history.nextCursor}`)).json();
    expect(second.history).toEqual({ data: [expect.objectContaining({ to: 10, ruleId: 'webinar' })], nextCursor: null });
    expect(await attribute('gus')).toBe(40);
  });

  it("lead_score is scoring's own: a trait or a PATCH that writes it is put back to the stored score", async () => {
    await track('hal', 'webinar_registered');
    await send('identify', { userId: 'hal', traits: { lead_score: 999, plan: 'pro' } });
    expect(await attribute('hal')).toBe(10);
    await api('PATCH', `/api/contacts/${await contactId('hal')}`, { attributes: { lead_score: 5 } });
    expect(await attribute('hal')).toBe(10);
    await send('identify', { userId: 'ivy', traits: { lead_score: 77 } });
    expect(await attribute('ivy')).toBe(0);
    expect((await score('hal')).score).toBe(10);
  });

  it("an anonymous visitor's points follow it when it identifies (merge), with the history", async () => {
    await send('track', { anonymousId: 'anon-1', event: 'webinar_registered' });
    await send('track', { anonymousId: 'anon-1', event: 'email.clicked' });
    await track('jon', 'webinar_registered');
    await send('identify', { userId: 'jon', anonymousId: 'anon-1', traits: { name: 'Jon' } });
    const s = await score('jon');
    expect(s.score).toBe(25);
    expect(s.history.data[0]).toMatchObject({ reason: 'merge', delta: 15, from: 10, to: 25 });
    expect(s.history.data).toHaveLength(4);
    expect(await attribute('jon')).toBe(25);
  });
});
