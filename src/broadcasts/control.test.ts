import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { countingChannel } from '../channels/counting/counting.js';
import type { Contact } from '../contacts/contact.js';
import { broadcastFixture, type BroadcastFixture } from './test-kit.js';

const counting = { channel: 'counting', template: null } as const;

describe.each(backends())('broadcast pause, resume, cancel, throttle and local time on %s', (kind) => {
  let f: BroadcastFixture;
  beforeAll(async () => {
    // Batches of 3 so that a test can stop between batches.
    f = await broadcastFixture(kind, {}, 3);
  });
  afterAll(async () => f?.close());

  async function audience(prefix: string, n: number, timezone?: (i: number) => string | undefined): Promise<{ listId: string; contacts: Contact[] }> {
    const contacts: Contact[] = [];
    for (let i = 0; i < n; i++) contacts.push(await f.contact(`${prefix}-${i}@example.com`, timezone?.(i)));
    return { listId: await f.list(contacts), contacts };
  }

  async function sentFor(broadcastId: string): Promise<number> {
    const rows = await f.h.deps.store.db.selectFrom('channel_counting_sends').select('idempotency_key').where('idempotency_key', 'like', `broadcast:${broadcastId}:%`).execute();
    expect(new Set(rows.map((r) => r.idempotency_key)).size).toBe(rows.length); // never twice
    return rows.length;
  }

  it('pause stops sending between batches, resume goes on, cancel stops for good; wrong moves answer 409 on status', async () => {
    const { listId } = await audience('ctl', 10);
    const { task } = f.worker([countingChannel(f.h.deps)]);
    const b = await f.launch({ ...counting, audience: { type: 'list', id: listId } });
    // Scheduled but not started: still editable (issue 21); once sending: 409.
    expect((await f.api('PATCH', `/api/broadcasts/${b.id}`, { name: 'edit before start' })).statusCode).toBe(200);
    await task.tick(); // starts it and sends the first batch
    expect(await sentFor(b.id)).toBe(3);
    expect((await f.api('PATCH', `/api/broadcasts/${b.id}`, { name: 'late edit' })).statusCode).toBe(409);
    const paused = await f.api('POST', `/api/broadcasts/${b.id}/pause`);
    expect(paused.json().status).toBe('paused');
    await f.drain(task);
    expect(await sentFor(b.id)).toBe(3);
    expect((await f.get(b.id)).progress).toEqual({ total: 10, sent: 3, failed: 0, skipped: 0, remaining: 7 });
    expect((await f.api('POST', `/api/broadcasts/${b.id}/resume`)).json().status).toBe('sending');
    await task.tick();
    expect(await sentFor(b.id)).toBe(6);
    expect((await f.api('POST', `/api/broadcasts/${b.id}/cancel`)).json().status).toBe('cancelled');
    await f.drain(task);
    expect(await sentFor(b.id)).toBe(6);
    const done = await f.get(b.id);
    expect(done.status).toBe('cancelled');
    expect(done.progress).toEqual({ total: 10, sent: 6, failed: 0, skipped: 0, remaining: 4 });
    for (const verb of ['pause', 'resume', 'cancel', 'schedule']) {
      const res = await f.api('POST', `/api/broadcasts/${b.id}/${verb}`, {});
      expect(res.statusCode).toBe(409);
      expect(res.json().error.issues[0].path).toBe('status');
    }
  });

  it('a broadcast paused before it starts takes no snapshot until resumed', async () => {
    const { listId } = await audience('early-pause', 2);
    const { task } = f.worker([countingChannel(f.h.deps)]);
    const b = await f.launch({ ...counting, audience: { type: 'list', id: listId } });
    await f.api('POST', `/api/broadcasts/${b.id}/pause`);
    await f.drain(task);
    expect((await f.get(b.id)).progress.total).toBe(0);
    expect((await f.api('POST', `/api/broadcasts/${b.id}/resume`)).json().status).toBe('scheduled');
    await f.drain(task);
    expect(await f.get(b.id)).toMatchObject({ status: 'completed', progress: { total: 2, sent: 2 } });
  });

  it('the throttle holds across two workers: at most ratePerSecond messages per second of clock time', async () => {
    const { listId } = await audience('rate', 11);
    const one = f.worker([countingChannel(f.h.deps)], 'w1').task;
    const two = f.worker([countingChannel(f.h.deps)], 'w2').task;
    const b = await f.launch({ ...counting, audience: { type: 'list', id: listId }, ratePerSecond: 2 });
    const t0 = f.h.clock.now();
    const seen: number[] = [];
    for (let second = 0; second < 8; second++) {
      f.h.clock.set(t0 + second * 1000);
      // Both workers tick several times within the same second: only 2 may go.
      for (let i = 0; i < 3; i++) {
        await one.tick();
        await two.tick();
      }
      seen.push(await sentFor(b.id));
    }
    expect(seen).toEqual([2, 4, 6, 8, 10, 11, 11, 11]);
    expect((await f.get(b.id)).status).toBe('completed');
  });

  it("localTime delivers at 09:00 in each contact's own zone, the workspace zone for contacts without one", async () => {
    // 2026-01-05 12:00 UTC is 07:00 in New York and 15:30 in Tehran.
    const start = Date.UTC(2026, 0, 5, 12, 0);
    f.h.clock.set(start);
    const zones = ['America/New_York', 'Asia/Tehran', undefined];
    const { listId, contacts } = await audience('tz', 3, (i) => zones[i]);
    const { task } = f.worker([countingChannel(f.h.deps)]);
    const b = await f.launch({ ...counting, audience: { type: 'list', id: listId }, localTime: '09:00' });
    await f.drain(task);
    expect(await sentFor(b.id)).toBe(0);
    const expected = [Date.UTC(2026, 0, 5, 14, 0), Date.UTC(2026, 0, 6, 5, 30), Date.UTC(2026, 0, 6, 9, 0)];
    for (const [i, at] of expected.entries()) {
      f.h.clock.set(at - 1);
      await f.drain(task);
      expect(await sentFor(b.id)).toBe(i);
      f.h.clock.set(at);
      await f.drain(task);
      expect(await sentFor(b.id)).toBe(i + 1);
      const row = await f.h.deps.store.db.selectFrom('channel_counting_sends').select('sent_at').where('idempotency_key', '=', `broadcast:${b.id}:${contacts[i]!.id}`).executeTakeFirstOrThrow();
      expect(Number(row.sent_at)).toBe(at);
    }
    expect((await f.get(b.id)).status).toBe('completed');
  });

  it('quiet hours defer a recipient to the end of the window in its zone; a frequency cap skips when asked to', async () => {
    // 2026-01-05 18:00 UTC: 21:30 in Tehran (quiet), 13:00 in New York (not).
    const start = Date.UTC(2026, 0, 5, 18, 0);
    f.h.clock.set(start);
    const { listId, contacts } = await audience('quiet', 2, (i) => ['Asia/Tehran', 'America/New_York'][i]);
    const { task } = f.worker([countingChannel(f.h.deps)]);
    const b = await f.launch({ ...counting, audience: { type: 'list', id: listId }, quietHours: { start: '21:00', end: '08:00', outcome: 'defer' } });
    await f.drain(task);
    expect(await sentFor(b.id)).toBe(1);
    const tehran = await f.h.deps.store.db
      .selectFrom('broadcast_recipients')
      .select(['due_at', 'status'])
      .where('broadcast_id', '=', b.id)
      .where('contact_id', '=', contacts[0]!.id)
      .executeTakeFirstOrThrow();
    expect(tehran.status).toBe('pending');
    expect(Number(tehran.due_at)).toBe(Date.UTC(2026, 0, 6, 4, 30)); // 08:00 Tehran
    f.h.clock.set(Date.UTC(2026, 0, 6, 4, 30));
    await f.drain(task);
    expect(await sentFor(b.id)).toBe(2);

    // Both contacts got one marketing message in the last day: a cap of 1 per day skips them.
    const capped = await f.launch({ ...counting, audience: { type: 'list', id: listId }, frequencyCap: { max: 1, per: '1d', outcome: 'skip' } });
    await f.drain(task);
    expect((await f.get(capped.id)).progress).toEqual({ total: 2, sent: 0, failed: 0, skipped: 2, remaining: 0 });
  });
});
