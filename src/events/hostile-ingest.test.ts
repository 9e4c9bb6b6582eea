/**
 * The write key is public (it sits in every page that loads analytics.js), so whatever a browser can
 * send to /v1 is normal input: each of these is a clear 400 naming the field, stores nothing, and
 * costs the server little.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../test/harness.js';
import { MAX_BATCH_ITEMS } from './segment.js';

interface ErrorJson {
  error: { code: string; message: string; issues?: { path: string; message: string }[]; issueCount?: number };
}

describe.each(backends())('hostile ingestion on %s', (kind) => {
  let h: Harness;
  let t: Tenant;
  beforeAll(async () => {
    h = await createHarness(kind);
    t = await h.tenant();
  });
  afterAll(async () => h?.close());

  const send = (url: string, payload: string, headers: Record<string, string> = t.write) => h.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', ...headers }, payload });
  const post = (url: string, body: unknown, headers?: Record<string, string>) => send(url, JSON.stringify(body), headers);
  const paths = (res: { json(): unknown }) => ((res.json() as ErrorJson).error.issues ?? []).map((i) => i.path);
  const eventCount = async () => (await h.deps.store.db.selectFrom('events').select('id').where('workspace_id', '=', t.workspaceId).execute()).length;

  it('a lone surrogate in an id is a 400 naming the field every time; it used to be stored once, then 500 for ever', async () => {
    // JSON.stringify writes a lone surrogate as the escape `\ud83d`: exactly what an attacker sends.
    for (let i = 0; i < 2; i++) {
      const res = await post('/v1/identify', { userId: '\ud83dx', traits: { plan: 'pro' } });
      expect(res.statusCode, res.body).toBe(400);
      expect(paths(res)).toEqual(['body.userId']);
    }
    const item = await post('/v1/batch', {
      batch: [
        { type: 'track', userId: 'ok', event: 'e' },
        { type: 'track', anonymousId: 'a', event: 'e', properties: { ['k\udc00']: 1 } },
      ],
    });
    expect(item.statusCode, item.body).toBe(400);
    expect(paths(item)).toEqual(['body.batch.1.properties.k\ufffd']);
    const admin = await post('/api/contacts', { userId: 'x\udbff', email: 'lone@example.org' }, t.admin);
    expect(admin.statusCode, admin.body).toBe(400);
    expect(paths(admin)).toEqual(['body.userId']);
    expect(await eventCount()).toBe(0);
    expect(await h.deps.store.db.selectFrom('contacts').select('id').where('workspace_id', '=', t.workspaceId).execute()).toEqual([]);
    // A well-formed pair written as escapes (Python's json.dumps does) is text like any other.
    const pair = await send('/v1/track', '{"userId":"\\ud83d\\ude00-pair","event":"e"}');
    expect(pair.statusCode, pair.body).toBe(200);
    const contact = await h.deps.store.db.selectFrom('contacts').select('user_id').where('workspace_id', '=', t.workspaceId).executeTakeFirst();
    expect(contact?.user_id).toBe('\u{1F600}-pair');
  });

  it('impossible dates (2026-02-30, 24:00, April 31) are a 400 with the field path, not rolled over into another day', async () => {
    const before = await eventCount();
    const track = await post('/v1/track', { userId: 'u-date', event: 'e', timestamp: '2026-02-30T10:00:00Z' });
    expect(track.statusCode, track.body).toBe(400);
    expect(paths(track)).toEqual(['timestamp']);
    const batch = await post('/v1/batch', {
      sentAt: '2026-04-31T10:00:00Z',
      batch: [{ type: 'track', userId: 'u-date', event: 'e', originalTimestamp: '2026-01-05T24:00:00Z' }],
    });
    expect(batch.statusCode, batch.body).toBe(400);
    expect(paths(batch).sort()).toEqual(['batch.0.originalTimestamp', 'sentAt']);
    const simulate = await post('/api/journeys/nope/simulate', { contact: { attributes: {} }, start: '2026-02-29T09:00:00Z', events: [{ name: 'e', at: '2025-11-31T00:00:00Z' }] }, t.admin);
    expect(simulate.statusCode, simulate.body).toBe(400);
    expect(paths(simulate).sort()).toEqual(['body.events.0.at', 'body.start']);
    expect(await eventCount()).toBe(before);
    // A leap day that exists is stored as that day.
    const leap = await post('/v1/track', { userId: 'u-date', event: 'leap', timestamp: '2024-02-29T10:00:00+02:00' });
    expect(leap.statusCode, leap.body).toBe(200);
    const row = await h.deps.store.db.selectFrom('events').select('timestamp').where('workspace_id', '=', t.workspaceId).where('name', '=', 'leap').executeTakeFirstOrThrow();
    expect(Number(row.timestamp)).toBe(Date.UTC(2024, 1, 29, 8));
  });

  it(`a batch of more than ${MAX_BATCH_ITEMS} calls is one issue at \`batch\`, refused before any item is validated`, async () => {
    const res = await post('/v1/batch', { batch: Array.from({ length: MAX_BATCH_ITEMS + 1 }, () => 0) });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: 'validation_failed', issues: [{ path: 'batch' }], issueCount: 1 } });
  });

  it('a batch of bad calls stops being checked at the 20th; the body lists 20 issues and counts them, the message names three', async () => {
    const res = await post('/v1/batch', { batch: Array.from({ length: MAX_BATCH_ITEMS }, () => ({ type: 'identify', userId: [], anonymousId: [], timestamp: 1, sentAt: 1, context: 1, traits: 1 })) });
    expect(res.statusCode).toBe(400);
    expect(res.body.length).toBeLessThan(10_000);
    const { error } = res.json() as ErrorJson;
    expect(error.issues).toHaveLength(20);
    expect(error.issues![0]).toEqual({ path: 'batch', message: `checking stopped at 20 invalid calls; the ${MAX_BATCH_ITEMS - 20} after batch.19 were not checked` });
    expect(error.issues![1]!.path).toBe('batch.0.userId');
    expect(error.issueCount).toBe(1 + 20 * 6);
    expect(error.message).toMatch(/^batch: checking stopped .*; batch\.0\.userId: .*; batch\.0\.anonymousId: .*; and 118 more issues$/);
  });

  it("refused parts of a batch are all reported at once: the envelope's and the calls'", async () => {
    const res = await post('/v1/batch', { sentAt: 'soon', context: 1, batch: [{ type: 'track', userId: 'u' }, { type: 'fly' }] });
    expect(res.statusCode).toBe(400);
    expect(paths(res).sort()).toEqual(['batch.0.event', 'batch.1.type', 'context', 'sentAt']);
  });

  it('240,000 zeros in a 480 KB batch: a 400 of a few KB in well under a second (it was 35 MB and 4 s)', async () => {
    const payload = `{"batch":[${new Array(240_000).fill('0').join(',')}]}`;
    const started = performance.now();
    const res = await send('/v1/batch', payload);
    const ms = performance.now() - started;
    expect(res.statusCode).toBe(400);
    expect(res.body.length).toBeLessThan(10_000);
    expect(ms).toBeLessThan(500);
  });
});
