import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { postsTask } from './task.js';
import { signPost } from './webhook.js';
import { postsFixture, type PostsFixture } from './test-kit.js';
import { createSecretBox } from '../secrets/secret-box.js';
import { resealStoredSecrets } from '../secrets/reseal.js';
import { TEST_SECRET_KEY } from '../../test/secret-key.js';
import { acceptInvite, createInvite } from '../users/users.js';
import { createSession } from '../users/sessions.js';
import type { Role } from '../users/tables.js';

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 1)]);

describe.each(backends())('post series API on %s', (kind) => {
  let f: PostsFixture;
  beforeAll(async () => {
    f = await postsFixture(kind);
  });
  afterAll(async () => f?.close());

  const api = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
    f.h.app.inject({ method, url, headers: f.t.admin, ...(payload === undefined ? {} : { payload: payload as object }) });

  it('connecting a Mastodon account verifies the token and reads the server limit; tokens are never returned, and stored sealed', async () => {
    const res = await api('POST', '/api/post-accounts', { kind: 'mastodon', name: 'Second', settings: { serverUrl: f.mastodon.url }, secrets: { accessToken: f.mastodon.token } });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ kind: 'mastodon', settings: { serverUrl: f.mastodon.url, maxCharacters: 500, username: 'brand' }, secrets: { accessTokenSet: true } });
    const list = await api('GET', '/api/post-accounts');
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain(f.mastodon.token);
    expect(list.body).not.toContain(f.telegram.token);
    expect((await api('GET', `/api/post-accounts/${f.telegramId}`)).body).not.toContain(f.telegram.token);
    const rows = await f.h.deps.store.db.selectFrom('post_accounts').select('secrets').where('workspace_id', '=', f.t.workspaceId).execute();
    for (const r of rows) {
      expect(r.secrets).toMatch(/^v1:/);
      expect(r.secrets).not.toContain(f.mastodon.token);
    }
    // Key rotation: the start-up pass re-seals post account tokens under the new key too.
    const rotated = createSecretBox({ current: Buffer.alloc(32, 9), previous: TEST_SECRET_KEY });
    expect((await resealStoredSecrets({ store: f.h.deps.store, secretBox: rotated })).postAccounts).toBeGreaterThanOrEqual(rows.length);
    const after = await f.h.deps.store.db.selectFrom('post_accounts').select('secrets').where('workspace_id', '=', f.t.workspaceId).execute();
    expect(after.every((r) => rotated.isCurrent(r.secrets))).toBe(true);
    await resealStoredSecrets({ store: f.h.deps.store, secretBox: createSecretBox({ current: TEST_SECRET_KEY, previous: Buffer.alloc(32, 9) }) });
  });

  it('a token the server refuses (401) is a 400 naming the field, and nothing is stored', async () => {
    const before = (await api('GET', '/api/post-accounts')).json().data.length;
    const res = await api('POST', '/api/post-accounts', { kind: 'mastodon', name: 'Bad', settings: { serverUrl: f.mastodon.url }, secrets: { accessToken: 'wrong' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.issues[0]).toMatchObject({ path: 'body.secrets.accessToken' });
    expect(res.json().error.issues[0].message).toMatch(/refused the token/);
    const bad = await api('POST', '/api/post-accounts', { kind: 'telegram_channel', name: 'Bad', settings: { channel: 'not a channel' }, secrets: { botToken: 'x' } });
    expect(bad.statusCode).toBe(400);
    expect(
      bad
        .json()
        .error.issues.map((i: { path: string }) => i.path)
        .sort(),
    ).toEqual(['body.secrets.botToken', 'body.settings.channel']);
    expect((await api('GET', '/api/post-accounts')).json().data.length).toBe(before);
  });

  it("a post longer than a Mastodon server's limit, or a Telegram caption over 1024, is refused at save with its field path; nothing is stored", async () => {
    const image = await f.h.app.inject({ method: 'POST', url: '/api/post-images', headers: { ...f.t.admin, 'content-type': 'image/png' }, payload: PNG });
    expect(image.statusCode).toBe(201);
    const imageId = image.json().id as string;
    const res = await api('POST', '/api/post-series', {
      name: 'Too long',
      timezone: 'Asia/Tehran',
      accountIds: [f.mastodonId, f.telegramId],
      posts: [
        { text: 'ok', at: '2026-03-01T10:00' },
        { text: 'x'.repeat(501), at: '2026-03-02T10:00' },
        { text: 'y'.repeat(1100), images: [imageId], at: '2026-03-03T10:00' },
        { text: '{% if %}', at: '2026-03-04T10:00' },
        { text: 'no date' },
      ],
    });
    expect(res.statusCode).toBe(400);
    const issues = res.json().error.issues as Array<{ path: string; message: string }>;
    expect(issues.map((i) => i.path)).toEqual(['body.posts.4.at', 'body.posts.1.text', 'body.posts.2.text', 'body.posts.2.text', 'body.posts.3.text']);
    expect(issues[1]!.message).toBe('501 characters, over the limit of 500 on Mastodon account "Brand on Mastodon"');
    expect(issues.filter((i) => i.path === 'body.posts.2.text').map((i) => i.message)).toEqual(
      expect.arrayContaining([
        '1100 characters, over the limit of 1024 on Telegram account "Brand news" (a photo caption)',
        '1100 characters, over the limit of 500 on Mastodon account "Brand on Mastodon"',
      ]),
    );
    expect((await api('GET', '/api/post-series')).json().data.filter((s: { name: string }) => s.name === 'Too long')).toEqual([]);
  });

  it('hostile input is a 400, never a crash: a bad zone, a day that does not exist, an unknown account or image, a non-image upload', async () => {
    const res = await api('POST', '/api/post-series', {
      name: 'Bad',
      timezone: 'Mars/Olympus',
      accountIds: ['pacc_nope'],
      recurrence: { weekdays: ['tue'], time: '25:00', startsOn: '2026-02-30' },
      posts: [{ text: 'x', images: ['pimg_nope'] }],
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.issues.map((i: { path: string }) => i.path)).toEqual(
      expect.arrayContaining(['body.timezone', 'body.recurrence.time', 'body.recurrence.startsOn', 'body.recurrence.count']),
    );
    const unknown = await api('POST', '/api/post-series', { name: 'Bad', timezone: 'UTC', accountIds: ['pacc_nope'], posts: [{ text: 'x', images: ['pimg_nope'], at: '2026-01-01T00:00' }] });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.issues.map((i: { path: string }) => i.path)).toEqual(['body.accountIds.0', 'body.posts.0.images.0']);
    const notImage = await f.h.app.inject({ method: 'POST', url: '/api/post-images', headers: { ...f.t.admin, 'content-type': 'image/png' }, payload: Buffer.from('<svg onload=alert(1)>') });
    expect(notImage.statusCode).toBe(400);
    const tooMany = await api('POST', '/api/post-series', {
      name: 'Over',
      timezone: 'UTC',
      accountIds: [f.mastodonId],
      recurrence: { weekdays: ['mon'], time: '09:00', startsOn: '2026-01-05', count: 1 },
      posts: [{ text: 'a' }, { text: 'b' }],
    });
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json().error.issues[0].path).toBe('body.posts.1');
  });

  it('a series is created, listed and read with its calendar; a published post cannot be changed by a replace, the rest can', async () => {
    f.h.clock.set(Date.UTC(2026, 7, 1));
    const created = await api('POST', '/api/post-series', {
      name: 'Editable',
      timezone: 'Asia/Tehran',
      accountIds: [f.mastodonId],
      recurrence: { weekdays: ['sat', 'tue'], time: '18:30', startsOn: '2026-08-01', count: 4 },
      posts: [{ text: 'one' }, { text: 'two' }],
    });
    expect(created.statusCode).toBe(201);
    const s = created.json();
    expect(s.posts.map((p: { dueLocal: string }) => p.dueLocal)).toEqual(['2026-08-01 18:30', '2026-08-04 18:30']);
    f.h.clock.set(Date.UTC(2026, 7, 1, 15));
    const task = postsTask(f.runtime());
    while ((await task.tick()) > 0);
    const body = { name: 'Editable', timezone: 'Asia/Tehran', accountIds: [f.mastodonId], recurrence: { weekdays: ['sat', 'tue'], time: '18:30', startsOn: '2026-08-01', count: 4 } };
    const refused = await api('PUT', `/api/post-series/${s.id}`, { ...body, posts: [{ text: 'ONE' }, { text: 'two' }] });
    expect(refused.statusCode).toBe(409);
    const replaced = await api('PUT', `/api/post-series/${s.id}`, { ...body, posts: [{ text: 'one' }, { text: 'TWO' }, { text: 'three' }] });
    expect(replaced.statusCode).toBe(200);
    expect(replaced.json().posts.map((p: { text: string; deliveries: Array<{ status: string }> }) => [p.text, p.deliveries[0]!.status])).toEqual([
      ['one', 'published'],
      ['TWO', 'pending'],
      ['three', 'pending'],
    ]);
    expect((await api('GET', '/api/post-series')).json().data.find((x: { id: string }) => x.id === s.id)).toMatchObject({ posts: 3 });
    expect((await api('DELETE', `/api/post-accounts/${f.mastodonId}`)).statusCode).toBe(409);
  });

  it('a webhook account gets each post once, signed over timestamp and body, with its idempotency key', async () => {
    const received: Array<{ headers: http.IncomingHttpHeaders; body: string }> = [];
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(received.length === 1 ? 503 : 200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: 'remote-1' }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const secret = 'a-signing-secret-of-32-characters!';
      const account = await api('POST', '/api/post-accounts', {
        kind: 'webhook',
        name: 'Other network',
        settings: { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook` },
        secrets: { signingSecret: secret },
      });
      expect(account.statusCode).toBe(201);
      expect(account.body).not.toContain(secret);
      f.h.clock.set(Date.UTC(2026, 8, 1));
      const s = await api('POST', '/api/post-series', { name: 'Hooked', timezone: 'UTC', accountIds: [account.json().id], posts: [{ text: 'To the webhook', at: '2026-09-01T09:00' }] });
      expect(s.statusCode).toBe(201);
      f.h.clock.set(Date.UTC(2026, 8, 1, 9));
      const task = postsTask(f.runtime());
      while ((await task.tick()) > 0);
      f.h.clock.advance(3 * 3_600_000);
      while ((await task.tick()) > 0);
      expect(received).toHaveLength(2);
      for (const r of received) {
        expect(r.headers['x-qatra-signature']).toBe(signPost(String(r.headers['x-qatra-timestamp']), r.body, secret));
        expect(r.headers['idempotency-key']).toBe(received[0]!.headers['idempotency-key']);
      }
      expect(JSON.parse(received[1]!.body).post.text).toBe('To the webhook');
      const view = (await api('GET', `/api/post-series/${s.json().id}`)).json();
      expect(view.posts[0].deliveries[0]).toMatchObject({ status: 'published', remoteId: 'remote-1', attempts: 2 });
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('a signed-in editor creates, edits and deletes a series and uploads its images; a viewer only reads; neither connects accounts', async () => {
    const browser = async (role: Role) => {
      const invite = await createInvite(f.h.deps, { workspaceId: f.t.workspaceId, role, email: `${role}-${Math.random().toString(36).slice(2)}@example.com` });
      const done = await acceptInvite(f.h.deps, { token: invite.token, password: 'correct horse battery' });
      const s = await createSession(f.h.deps, done.user.id, f.t.workspaceId);
      return { cookie: `qatra_session=${s.token}`, 'x-csrf-token': s.csrfToken };
    };
    const [editor, viewer] = [await browser('editor'), await browser('viewer')];
    const as = (headers: Record<string, string>, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
      f.h.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
    const body = { name: 'By an editor', timezone: 'UTC', accountIds: [f.mastodonId], posts: [{ text: 'one', at: '2027-01-05T10:00' }] };

    const refused = await as(viewer, 'POST', '/api/post-series', body);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.message).toMatch(/viewer.*editor/);
    const created = await as(editor, 'POST', '/api/post-series', body);
    expect(created.statusCode).toBe(201);
    const id = created.json().id as string;
    expect((await as(viewer, 'GET', `/api/post-series/${id}`)).statusCode).toBe(200);
    expect((await as(viewer, 'PUT', `/api/post-series/${id}`, { ...body, name: 'Viewer was here' })).statusCode).toBe(403);
    expect((await as(editor, 'PUT', `/api/post-series/${id}`, { ...body, name: 'Edited' })).json()).toMatchObject({ name: 'Edited' });
    const image = await f.h.app.inject({ method: 'POST', url: '/api/post-images', headers: { ...editor, 'content-type': 'image/png' }, payload: PNG });
    expect(image.statusCode).toBe(201);
    expect((await f.h.app.inject({ method: 'POST', url: '/api/post-images', headers: { ...viewer, 'content-type': 'image/png' }, payload: PNG })).statusCode).toBe(403);
    const account = { kind: 'mastodon', name: 'Editor account', settings: { serverUrl: f.mastodon.url }, secrets: { accessToken: f.mastodon.token } };
    expect((await as(editor, 'POST', '/api/post-accounts', account)).statusCode).toBe(403);
    expect((await as(viewer, 'DELETE', `/api/post-series/${id}`)).statusCode).toBe(403);
    expect((await as(editor, 'DELETE', `/api/post-series/${id}`)).statusCode).toBe(204);
    expect((await as(viewer, 'GET', `/api/post-series/${id}`)).statusCode).toBe(404);
  });
});
