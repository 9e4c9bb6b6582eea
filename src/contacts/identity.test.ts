import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../test/harness.js';
import { fromJson, toJson } from '../core/json.js';
import type { Signal } from '../events/signals.js';
import { SignalTap } from '../../test/signal-tap.js';

describe.each(backends())('contact identity from Segment calls on %s', (kind) => {
  const tap = new SignalTap();
  let h: Harness;
  let t: Tenant;
  beforeAll(async () => {
    h = await createHarness(kind, {}, { extraSinks: [tap] });
    t = await h.tenant();
  });
  afterAll(async () => h?.close());

  const db = () => h.deps.store.db;
  const post = async (url: string, payload: unknown) => {
    const res = await h.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', ...t.write }, payload: JSON.stringify(payload) });
    expect(res.statusCode, res.body).toBe(200);
  };
  const contacts = () => db().selectFrom('contacts').selectAll().where('workspace_id', '=', t.workspaceId).execute();
  const byUser = (userId: string) => db().selectFrom('contacts').selectAll().where('workspace_id', '=', t.workspaceId).where('user_id', '=', userId).executeTakeFirstOrThrow();
  const byAnon = async (anonymousId: string) => {
    const link = await db().selectFrom('contact_anonymous_ids').select('contact_id').where('workspace_id', '=', t.workspaceId).where('anonymous_id', '=', anonymousId).executeTakeFirst();
    return link?.contact_id;
  };
  const eventsOf = (contactId: string) => db().selectFrom('events').select(['name', 'message_id']).where('contact_id', '=', contactId).orderBy('id').execute();
  async function capture(fn: () => Promise<void>): Promise<Signal[]> {
    const seen = tap.collect((s) => !('workspaceId' in s) || s.workspaceId === t.workspaceId);
    try {
      await fn();
    } finally {
      tap.stop();
    }
    return seen;
  }

  it('an anonymous visitor becomes the user when identified, keeping their events', async () => {
    await post('/v1/page', { anonymousId: 'a-first', name: 'Landing' });
    const anonymous = await byAnon('a-first');
    expect(anonymous).toBeDefined();
    await post('/v1/identify', { anonymousId: 'a-first', userId: 'u-first', traits: { name: 'Bo' } });
    const known = await byUser('u-first');
    expect(known.id).toBe(anonymous);
    expect((await eventsOf(known.id)).map((e) => e.name)).toEqual(['Landing', 'identify']);
  });

  it('identify-after-anonymous merges the anonymous contact into the known one with everything it has', async () => {
    await post('/v1/identify', { userId: 'u-known', traits: { plan: 'pro', name: 'Known' } });
    await post('/v1/track', { anonymousId: 'a-merge', event: 'Browsed' });
    await post('/v1/identify', { anonymousId: 'a-merge', traits: { plan: 'free', color: 'blue' } });
    const known = await byUser('u-known');
    const anon = (await byAnon('a-merge'))!;
    expect(anon).not.toBe(known.id);
    const now = h.clock.now();
    await db()
      .insertInto('lists')
      .values([
        { id: 'lst_a', workspace_id: t.workspaceId, name: 'A', description: null, double_opt_in: 0, created_at: now, updated_at: now },
        { id: 'lst_b', workspace_id: t.workspaceId, name: 'B', description: null, double_opt_in: 0, created_at: now, updated_at: now },
      ])
      .execute();
    const membership = (list_id: string, contact_id: string, status: 'subscribed' | 'unsubscribed') => ({
      list_id,
      contact_id,
      workspace_id: t.workspaceId,
      status,
      source: 'test',
      created_at: now,
      updated_at: now,
    });
    await db()
      .insertInto('list_memberships')
      .values([membership('lst_a', anon, 'subscribed'), membership('lst_b', anon, 'unsubscribed'), membership('lst_b', known.id, 'subscribed')])
      .execute();
    const consent = (contact_id: string, topic: string, status: 'subscribed' | 'unsubscribed', updated_at: number) => ({
      workspace_id: t.workspaceId,
      contact_id,
      channel: 'email',
      topic,
      status,
      source: 'test',
      updated_at,
    });
    await db()
      .insertInto('consents')
      .values([consent(anon, '', 'unsubscribed', now + 10), consent(known.id, '', 'subscribed', now), consent(anon, 'news', 'subscribed', now), consent(known.id, 'news', 'unsubscribed', now + 10)])
      .execute();
    await db()
      .insertInto('consent_history')
      .values({ workspace_id: t.workspaceId, contact_id: anon, channel: 'email', topic: '', status: 'unsubscribed', source: 'test', ip: null, user_agent: null, text_version: null, created_at: now })
      .execute();

    const signals = await capture(() => post('/v1/track', { userId: 'u-known', anonymousId: 'a-merge', event: 'Bought' }));

    expect(signals.filter((s) => s.kind === 'contact_merged')).toEqual([{ kind: 'contact_merged', workspaceId: t.workspaceId, fromContactId: anon, intoContactId: known.id }]);
    expect(await db().selectFrom('contacts').select('id').where('id', '=', anon).executeTakeFirst()).toBeUndefined();
    expect(await byAnon('a-merge')).toBe(known.id);
    expect((await eventsOf(known.id)).map((e) => e.name)).toEqual(['identify', 'Browsed', 'identify', 'Bought']);
    const after = await byUser('u-known');
    expect(fromJson(after.attributes)).toEqual({ plan: 'pro', name: 'Known', color: 'blue' });
    const lists = await db().selectFrom('list_memberships').select(['list_id', 'status']).where('contact_id', '=', known.id).orderBy('list_id').execute();
    expect(lists).toEqual([
      { list_id: 'lst_a', status: 'subscribed' },
      { list_id: 'lst_b', status: 'subscribed' },
    ]);
    const consents = await db().selectFrom('consents').select(['topic', 'status']).where('contact_id', '=', known.id).orderBy('topic').execute();
    expect(consents).toEqual([
      { topic: '', status: 'unsubscribed' },
      { topic: 'news', status: 'unsubscribed' },
    ]);
    expect(await db().selectFrom('consent_history').select('contact_id').where('contact_id', '=', known.id).execute()).toHaveLength(1);
  });

  it('alias merges the previous id into the user id, and events follow', async () => {
    await post('/v1/identify', { userId: 'u-alias', traits: { tier: 'gold' } });
    await post('/v1/track', { anonymousId: 'a-alias', event: 'Before' });
    const anon = (await byAnon('a-alias'))!;
    await post('/v1/alias', { previousId: 'a-alias', userId: 'u-alias' });
    const known = await byUser('u-alias');
    expect(await byAnon('a-alias')).toBe(known.id);
    expect(await db().selectFrom('contacts').select('id').where('id', '=', anon).executeTakeFirst()).toBeUndefined();
    expect((await eventsOf(known.id)).map((e) => e.name)).toEqual(['identify', 'Before', 'alias']);
    await post('/v1/track', { anonymousId: 'a-alias', event: 'After' });
    expect((await eventsOf(known.id)).map((e) => e.name)).toEqual(['identify', 'Before', 'alias', 'After']);
  });

  it('alias to a new user id gives the previous contact that user id', async () => {
    await post('/v1/track', { anonymousId: 'a-rename', event: 'Seen' });
    const anon = (await byAnon('a-rename'))!;
    await post('/v1/alias', { previousId: 'a-rename', userId: 'u-rename' });
    expect((await byUser('u-rename')).id).toBe(anon);
  });

  it('an anonymous identify with the email of a known contact merges into that contact', async () => {
    await post('/v1/identify', { userId: 'u-mail', traits: { email: 'mail@example.com' } });
    await post('/v1/track', { anonymousId: 'a-mail', event: 'Visited' });
    await post('/v1/identify', { anonymousId: 'a-mail', traits: { email: 'MAIL@example.com', source: 'form' } });
    const known = await byUser('u-mail');
    expect(await byAnon('a-mail')).toBe(known.id);
    expect(fromJson<{ source: string }>(known.attributes).source).toBe('form');
    expect((await eventsOf(known.id)).map((e) => e.name)).toEqual(['identify', 'Visited', 'identify']);
  });

  it('a known contact claiming the email of a contact without user id absorbs it', async () => {
    const now = h.clock.now();
    await db()
      .insertInto('contacts')
      .values({
        id: 'ct_imported',
        workspace_id: t.workspaceId,
        user_id: null,
        email: 'imported@example.com',
        phone: null,
        timezone: null,
        locale: null,
        attributes: toJson({ source: 'csv' }),
        created_at: now,
        updated_at: now,
      })
      .execute();
    await post('/v1/identify', { userId: 'u-imported', traits: { email: 'imported@example.com' } });
    const known = await byUser('u-imported');
    expect(known.email).toBe('imported@example.com');
    expect(fromJson(known.attributes)).toEqual({ email: 'imported@example.com', source: 'csv' });
    expect(await db().selectFrom('contacts').select('id').where('id', '=', 'ct_imported').executeTakeFirst()).toBeUndefined();
  });

  it('two user ids never merge on an email: the email stays with its holder', async () => {
    await post('/v1/identify', { userId: 'u-holder', traits: { email: 'shared@example.com' } });
    await post('/v1/identify', { userId: 'u-claimer', traits: { email: 'shared@example.com' } });
    expect((await byUser('u-holder')).email).toBe('shared@example.com');
    const claimer = await byUser('u-claimer');
    expect(claimer.email).toBeNull();
    expect(fromJson<{ email: string }>(claimer.attributes).email).toBe('shared@example.com');
  });

  it('an anonymous id of another known user (shared device) is not merged', async () => {
    await post('/v1/track', { userId: 'u-device-1', anonymousId: 'a-device', event: 'One' });
    await post('/v1/track', { userId: 'u-device-2', anonymousId: 'a-device', event: 'Two' });
    const one = await byUser('u-device-1');
    const two = await byUser('u-device-2');
    expect(one.id).not.toBe(two.id);
    expect(await byAnon('a-device')).toBe(one.id);
    expect((await eventsOf(two.id)).map((e) => e.name)).toEqual(['Two']);
  });

  it('emits contact_created for new contacts and contact_updated with the changed keys', async () => {
    const created = await capture(() => post('/v1/identify', { userId: 'u-signals', traits: { a: 1, b: 2 } }));
    const contact = await byUser('u-signals');
    expect(created.filter((s) => s.kind !== 'event')).toEqual([{ kind: 'contact_created', workspaceId: t.workspaceId, contactId: contact.id }]);
    const updated = await capture(() => post('/v1/identify', { userId: 'u-signals', traits: { a: 1, b: 3, c: 4 } }));
    expect(updated.filter((s) => s.kind !== 'event')).toEqual([{ kind: 'contact_updated', workspaceId: t.workspaceId, contactId: contact.id, changed: ['b', 'c'] }]);
    const same = await capture(() => post('/v1/identify', { userId: 'u-signals', traits: { a: 1 } }));
    expect(same.filter((s) => s.kind !== 'event')).toEqual([]);
  });

  it('resolves a batch of many new and known contacts in one request', async () => {
    const before = (await contacts()).length;
    const batch = Array.from({ length: 300 }, (_, i) => ({ type: 'track', userId: `u-bulk-${i % 100}`, anonymousId: `a-bulk-${i % 100}`, event: 'Bulk' }));
    await post('/v1/batch', { batch });
    await post('/v1/batch', { batch: batch.map((b) => ({ ...b, event: 'Bulk again' })) });
    expect((await contacts()).length).toBe(before + 100);
    const c = await byUser('u-bulk-7');
    expect(await byAnon('a-bulk-7')).toBe(c.id);
    expect((await eventsOf(c.id)).length).toBe(6);
  });

  describe('traits.email is one mailbox or the call is refused', () => {
    const send = (url: string, payload: unknown) => h.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', ...t.write }, payload: JSON.stringify(payload) });
    const withEmail = (email: string) => db().selectFrom('contacts').select('id').where('workspace_id', '=', t.workspaceId).where('email', '=', email).execute();
    const eventCount = async () =>
      Number(
        (
          await db()
            .selectFrom('events')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('workspace_id', '=', t.workspaceId)
            .executeTakeFirstOrThrow()
        ).n,
      );

    it.each([
      ['a list', 'attacker@evil.example, victim@example.net', 'not a list'],
      ['a header injection', 'x@evil.example\r\nbcc: victim@example.net', 'line breaks'],
      ['a display name', 'Victim <victim@example.net>', 'display name'],
    ])('an identify whose traits.email is %s answers 400 at traits.email and stores nothing', async (_what, email, why) => {
      const events = await eventCount();
      const res = await send('/v1/identify', { userId: `u-bad-${why}`, traits: { email, name: 'X' } });
      expect(res.statusCode, res.body).toBe(400);
      const issues = res.json().error.issues as { path: string; message: string }[];
      expect(issues).toHaveLength(1);
      expect(issues[0]!.path).toBe('traits.email');
      expect(issues[0]!.message).toContain(why);
      expect(await db().selectFrom('contacts').select('id').where('workspace_id', '=', t.workspaceId).where('user_id', '=', `u-bad-${why}`).execute()).toEqual([]);
      expect(await withEmail('victim@example.net')).toEqual([]);
      expect(await eventCount()).toBe(events);
    });

    it('a batch with one bad traits.email is refused whole, naming batch.N.traits.email', async () => {
      const events = await eventCount();
      const res = await send('/v1/batch', {
        batch: [
          { type: 'identify', userId: 'u-batch-good', traits: { email: 'good@example.net' } },
          { type: 'track', userId: 'u-batch-good', event: 'Clicked' },
          { type: 'identify', userId: 'u-batch-bad', traits: { email: 'a@example.net;victim@example.net' } },
        ],
      });
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().error.issues.map((i: { path: string }) => i.path)).toEqual(['batch.2.traits.email']);
      expect(await withEmail('good@example.net')).toEqual([]);
      expect(await eventCount()).toBe(events);
    });

    it('stores a good address normalised: trimmed, lower-cased, an IDN domain as punycode; blank or non-string emails leave the column alone', async () => {
      await post('/v1/identify', { userId: 'u-idn', traits: { email: '  Anna.K@Müller.DE ' } });
      expect((await byUser('u-idn')).email).toBe('anna.k@xn--mller-kva.de');
      // The same mailbox spelled the other way is the same contact's address: no second contact.
      await post('/v1/identify', { anonymousId: 'a-idn', traits: { email: 'ANNA.K@xn--mller-kva.de' } });
      expect(await withEmail('anna.k@xn--mller-kva.de')).toHaveLength(1);
      await post('/v1/identify', { userId: 'u-idn', traits: { email: '  ' } });
      await post('/v1/identify', { userId: 'u-idn', traits: { email: 42 } });
      expect((await byUser('u-idn')).email).toBe('anna.k@xn--mller-kva.de');
    });
  });
});
