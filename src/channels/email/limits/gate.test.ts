import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../../test/backends.js';
import { startSmtpSink, type SmtpSink } from '../../../../test/smtp-sink.js';
import type { Contact } from '../../../contacts/contact.js';
import type { SendRequest, SendResult } from '../../channel.js';
import { createEmailChannel, type EmailChannel } from '../channel.js';
import { parseEmailEnv } from '../env.js';
import { emailKit, PUBLIC_URL, type EmailKit } from '../test-kit.js';
import { SLOT_LEASE_MS } from './slots.js';

const MIN = 60_000;
/** 2026-12-07 10:00:00 UTC: a minute's (and an hour's) first millisecond. */
const T0 = Date.UTC(2026, 11, 7, 10, 0, 0);
const NEXT_DAY = Date.UTC(2026, 11, 8);

const smtp = (port: number) => ({ smtp: { host: '127.0.0.1', port, maxConnections: 2, timeoutSeconds: 5 } });

describe.each(backends())('throttles, warm-up and 4xx deferrals shared by every sender on %s', (kind) => {
  let k: EmailKit;
  let other: EmailChannel;
  let backup: SmtpSink;
  const put = async (payload: object) => {
    const res = await k.h.app.inject({ method: 'PUT', url: '/api/email/providers', headers: k.t.admin, payload });
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  const get = async () => (await k.h.app.inject({ method: 'GET', url: '/api/email/providers', headers: k.t.admin })).json();
  const record = (key: string) => k.h.deps.store.db.selectFrom('messages').selectAll().where('idempotency_key', '=', key).executeTakeFirstOrThrow();
  const request = (contact: Contact, key: string, kind: 'marketing' | 'transactional' = 'marketing'): SendRequest => ({
    workspaceId: k.t.workspaceId,
    contact,
    idempotencyKey: key,
    config: { template: kind === 'marketing' ? 'welcome-1' : 'receipt' },
    context: kind === 'marketing' ? { journeyId: 'onboarding', runId: 'run_1', nodeId: 'welcome' } : { data: { order: key } },
    kind,
  });
  const deferred = (r: SendResult) => r.status === 'retryable' && r.deferred === true;

  beforeAll(async () => {
    k = await emailKit(kind);
    backup = await startSmtpSink();
    // A second sender on the same database: another worker with its own providers and pools.
    other = createEmailChannel({ store: k.h.deps.store, clock: k.h.clock, secretBox: k.h.deps.secretBox, publicUrl: PUBLIC_URL, defaults: parseEmailEnv({}), allowPrivateOutbound: true });
  });
  afterAll(async () => {
    await other?.close();
    await k?.close();
    await backup?.close();
  });

  it('a provider throttle of 5 a minute holds across two concurrent senders: 5 go per minute, the rest are deferred (not failed) with their record and Message-ID, none lost or doubled', async () => {
    await put({ providers: [{ id: 'primary', name: 'Relay', kind: 'smtp', settings: smtp(k.sink.port), throttle: { limit: 5, per: 'minute' } }] });
    k.h.clock.set(T0 + 1000);
    k.sink.clear();
    const contacts = await Promise.all(Array.from({ length: 12 }, (_, i) => k.contact(`t${i}@fast.test`, { first_name: `T${i}` })));
    const all = contacts.map((c, i) => request(c, `thr:${i}`));
    const round = async (requests: SendRequest[]) => {
      const half = Math.ceil(requests.length / 2);
      const [a, b] = await Promise.all([k.channel.sendBatch!(requests.slice(0, half)), other.sendBatch!(requests.slice(half))]);
      return [...a, ...b];
    };

    const first = await round(all);
    expect(first.filter((r) => r.status === 'sent')).toHaveLength(5);
    const held = all.filter((_, i) => deferred(first[i]!));
    expect(held).toHaveLength(7);
    for (const r of first.filter(deferred)) {
      expect(r).toMatchObject({ reason: 'throttled: primary allows 5 per minute' });
      // To the next minute (59 s from here), plus at most 2% spread.
      expect((r as { retryAfterMs: number }).retryAfterMs).toBeGreaterThanOrEqual(59_000);
      expect((r as { retryAfterMs: number }).retryAfterMs).toBeLessThanOrEqual(59_000 + 1_200);
    }
    expect(k.sink.mails).toHaveLength(5);
    const idsAtDeferral = new Map<string, string>();
    for (const r of held) {
      const row = await record(r.idempotencyKey);
      expect(row.status).toBe('queued');
      idsAtDeferral.set(r.idempotencyKey, row.header_message_id!);
    }

    // The same minute again: nothing more goes.
    expect((await round(held)).every(deferred)).toBe(true);
    k.h.clock.advance(MIN);
    const second = await round(held);
    expect(second.filter((r) => r.status === 'sent')).toHaveLength(5);
    k.h.clock.advance(MIN);
    const rest = held.filter((_, i) => second[i]!.status !== 'sent');
    expect((await round(rest)).map((r) => r.status)).toEqual(['sent', 'sent']);

    expect(k.sink.mails).toHaveLength(12);
    const ids = k.sink.mails.map((m) => m.parsed.messageId);
    expect(new Set(ids).size).toBe(12);
    for (const r of all) expect((await record(r.idempotencyKey)).status).toBe('sent');
    for (const [key, id] of idsAtDeferral) {
      expect((await record(key)).header_message_id).toBe(id);
      expect(ids).toContain(`<${id.replace(/^<|>$/g, '')}>`);
    }
  });

  it('a recipient-domain throttle slows that domain only (its subdomains together), not other domains', async () => {
    await put({ providers: [{ id: 'primary', name: 'Relay', kind: 'smtp', settings: smtp(k.sink.port) }], throttles: [{ domains: ['*.slow.test'], limit: 2, per: 'minute' }] });
    k.h.clock.set(T0 + 10 * MIN);
    const slow = await Promise.all(['a', 'b', 'c'].map((n) => k.contact(`${n}@${n}.slow.test`)));
    const fast = await k.contact('x@quick.test');
    const results = await k.channel.sendBatch!([...slow.map((c, i) => request(c, `dom:${i}`)), request(fast, 'dom:fast')]);
    // The batch's sends run concurrently: which of the three waits is a race, that one waits is not.
    expect(results.slice(0, 3).filter((r) => r.status === 'sent')).toHaveLength(2);
    expect(results.slice(0, 3).filter(deferred)).toEqual([expect.objectContaining({ reason: 'throttled: *.slow.test allows 2 per minute' })]);
    expect(results[3]!.status).toBe('sent');
  });

  it('warm-up: day 1 allows 3 marketing sends, the rest wait for the next day (or take the other provider when the route has one); transactional is never held; Settings shows today', async () => {
    await put({
      providers: [{ id: 'primary', name: 'New IP', kind: 'smtp', settings: smtp(k.sink.port), warmup: { startDate: '2026-12-07', schedule: [3, 6] } }],
    });
    k.h.clock.set(T0 + 20 * MIN);
    k.sink.clear();
    const contacts = await Promise.all(Array.from({ length: 5 }, (_, i) => k.contact(`w${i}@warm.test`)));
    const results = await k.channel.sendBatch!(contacts.map((c, i) => request(c, `wu:${i}`)));
    expect(results.filter((r) => r.status === 'sent')).toHaveLength(3);
    const late = results.filter(deferred) as { retryAfterMs: number; reason: string }[];
    expect(late).toHaveLength(2);
    for (const r of late) {
      expect(r.reason).toMatch(/^warm-up: primary may send 3 marketing messages on day 1/);
      expect(k.h.clock.now() + r.retryAfterMs).toBeGreaterThanOrEqual(NEXT_DAY);
      expect(k.h.clock.now() + r.retryAfterMs).toBeLessThanOrEqual(NEXT_DAY + MIN);
    }
    expect((await k.channel.send(request(contacts[0]!, 'wu:receipt', 'transactional'))).status).toBe('sent');
    expect((await get()).providers[0].today).toEqual({ warmupDay: 1, allowance: 3, used: 3, inFlight: 0 });

    k.h.clock.set(NEXT_DAY + 2 * MIN);
    const waiting = contacts.filter((_, i) => deferred(results[i]!)).map((c) => request(c, `wu:${contacts.indexOf(c)}`));
    expect((await k.channel.sendBatch!(waiting)).map((r) => r.status)).toEqual(['sent', 'sent']);
    expect((await get()).providers[0].today).toEqual({ warmupDay: 2, allowance: 6, used: 2, inFlight: 0 });

    // With a second provider on the route, what day 2 cannot carry goes through it.
    await put({
      providers: [
        { id: 'primary', name: 'New IP', kind: 'smtp', settings: smtp(k.sink.port), warmup: { startDate: '2026-12-07', schedule: [3, 6] } },
        { id: 'backup', name: 'Old relay', kind: 'smtp', settings: smtp(backup.port) },
      ],
    });
    const more = await Promise.all(Array.from({ length: 5 }, (_, i) => k.contact(`m${i}@warm.test`)));
    expect((await k.channel.sendBatch!(more.map((c, i) => request(c, `wu2:${i}`)))).map((r) => r.status)).toEqual(['sent', 'sent', 'sent', 'sent', 'sent']);
    const providers = await Promise.all(more.map((_, i) => record(`wu2:${i}`).then((r) => r.provider)));
    expect(providers.filter((p) => p === 'smtp:primary')).toHaveLength(4);
    expect(providers.filter((p) => p === 'smtp:backup')).toHaveLength(1);
    expect((await get()).providers[0].today).toEqual({ warmupDay: 2, allowance: 6, used: 6, inFlight: 0 });
  });

  it('a 451 from one domain backs that domain off (shared by both senders, growing, with jitter), other domains go on, the retry after the wait sends the same Message-ID and a success resets it; 5xx is unchanged', async () => {
    await put({ providers: [{ id: 'primary', name: 'Relay', kind: 'smtp', settings: smtp(k.sink.port) }] });
    k.h.clock.set(T0 + 30 * MIN);
    k.sink.clear();
    k.sink.rejectRecipient('a@grey.test', 451, '4.7.1 Greylisted, try again later');
    k.sink.rejectRecipient('b@grey.test', 451, '4.7.1 Greylisted, try again later');
    k.sink.rejectRecipient('gone@hard.test', 550);
    const [a, b, c, gone] = await Promise.all(['a@grey.test', 'b@grey.test', 'c@other.test', 'gone@hard.test'].map((e) => k.contact(e)));

    const first = await k.channel.send(request(a!, 'bo:a'));
    expect(first).toMatchObject({ status: 'retryable', reason: expect.stringMatching(/451/) });
    expect(deferred(first)).toBe(false); // an attempt was made: it counts
    const wait = (first as { retryAfterMs: number }).retryAfterMs;
    expect(wait).toBeGreaterThanOrEqual(48_000); // 60 s less up to 20% jitter
    expect(wait).toBeLessThanOrEqual(61_200);
    const messageId = (await record('bo:a')).header_message_id;

    // The other sender does not even try grey.test; other domains are not slowed.
    const blocked = await other.send(request(b!, 'bo:b'));
    expect(blocked).toMatchObject({ status: 'retryable', deferred: true, reason: expect.stringMatching(/^deferred: grey\.test answered 4xx 1 time in a row/) });
    expect((await other.send(request(c!, 'bo:c'))).status).toBe('sent');
    expect(await k.channel.send(request(gone!, 'bo:gone'))).toMatchObject({ status: 'permanent' });
    expect((await get()).deferrals).toEqual([{ domain: 'grey.test', failures: 1, until: expect.any(Number), lastError: expect.stringMatching(/451/) }]);

    // Not before the wait is over (clock-driven); then one retry, refused again: the wait doubles.
    k.h.clock.advance(wait - 2_000);
    expect(deferred(await k.channel.send(request(a!, 'bo:a')))).toBe(true);
    k.h.clock.advance(2_000);
    const again = await k.channel.send(request(a!, 'bo:a'));
    expect(deferred(again)).toBe(false);
    expect((again as { retryAfterMs: number }).retryAfterMs).toBeGreaterThanOrEqual(96_000);
    expect((again as { retryAfterMs: number }).retryAfterMs).toBeLessThanOrEqual(122_400);

    k.sink.acceptRecipient('a@grey.test');
    k.sink.acceptRecipient('b@grey.test');
    k.h.clock.advance((again as { retryAfterMs: number }).retryAfterMs);
    k.sink.clear();
    expect((await k.channel.send(request(a!, 'bo:a'))).status).toBe('sent');
    expect((await record('bo:a')).header_message_id).toBe(messageId);
    expect(k.sink.mails[0]!.parsed.messageId).toBe(`<${messageId!.replace(/^<|>$/g, '')}>`);
    // Reset by the success: the rest of grey.test goes at once.
    expect((await get()).deferrals).toEqual([]);
    expect((await other.send(request(b!, 'bo:b'))).status).toBe('sent');
    expect(k.sink.mails).toHaveLength(2);
  });

  it('connection caps hold across two concurrent senders: a provider allows 2 sends in flight, a domain 1; the rest wait seconds, none lost or doubled; a killed holder frees its slot at its lease', async () => {
    const slow = await startSmtpSink({ dataDelayMs: 300 });
    try {
      // Each sender may open 4 connections: without the cap, 8 sends would be in flight at once.
      const settings = { smtp: { host: '127.0.0.1', port: slow.port, maxConnections: 4, timeoutSeconds: 5 } };
      const saved = await put({
        providers: [{ id: 'primary', name: 'Relay', kind: 'smtp', settings, connections: 2 }],
        throttles: [{ domains: ['one.test'], limit: 1000, per: 'second', connections: 1 }],
      });
      expect(saved.providers[0]).toMatchObject({ connections: 2, today: { inFlight: 0 } });
      expect(saved.throttles[0]).toMatchObject({ connections: 1 });
      k.h.clock.set(T0 + 30 * MIN);
      const contacts = await Promise.all(Array.from({ length: 8 }, (_, i) => k.contact(`c${i}@${i < 3 ? 'one' : 'many'}.test`)));
      let waiting = contacts.map((c, i) => request(c, `conn:${i}`));
      const reasons = new Set<string>();
      for (let round = 0; waiting.length > 0 && round < 20; round++) {
        const half = Math.ceil(waiting.length / 2);
        const [a, b] = await Promise.all([k.channel.sendBatch!(waiting.slice(0, half)), other.sendBatch!(waiting.slice(half))]);
        const results = [...a, ...b];
        for (const r of results.filter(deferred)) {
          reasons.add((r as { reason: string }).reason);
          // Seconds, not a window: a send holds a connection for the length of its call.
          expect((r as { retryAfterMs: number }).retryAfterMs).toBeLessThanOrEqual(2_040);
        }
        expect(results.filter((r) => r.status !== 'sent' && !deferred(r))).toEqual([]);
        waiting = waiting.filter((_, i) => results[i]!.status !== 'sent');
        k.h.clock.advance(2_000);
      }
      expect(waiting).toEqual([]);
      expect(slow.peakInFlight()).toBe(2);
      expect(reasons).toContain('throttled: primary allows 2 connections at once, all in use');
      expect(reasons).toContain('throttled: one.test allows 1 connection at once, all in use');
      expect(slow.mails).toHaveLength(8);
      expect(new Set(slow.mails.map((m) => m.parsed.messageId)).size).toBe(8);
      expect((await get()).providers[0].today.inFlight).toBe(0);

      // A worker killed mid-send: its slots stay held until their lease ends, then the next send takes one.
      const now = k.h.clock.now();
      await k.h.deps.store.db
        .updateTable('email_send_slots')
        .set({ holder: 'msg_killed', lease_until: now + SLOT_LEASE_MS })
        .where('workspace_id', '=', k.t.workspaceId)
        .where('scope', '=', 'provider:primary')
        .execute();
      expect((await get()).providers[0].today.inFlight).toBe(2);
      const late = await k.contact('late@many.test');
      expect(await k.channel.send(request(late, 'conn:late'))).toMatchObject({ status: 'retryable', deferred: true });
      k.h.clock.advance(SLOT_LEASE_MS);
      expect((await k.channel.send(request(late, 'conn:late'))).status).toBe('sent');
    } finally {
      await slow.close();
    }
  });
});
