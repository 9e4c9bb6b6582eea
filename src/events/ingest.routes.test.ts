import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../test/harness.js';
import { fromJson } from '../core/json.js';
import { revokeKey, listKeys } from '../keys/keys.js';
import type { Signal } from './signals.js';
import { SignalTap } from '../../test/signal-tap.js';

describe.each(backends())('Segment ingestion API on %s', (kind) => {
  const tap = new SignalTap();
  let h: Harness;
  let t: Tenant;
  beforeAll(async () => {
    h = await createHarness(kind, {}, { extraSinks: [tap] });
    t = await h.tenant();
  });
  afterAll(async () => h?.close());

  const post = (url: string, payload: unknown, headers: Record<string, string> = t.write) =>
    h.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', ...headers }, payload: JSON.stringify(payload) });
  const events = (workspaceId = t.workspaceId) => h.deps.store.db.selectFrom('events').selectAll().where('workspace_id', '=', workspaceId).orderBy('id').execute();
  const contactOf = (userId: string) => h.deps.store.db.selectFrom('contacts').selectAll().where('workspace_id', '=', t.workspaceId).where('user_id', '=', userId).executeTakeFirst();

  it('stores each call type as an event linked to the contact, answering like Segment', async () => {
    const calls: [string, object][] = [
      ['identify', { userId: 'u-all', traits: { plan: 'pro' } }],
      ['track', { userId: 'u-all', event: 'Order Completed', properties: { total: 12 } }],
      ['page', { userId: 'u-all', name: 'Pricing', category: 'Docs', properties: { path: '/pricing' } }],
      ['screen', { userId: 'u-all', name: 'Home' }],
      ['group', { userId: 'u-all', groupId: 'acme', traits: { employees: 40 } }],
    ];
    for (const [type, body] of calls) {
      const res = await post(`/v1/${type}`, body);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toEqual({ success: true });
    }
    const contact = await contactOf('u-all');
    const rows = (await events()).filter((e) => e.contact_id === contact!.id);
    expect(rows.map((e) => [e.type, e.name])).toEqual([
      ['identify', 'identify'],
      ['track', 'Order Completed'],
      ['page', 'Pricing'],
      ['screen', 'Home'],
      ['group', 'group'],
    ]);
    expect(rows.map((e) => fromJson(e.properties))).toEqual([{ plan: 'pro' }, { total: 12 }, { path: '/pricing', category: 'Docs' }, {}, { employees: 40, groupId: 'acme' }]);
    expect(fromJson<{ ip: string }>(rows[1]!.context).ip).toBeTruthy();
  });

  it('identify merges traits into attributes and maps email, phone, timezone and locale', async () => {
    await post('/v1/identify', { userId: 'u-traits', traits: { name: 'Ada', plan: 'free' } });
    const res = await post('/v1/identify', {
      userId: 'u-traits',
      traits: { plan: 'pro', email: '  Ada@Example.COM ', phone: '+49 170 1234567' },
      context: { timezone: 'Europe/Berlin', locale: 'de-DE' },
    });
    expect(res.statusCode).toBe(200);
    const c = await contactOf('u-traits');
    expect(fromJson(c!.attributes)).toEqual({ name: 'Ada', plan: 'pro', email: '  Ada@Example.COM ', phone: '+491701234567' });
    expect([c!.email, c!.phone, c!.timezone, c!.locale]).toEqual(['ada@example.com', '+491701234567', 'Europe/Berlin', 'de-DE']);
    await post('/v1/identify', { userId: 'u-traits', context: { timezone: 'Mars/Olympus' } });
    expect((await contactOf('u-traits'))!.timezone).toBe('Europe/Berlin');
  });

  it('a value the database refuses (a NUL character in a property) is a 4xx, never a 500, and stores nothing partial', async () => {
    const before = (await events()).length;
    const res = await post('/v1/batch', {
      batch: [
        { type: 'track', userId: 'u-nul', event: 'Fine', messageId: 'nul-1' },
        { type: 'track', userId: 'u-nul', event: 'Odd', properties: { note: 'a\u0000b' }, messageId: 'nul-2' },
      ],
    });
    // SQLite stores NUL inside JSON text; PostgreSQL's jsonb refuses it (22P05). Either way: no 500.
    if (kind === 'postgres') {
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().error.code).toBe('invalid_value');
      expect((await events()).length).toBe(before);
    } else {
      expect(res.statusCode, res.body).toBe(200);
    }
  });

  it('accepts text/plain bodies as JSON (analytics.js beacons)', async () => {
    const res = await post('/v1/track', { anonymousId: 'beacon-1', event: 'Beacon' }, { ...t.write, 'content-type': 'text/plain;charset=UTF-8' });
    expect(res.statusCode, res.body).toBe(200);
    expect((await events()).some((e) => e.name === 'Beacon')).toBe(true);
  });

  it('accepts the write key as a Bearer token', async () => {
    const res = await post('/v1/track', { userId: 'u-bearer', event: 'Bearer' }, { authorization: `Bearer ${t.writeKey}` });
    expect(res.statusCode).toBe(200);
  });

  it('stores a batch of mixed calls in one request', async () => {
    const res = await post('/v1/batch', {
      batch: [
        { type: 'identify', userId: 'u-batch', traits: { email: 'batch@example.com' } },
        { type: 'track', userId: 'u-batch', event: 'Signed Up' },
        { type: 'page', anonymousId: 'anon-batch', name: 'Home' },
      ],
      context: { library: { name: 'test' } },
    });
    expect(res.statusCode, res.body).toBe(200);
    const c = await contactOf('u-batch');
    expect(c!.email).toBe('batch@example.com');
    const rows = (await events()).filter((e) => e.contact_id === c!.id);
    expect(rows.map((e) => e.name)).toEqual(['identify', 'Signed Up']);
    expect(fromJson<{ library: unknown }>(rows[1]!.context).library).toEqual({ name: 'test' });
  });

  it('rejects a call without userId or anonymousId, naming the field', async () => {
    const before = (await events()).length;
    const res = await post('/v1/track', { event: 'Nobody' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.issues).toContainEqual({ path: 'userId', message: 'userId or anonymousId is required' });
    expect((await events()).length).toBe(before);
  });

  it('names the path of wrong types, also inside a batch', async () => {
    const res = await post('/v1/track', { userId: 'u', event: 42, properties: 'x' });
    expect(res.statusCode).toBe(400);
    const paths = res.json().error.issues.map((i: { path: string }) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['event', 'properties']));
    const batch = await post('/v1/batch', {
      batch: [
        { type: 'track', userId: 'u', event: 'ok' },
        { type: 'track', event: 'x' },
        { type: 'nope', userId: 'u' },
      ],
    });
    expect(batch.statusCode).toBe(400);
    const batchPaths = batch.json().error.issues.map((i: { path: string }) => i.path);
    expect(batchPaths).toEqual(expect.arrayContaining(['batch.1.userId', 'batch.2.type']));
  });

  it('a batch with one bad item stores nothing', async () => {
    const before = (await events()).length;
    const items = Array.from({ length: 20 }, (_, i) => ({ type: 'track', userId: `u-atomic-${i}`, event: 'Fine' }));
    items[13] = { type: 'track', userId: 'u-atomic-13', timestamp: 'yesterday-ish' } as never;
    const res = await post('/v1/batch', { batch: items });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.issues.map((i: { path: string }) => i.path)).toEqual(expect.arrayContaining(['batch.13.event', 'batch.13.timestamp']));
    expect((await events()).length).toBe(before);
    expect(await contactOf('u-atomic-0')).toBeUndefined();
  });

  it('answers malformed JSON with 400', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/v1/track', headers: { ...t.write, 'content-type': 'application/json' }, payload: '{"userId": "u",' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('bad_request');
  });

  it('answers an oversize call and an oversize batch item or batch with 400 and the path', async () => {
    const big = 'x'.repeat(33 * 1024);
    const call = await post('/v1/track', { userId: 'u-big', event: 'Big', properties: { big } });
    expect(call.statusCode).toBe(400);
    expect(call.json().error.code).toBe('payload_too_large');
    const items = Array.from({ length: 13 }, (_, i) => ({ type: 'track', userId: 'u-big', event: `E${i}` }));
    items[12] = { type: 'track', userId: 'u-big', event: 'Big', properties: { big } } as never;
    const item = await post('/v1/batch', { batch: items });
    expect(item.statusCode).toBe(400);
    expect(item.json().error.issues).toEqual([expect.objectContaining({ path: 'batch.12' })]);
    const many = Array.from({ length: 30 }, (_, i) => ({ type: 'track', userId: 'u-big', event: `E${i}`, properties: { pad: 'y'.repeat(20 * 1024) } }));
    const batch = await post('/v1/batch', { batch: many });
    expect(batch.statusCode).toBe(400);
    expect(batch.json().error.code).toBe('payload_too_large');
    expect(await contactOf('u-big')).toBeUndefined();
  });

  it('answers 401 without a key, with an unknown key and with a revoked key', async () => {
    const none = await h.app.inject({ method: 'POST', url: '/v1/track', headers: { 'content-type': 'application/json' }, payload: '{}' });
    expect(none.statusCode).toBe(401);
    const unknown = await post('/v1/track', { userId: 'u', event: 'x' }, { authorization: `Basic ${Buffer.from('qw_nope:').toString('base64')}` });
    expect(unknown.statusCode).toBe(401);
    const other = await h.tenant();
    const key = (await listKeys(h.deps, other.workspaceId)).find((k) => k.kind === 'write')!;
    expect((await post('/v1/track', { userId: 'u', event: 'x' }, other.write)).statusCode).toBe(200);
    await revokeKey(h.deps, other.workspaceId, key.id);
    const revoked = await post('/v1/track', { userId: 'u', event: 'x' }, other.write);
    expect(revoked.statusCode).toBe(401);
  });

  it('stores one event for a messageId sent twice, answering 200 both times', async () => {
    const body = { messageId: 'msg-dup-1', userId: 'u-dup', event: 'Once' };
    expect((await post('/v1/track', body)).statusCode).toBe(200);
    expect((await post('/v1/track', body)).statusCode).toBe(200);
    const batch = await post('/v1/batch', {
      batch: [
        { ...body, type: 'track' },
        { ...body, type: 'track' },
        { ...body, messageId: 'msg-dup-2', type: 'track' },
      ],
    });
    expect(batch.statusCode).toBe(200);
    const rows = (await events()).filter((e) => e.message_id.startsWith('msg-dup-'));
    expect(rows.map((e) => e.message_id)).toEqual(['msg-dup-1', 'msg-dup-2']);
  });

  it('a replayed identify changes nothing: traits set after it stay, and no contact is created', async () => {
    const first = { type: 'identify', messageId: 'rep-1', userId: 'u-rep', traits: { plan: 'basic' } };
    expect((await post('/v1/batch', { batch: [first] })).statusCode).toBe(200);
    expect((await post('/v1/identify', { messageId: 'rep-2', userId: 'u-rep', traits: { plan: 'pro' } })).statusCode).toBe(200);
    // The replay shares its request with a new call of the same user: only the new one has an effect.
    const replay = await post('/v1/batch', { batch: [first, { type: 'track', messageId: 'rep-3', userId: 'u-rep', event: 'After' }] });
    expect(replay.statusCode).toBe(200);
    expect(fromJson<Record<string, unknown>>((await contactOf('u-rep'))!.attributes).plan).toBe('pro');
    // A call whose messageId is stored creates no contact, even when it names another user.
    expect((await post('/v1/identify', { messageId: 'rep-3', userId: 'u-rep-new', traits: { plan: 'x' } })).statusCode).toBe(200);
    expect(await contactOf('u-rep-new')).toBeUndefined();
    expect((await events()).filter((e) => e.message_id.startsWith('rep-')).map((e) => e.message_id)).toEqual(['rep-1', 'rep-2', 'rep-3']);
  });

  it('generates a messageId when the call has none', async () => {
    await post('/v1/track', { userId: 'u-gen', event: 'No Id' });
    await post('/v1/track', { userId: 'u-gen', event: 'No Id' });
    const rows = (await events()).filter((e) => e.name === 'No Id');
    expect(rows).toHaveLength(2);
    expect(rows[0]!.message_id).not.toBe(rows[1]!.message_id);
  });

  it('corrects client clock skew: timestamp = receivedAt − (sentAt − originalTimestamp)', async () => {
    const receivedAt = h.clock.now();
    // The client's clock is 1 hour fast; the call happened 5 s before it was sent.
    const sentAt = receivedAt + 3_600_000;
    const original = sentAt - 5_000;
    await post('/v1/track', {
      userId: 'u-skew',
      event: 'Skewed',
      messageId: 'skew-1',
      originalTimestamp: new Date(original).toISOString(),
      sentAt: new Date(sentAt).toISOString(),
    });
    await post('/v1/batch', {
      sentAt: new Date(sentAt).toISOString(),
      batch: [{ type: 'track', userId: 'u-skew', event: 'Skewed', messageId: 'skew-2', timestamp: new Date(original).toISOString() }],
    });
    await post('/v1/track', { userId: 'u-skew', event: 'Skewed', messageId: 'skew-3', timestamp: '2025-01-01T00:00:00Z' });
    await post('/v1/track', { userId: 'u-skew', event: 'Skewed', messageId: 'skew-4' });
    const rows = (await events()).filter((e) => e.name === 'Skewed');
    expect(rows.map((e) => e.timestamp)).toEqual([receivedAt - 5_000, receivedAt - 5_000, Date.UTC(2025, 0, 1), receivedAt]);
    expect(rows.every((e) => e.received_at === receivedAt)).toBe(true);
  });

  it('emits an event signal exactly for each newly stored event', async () => {
    const seen = tap.collect((s) => s.kind === 'event' && s.event.workspaceId === t.workspaceId);
    try {
      await post('/v1/track', { messageId: 'sig-1', userId: 'u-sig', event: 'Signal' });
      await post('/v1/batch', {
        batch: [
          { type: 'track', messageId: 'sig-1', userId: 'u-sig', event: 'Signal' },
          { type: 'track', messageId: 'sig-2', userId: 'u-sig', event: 'Signal' },
          { type: 'track', messageId: 'sig-2', userId: 'u-sig', event: 'Signal' },
          { type: 'identify', messageId: 'sig-3', userId: 'u-sig' },
        ],
      });
      await post('/v1/batch', { batch: [{ type: 'track', messageId: 'sig-bad', event: 'Signal' }] });
    } finally {
      tap.stop();
    }
    const stored = (await events()).filter((e) => e.message_id.startsWith('sig-'));
    const contact = await contactOf('u-sig');
    expect(seen.map((s) => (s.kind === 'event' ? [s.event.id, s.event.name, s.event.contactId] : null))).toEqual(stored.map((e) => [e.id, e.name, contact!.id]));
    expect(stored.map((e) => e.message_id)).toEqual(['sig-1', 'sig-2', 'sig-3']);
  });

  it('a request that creates contacts and stores events runs the sinks once, contacts first', async () => {
    const calls: Signal['kind'][][] = [];
    tap.listen((signals) => {
      const mine = signals.filter((s) => (s.kind === 'event' ? s.event.workspaceId : 'workspaceId' in s ? s.workspaceId : null) === t.workspaceId);
      if (mine.length > 0) calls.push(mine.map((s) => s.kind));
    });
    try {
      const batch = [
        { type: 'track', messageId: 'once-1', userId: 'u-once-a', event: 'Once' },
        { type: 'identify', messageId: 'once-2', userId: 'u-once-b', traits: { plan: 'pro' } },
      ];
      expect((await post('/v1/batch', { batch })).statusCode).toBe(200);
    } finally {
      tap.stop();
    }
    expect(calls).toEqual([['contact_created', 'contact_created', 'event', 'event']]);
  });

  it('concurrent requests for the same new user make one contact and store every event', async () => {
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => post('/v1/batch', { batch: [{ type: 'track', userId: 'u-race', anonymousId: `a-race-${i}`, event: 'Race', messageId: `race-${i}` }] })),
    );
    expect(results.map((r) => r.statusCode)).toEqual(Array(12).fill(200));
    const contacts = await h.deps.store.db.selectFrom('contacts').select('id').where('workspace_id', '=', t.workspaceId).where('user_id', '=', 'u-race').execute();
    expect(contacts).toHaveLength(1);
    const rows = (await events()).filter((e) => e.name === 'Race');
    expect(rows).toHaveLength(12);
    expect(new Set(rows.map((e) => e.contact_id))).toEqual(new Set([contacts[0]!.id]));
  });

  it.skipIf(kind !== 'postgres')('answers 503 and acknowledges nothing when PostgreSQL is unreachable', async () => {
    const { openStore } = await import('../store/store.js');
    const { buildApp } = await import('../api/app.js');
    const store = openStore({ databaseUrl: 'postgres://qatra:qatra@127.0.0.1:1/nowhere', pgPoolMax: 1 });
    const app = await buildApp({ ...h.deps, store });
    try {
      const res = await app.inject({ method: 'POST', url: '/v1/track', headers: { 'content-type': 'application/json', ...t.write }, payload: JSON.stringify({ userId: 'u', event: 'Lost' }) });
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBeDefined();
      expect(res.json()).not.toHaveProperty('success');
    } finally {
      await app.close();
      await store.close();
    }
  });

  it('publishes the /v1 routes in the OpenAPI document', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/openapi.json' });
    const paths = res.json().paths;
    for (const p of ['/v1/identify', '/v1/track', '/v1/page', '/v1/screen', '/v1/group', '/v1/alias', '/v1/batch']) {
      expect(paths[p]?.post, p).toBeDefined();
    }
    expect(paths['/v1/batch'].post.requestBody.content['application/json'].schema.properties.batch).toBeDefined();
  });
});
