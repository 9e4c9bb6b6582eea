import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { emailKit, type EmailKit } from '../channels/email/test-kit.js';
import { findMessage } from './records.js';
import { retryDueSends, TRANSACTIONAL_RETRY } from './retry.js';

const MIN = 60_000;

describe.each(backends())('transactional sends that met a temporary failure are retried by a worker on %s', (kind) => {
  let k: EmailKit;
  beforeAll(async () => {
    k = await emailKit(kind);
  });
  afterAll(async () => k?.close());

  const send = (payload: object) => k.h.app.inject({ method: 'POST', url: '/api/messages/send', headers: k.t.admin, payload });
  const retry = () => retryDueSends(k.h.deps, new Map([['email', k.channel]]), { batch: 10 });

  it('a receipt refused with 451 is queued with a retry time, then delivered once, with its data, when the server accepts again', async () => {
    k.sink.rejectRecipient('busy@example.org', 451);
    k.sink.clear();
    const res = await send({ templateId: 'receipt', email: 'busy@example.org', data: { order: 'R-77' }, idempotencyKey: 'order-77' });
    expect(res.json().result.status).toBe('retryable');
    const queued = res.json().message;
    expect(queued.status).toBe('queued');
    // First backoff: 30 s ± 20%, but example.org backs off longer after its 4xx (60 s, less up to
    // 20% jitter, plus up to 2% spread: src/channels/email/limits/).
    expect(queued.retryAt - k.h.clock.now()).toBeGreaterThanOrEqual(48_000);
    expect(queued.retryAt - k.h.clock.now()).toBeLessThanOrEqual(61_200);

    expect(await retry()).toBe(0); // not due yet
    k.h.clock.advance(62_000);
    expect(await retry()).toBe(1); // still refused: the next backoff doubles
    const second = (await findMessage(k.h.deps.store.db, queued.id))!;
    expect(second).toMatchObject({ status: 'queued', attempts: 2 });
    expect(second.retryAt! - k.h.clock.now()).toBeGreaterThanOrEqual(48_000);

    k.sink.acceptRecipient('busy@example.org');
    k.h.clock.advance(3 * MIN);
    expect(await retry()).toBe(1);
    const sent = (await findMessage(k.h.deps.store.db, queued.id))!;
    expect(sent).toMatchObject({ status: 'sent', attempts: 3, retryAt: null });
    const mails = await k.sink.waitFor(1);
    expect(mails[0]!.parsed.subject).toBe('Your receipt R-77');
    expect(mails[0]!.parsed.messageId).toBe(`<${sent.headerMessageId!.replace(/^<|>$/g, '')}>`);

    k.h.clock.advance(60 * MIN);
    expect(await retry()).toBe(0);
    // The caller retrying with the same key gets the sent record, not a second mail.
    expect((await send({ templateId: 'receipt', email: 'busy@example.org', data: { order: 'R-77' }, idempotencyKey: 'order-77' })).json().result.status).toBe('sent');
    await new Promise((r) => setTimeout(r, 150));
    expect(k.sink.mails).toHaveLength(1);
  });

  it('after the last attempt the send is marked failed and no longer retried', async () => {
    k.sink.rejectRecipient('down@example.org', 421);
    const res = await send({ templateId: 'receipt', email: 'down@example.org', data: { order: 'X' } });
    const id = res.json().message.id as string;
    for (let i = 1; i < TRANSACTIONAL_RETRY.maxAttempts; i++) {
      // When it is due: its own backoff, or its domain's after the 421s, whichever is longer.
      k.h.clock.set((await findMessage(k.h.deps.store.db, id))!.retryAt!);
      expect(await retry()).toBe(1);
    }
    const failed = (await findMessage(k.h.deps.store.db, id))!;
    expect(failed).toMatchObject({ status: 'failed', attempts: TRANSACTIONAL_RETRY.maxAttempts, retryAt: null });
    expect(failed.reason).toMatch(/^gave up after 8 attempts/);
    k.h.clock.advance(TRANSACTIONAL_RETRY.maxBackoffMs * 2);
    expect(await retry()).toBe(0);
  });

  it('a claimed retry is not taken by a second worker while the first holds it', async () => {
    // Another domain: example.org is still backing off after the 421s above.
    k.sink.rejectRecipient('slow@example.net', 450);
    const res = await send({ templateId: 'receipt', email: 'slow@example.net', data: { order: 'S' } });
    k.h.clock.advance(2 * MIN);
    const [a, b] = await Promise.all([retry(), retry()]);
    expect(a + b).toBe(1);
    expect((await findMessage(k.h.deps.store.db, res.json().message.id))!.attempts).toBe(2);
  });
});
