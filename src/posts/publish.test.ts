import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { createSeries } from './series.js';
import { getSeries } from './read.js';
import { postsTask } from './task.js';
import { postsFixture, type PostsFixture } from './test-kit.js';

const HOUR = 3_600_000;
const WEEK = 7 * 86_400_000;

describe.each(backends())('publishing post series on %s', (kind) => {
  let f: PostsFixture;
  beforeAll(async () => {
    f = await postsFixture(kind);
  });
  afterAll(async () => f?.close());

  const drain = async (task = postsTask(f.runtime())) => {
    let n = 0;
    while ((await task.tick()) > 0 && n < 50) n++;
  };

  it('a weekly series (Tuesday 10:00 Asia/Tehran) publishes each post once per account when due, week after week, with tracked links', async () => {
    f.h.clock.set(Date.UTC(2026, 0, 5, 12));
    const statusesBefore = f.mastodon.statuses.length;
    const messagesBefore = f.telegram.messages.length;
    const id = await createSeries(f.deps, f.t.workspaceId, {
      name: 'Winter tips',
      timezone: 'Asia/Tehran',
      accountIds: [f.mastodonId, f.telegramId],
      recurrence: { weekdays: ['tue'], time: '10:00', startsOn: '2026-01-05', count: 8 },
      posts: [{ text: 'Tip {{ post.number }}/{{ post.total }} of {{ series.name }}: https://shop.example/tips/1' }, { text: 'Tip {{ post.number }} on {{ post.date }}' }, { text: 'Tip 3' }],
    });
    const task = postsTask(f.runtime());
    await drain(task);
    expect(f.mastodon.statuses.length - statusesBefore).toBe(0);

    f.h.clock.set(Date.UTC(2026, 0, 6, 6, 29)); // 09:59 in Tehran
    await drain(task);
    expect(f.mastodon.statuses.length - statusesBefore).toBe(0);

    f.h.clock.set(Date.UTC(2026, 0, 6, 6, 30)); // 10:00 in Tehran
    await drain(task);
    await drain(task);
    const first = f.mastodon.statuses.slice(statusesBefore);
    expect(first).toHaveLength(1);
    expect(first[0]!.text).toMatch(/^Tip 1\/3 of Winter tips: https:\/\/q\.example\/sp\/[0-9A-Za-z]{11}$/);
    expect(first[0]!.idempotencyKey).toMatch(/^post:post_\w+:pacc_\w+$/);
    expect(f.telegram.messages.slice(messagesBefore).map((m) => m.text)).toEqual([first[0]!.text]);

    // The tracked link counts a click and leads to the link with its UTM parameters.
    const token = first[0]!.text.split('/sp/')[1]!;
    const click = await f.h.app.inject({ method: 'GET', url: `/sp/${token}` });
    expect(click.statusCode).toBe(302);
    expect(click.headers.location).toBe('https://shop.example/tips/1?utm_source=qatra&utm_medium=social&utm_campaign=winter-tips&utm_content=post-1');
    expect((await f.h.app.inject({ method: 'GET', url: `/sp/${token.slice(0, 10)}X` })).statusCode).toBe(404);

    f.h.clock.advance(WEEK);
    await drain(task);
    f.h.clock.advance(WEEK);
    await drain(task);
    f.h.clock.advance(WEEK);
    await drain(task);
    const all = f.mastodon.statuses.slice(statusesBefore);
    expect(all.map((s) => s.text.slice(0, 30))).toEqual(['Tip 1/3 of Winter tips: https:', 'Tip 2 on 2026-01-13 10:00', 'Tip 3']);
    expect(f.telegram.messages.length - messagesBefore).toBe(3);

    const view = await getSeries(f.deps, f.t.workspaceId, id);
    expect(view.posts.map((p) => p.dueLocal)).toEqual(['2026-01-06 10:00', '2026-01-13 10:00', '2026-01-20 10:00']);
    expect(view.figures).toMatchObject({ published: 6, pending: 0, failed: 0, clicks: 1 });
    expect(view.posts[0]!.deliveries.every((d) => d.status === 'published' && d.remoteId)).toBe(true);
  });

  it('a worker killed between the call and its record does not post twice: Mastodon gets the same Idempotency-Key and answers the same status; Telegram is left unknown', async () => {
    f.h.clock.set(Date.UTC(2026, 3, 1, 8));
    const id = await createSeries(f.deps, f.t.workspaceId, { name: 'Crash', timezone: 'UTC', accountIds: [f.mastodonId, f.telegramId], posts: [{ text: 'Posted once only', at: '2026-04-01T09:00' }] });
    f.h.clock.set(Date.UTC(2026, 3, 1, 9));
    const calls = f.mastodon.statusCalls;
    const messages = f.telegram.messages.length;
    // A worker that dies after every call, before recording it; one delivery per claim.
    const dying = postsTask(
      f.runtime({
        batchSize: 1,
        afterCall: () => {
          throw new Error('killed');
        },
      }),
    );
    await expect(dying.tick()).rejects.toThrow('killed');
    await expect(dying.tick()).rejects.toThrow('killed');
    expect(f.mastodon.statusCalls - calls).toBe(1);
    expect(f.telegram.messages.length - messages).toBe(1);
    // Other workers while the leases hold: nothing is taken.
    await drain();
    expect(f.mastodon.statusCalls - calls).toBe(1);

    f.h.clock.advance(10 * 60_000); // past the lease
    await drain();
    // Mastodon was called again with the same key and made no second status.
    expect(f.mastodon.statusCalls - calls).toBe(2);
    expect(f.mastodon.statuses.filter((s) => s.text === 'Posted once only')).toHaveLength(1);
    // Telegram was not called again.
    expect(f.telegram.messages.filter((m) => m.text === 'Posted once only')).toHaveLength(1);
    const view = await getSeries(f.deps, f.t.workspaceId, id);
    const byAccount = Object.fromEntries(view.posts[0]!.deliveries.map((d) => [d.accountId, d]));
    expect(byAccount[f.mastodonId]).toMatchObject({ status: 'published', remoteId: f.mastodon.statuses.find((s) => s.text === 'Posted once only')!.id });
    expect(byAccount[f.telegramId]!.status).toBe('unknown');
    expect(byAccount[f.telegramId]!.reason).toMatch(/outcome unknown/);
  });

  it('429 is retried after X-RateLimit-Reset (Mastodon) or retry_after (Telegram), not before', async () => {
    f.h.clock.set(Date.UTC(2026, 4, 1, 8));
    const id = await createSeries(f.deps, f.t.workspaceId, {
      name: 'Busy',
      timezone: 'UTC',
      accountIds: [f.mastodonId, f.telegramId],
      posts: [{ text: 'After the rate limit', at: '2026-05-01T09:00' }],
    });
    f.h.clock.set(Date.UTC(2026, 4, 1, 9));
    f.mastodon.statusAnswers.push({ status: 429, body: { error: 'Too many requests' }, headers: { 'X-RateLimit-Reset': new Date(Date.UTC(2026, 4, 1, 9, 5)).toISOString() } });
    f.telegram.sendAnswers.push({ error_code: 429, description: 'Too Many Requests: retry after 120', parameters: { retry_after: 120 } });
    await drain();
    let view = await getSeries(f.deps, f.t.workspaceId, id);
    const due = Object.fromEntries(view.posts[0]!.deliveries.map((d) => [d.accountId, d]));
    expect(due[f.mastodonId]).toMatchObject({ status: 'pending', attempts: 1, dueAt: Date.UTC(2026, 4, 1, 9, 5) });
    expect(due[f.mastodonId]!.reason).toMatch(/429/);
    expect(due[f.telegramId]).toMatchObject({ status: 'pending', attempts: 1, dueAt: Date.UTC(2026, 4, 1, 9, 2) });
    f.h.clock.set(Date.UTC(2026, 4, 1, 9, 1));
    await drain();
    expect(f.mastodon.statuses.some((s) => s.text === 'After the rate limit')).toBe(false);
    f.h.clock.set(Date.UTC(2026, 4, 1, 9, 5));
    await drain();
    view = await getSeries(f.deps, f.t.workspaceId, id);
    expect(view.posts[0]!.deliveries.map((d) => d.status)).toEqual(['published', 'published']);
    expect(f.mastodon.statuses.filter((s) => s.text === 'After the rate limit')).toHaveLength(1);
    expect(f.telegram.messages.filter((m) => m.text === 'After the rate limit')).toHaveLength(1);
  });

  it('a revoked token (401) and a refusal (422 too long, 403 bot removed) stop at once with the reason, not retried', async () => {
    f.h.clock.set(Date.UTC(2026, 5, 1, 8));
    const id = await createSeries(f.deps, f.t.workspaceId, {
      name: 'Refused',
      timezone: 'UTC',
      accountIds: [f.mastodonId, f.telegramId],
      posts: [
        { text: 'Never', at: '2026-06-01T09:00' },
        { text: 'Also never', at: '2026-06-01T10:00' },
      ],
    });
    f.h.clock.set(Date.UTC(2026, 5, 1, 9));
    f.mastodon.statusAnswers.push({ status: 401, body: { error: 'The access token was revoked' } });
    f.telegram.sendAnswers.push({ error_code: 403, description: 'Forbidden: bot was kicked from the channel chat' });
    await drain();
    f.h.clock.set(Date.UTC(2026, 5, 1, 10));
    f.mastodon.statusAnswers.push({ status: 422, body: { error: 'Validation failed: Text character limit of 500 exceeded' } });
    f.telegram.sendAnswers.push({ error_code: 401, description: 'Unauthorized' });
    await drain();
    f.h.clock.advance(30 * 86_400_000);
    const calls = f.mastodon.statusCalls;
    await drain();
    expect(f.mastodon.statusCalls).toBe(calls);
    const view = await getSeries(f.deps, f.t.workspaceId, id);
    const reasons = view.posts.flatMap((p) => p.deliveries.map((d) => [d.status, d.attempts, d.reason]));
    expect(reasons).toEqual(
      expect.arrayContaining([
        ['failed', 1, 'HTTP 401: The access token was revoked'],
        ['failed', 1, 'Telegram 403: Forbidden: bot was kicked from the channel chat'],
        ['failed', 1, 'HTTP 422: Validation failed: Text character limit of 500 exceeded'],
        ['failed', 1, 'Telegram 401: Unauthorized'],
      ]),
    );
  });

  it("engagement is read back from Mastodon on schedule (favourites, boosts, replies) and summed per post and series; Telegram's stay null", async () => {
    f.h.clock.set(Date.UTC(2026, 6, 1, 8));
    const id = await createSeries(f.deps, f.t.workspaceId, { name: 'Liked', timezone: 'UTC', accountIds: [f.mastodonId, f.telegramId], posts: [{ text: 'Like me', at: '2026-07-01T09:00' }] });
    f.h.clock.set(Date.UTC(2026, 6, 1, 9));
    await drain();
    const status = f.mastodon.statuses.find((s) => s.text === 'Like me')!;
    Object.assign(status, { favourites: 7, reblogs: 2, replies: 3 });
    f.h.clock.advance(30 * 60_000);
    await drain();
    let view = await getSeries(f.deps, f.t.workspaceId, id);
    expect(view.figures.favourites).toBe(0);
    f.h.clock.advance(31 * 60_000); // past 1 h
    await drain();
    view = await getSeries(f.deps, f.t.workspaceId, id);
    expect(view.posts[0]!.figures).toMatchObject({ favourites: 7, reblogs: 2, replies: 3, views: null });
    expect(view.figures).toMatchObject({ favourites: 7, reblogs: 2, replies: 3 });
    const tg = view.posts[0]!.deliveries.find((d) => d.accountId === f.telegramId)!;
    expect(tg).toMatchObject({ favourites: null, views: null, engagementAt: null });
    Object.assign(status, { favourites: 9 });
    f.h.clock.advance(6 * HOUR);
    await drain();
    view = await getSeries(f.deps, f.t.workspaceId, id);
    expect(view.posts[0]!.figures.favourites).toBe(9);
  });
});

describe.each(backends())('publishing posts with several workers on %s', (kind) => {
  let f: PostsFixture;
  beforeAll(async () => {
    f = await postsFixture(kind);
  });
  afterAll(async () => f?.close());

  it('three workers ticking at once publish each of 12 due posts exactly once per account, images uploaded as media (Mastodon) and photos (Telegram)', async () => {
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(200, 3)]);
    const upload = await f.h.app.inject({ method: 'POST', url: '/api/post-images', headers: { ...f.t.admin, 'content-type': 'image/png' }, payload: png });
    expect(upload.statusCode).toBe(201);
    const imageId = upload.json().id as string;
    f.h.clock.set(Date.UTC(2026, 9, 1));
    await createSeries(f.deps, f.t.workspaceId, {
      name: 'Parallel',
      timezone: 'UTC',
      accountIds: [f.mastodonId, f.telegramId],
      posts: Array.from({ length: 12 }, (_, i) => ({ text: `Parallel ${i}`, images: i === 0 ? [imageId] : [], at: '2026-10-01T09:00' })),
    });
    f.h.clock.set(Date.UTC(2026, 9, 1, 9));
    const workers = [0, 1, 2].map(() => postsTask(f.runtime({ batchSize: 2 })));
    for (let round = 0; round < 10; round++) {
      const handled = await Promise.all(workers.map((w) => w.tick()));
      if (handled.every((n) => n === 0)) break;
    }
    const texts = f.mastodon.statuses.map((s) => s.text).filter((t) => t.startsWith('Parallel'));
    expect(texts.sort()).toEqual(Array.from({ length: 12 }, (_, i) => `Parallel ${i}`).sort());
    expect(f.telegram.messages.filter((m) => (m.text ?? m.caption ?? '').startsWith('Parallel'))).toHaveLength(12);
    const withImage = f.mastodon.statuses.find((s) => s.text === 'Parallel 0')!;
    expect(withImage.mediaIds).toHaveLength(1);
    expect(f.mastodon.media.find((m) => m.id === withImage.mediaIds[0])!.bytes).toBeGreaterThan(png.length);
    const photo = f.telegram.messages.find((m) => m.caption === 'Parallel 0')!;
    expect(photo.photoBytes).toBe(png.length);
  });

  it('a Telegram post with several images goes out as one album (sendMediaGroup), the caption on its first photo; more than 10 is refused at save', async () => {
    const png = (n: number) => Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(100 + n, n)]);
    const ids: string[] = [];
    for (let i = 0; i < 11; i++) {
      const upload = await f.h.app.inject({ method: 'POST', url: '/api/post-images', headers: { ...f.t.admin, 'content-type': 'image/png' }, payload: png(i) });
      expect(upload.statusCode).toBe(201);
      ids.push(upload.json().id as string);
    }
    const tooMany = await f.h.app.inject({
      method: 'POST',
      url: '/api/post-series',
      headers: f.t.admin,
      payload: { name: 'Album', timezone: 'UTC', accountIds: [f.telegramId], posts: [{ text: 'Eleven', images: ids, at: '2026-11-01T09:00' }] },
    });
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json().error.issues[0].path).toBe('body.posts.0.images');

    f.h.clock.set(Date.UTC(2026, 10, 1));
    const id = await createSeries(f.deps, f.t.workspaceId, {
      name: 'Album',
      timezone: 'UTC',
      accountIds: [f.telegramId],
      posts: [{ text: 'Our new collection', images: ids.slice(0, 3), at: '2026-11-01T09:00' }],
    });
    const before = f.telegram.messages.length;
    const calls = f.telegram.sendCalls;
    f.h.clock.set(Date.UTC(2026, 10, 1, 9));
    const task = postsTask(f.runtime());
    for (let round = 0; round < 10 && (await task.tick()) > 0; round++);
    expect(f.telegram.sendCalls - calls).toBe(1);
    const album = f.telegram.messages.slice(before);
    expect(album.map((m) => [m.caption, m.photoBytes])).toEqual([
      ['Our new collection', png(0).length],
      [null, png(1).length],
      [null, png(2).length],
    ]);
    expect(new Set(album.map((m) => m.groupOf))).toEqual(new Set([album[0]!.messageId]));
    const view = await getSeries(f.deps, f.t.workspaceId, id);
    expect(view.posts[0]!.deliveries[0]).toMatchObject({ status: 'published', remoteId: String(album[0]!.messageId), remoteUrl: `https://t.me/brandnews/${album[0]!.messageId}` });
  });
});
