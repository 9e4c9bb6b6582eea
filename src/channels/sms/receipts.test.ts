import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../../test/harness.js';
import { createContact } from '../../contacts/contacts.js';
import { newId } from '../../core/ids.js';
import { suppressionReason } from '../../suppression/check.js';
import { suppressionsOf } from '../../suppression/suppressions.js';
import { applyReceipt, applyReceipts, type ReceiptDeps } from './receipts.js';
import type { SmsReceipt } from './provider.js';

describe.each(backends())('SMS receipts on %s', (kind) => {
  let h: Harness;
  let t: Tenant;
  let contactId: string;
  let n = 0;
  const logged: Record<string, unknown>[] = [];
  let deps: ReceiptDeps;
  beforeAll(async () => {
    h = await createHarness(kind);
    t = await h.tenant();
    contactId = (await createContact(h.deps, t.workspaceId, { userId: 'receipts', phone: '+966501112233' })).id;
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        logged.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    deps = { store: h.deps.store, clock: h.clock, log: pino({ level: 'info' }, sink) };
  });
  afterAll(async () => h?.close());

  /** A sent SMS record, as the SMS channel leaves it once its provider took the message. */
  const sentSms = async (o: { provider?: string; channel?: string; workspaceId?: string; to?: string } = {}) => {
    const providerMessageId = `SM${n++}x${kind}`;
    const id = newId('msg');
    const now = h.clock.now();
    await h.deps.store.db
      .insertInto('messages')
      .values({
        id,
        workspace_id: o.workspaceId ?? t.workspaceId,
        contact_id: contactId,
        channel: o.channel ?? 'sms',
        kind: 'marketing',
        idempotency_key: `k-${id}`,
        provider: o.provider ?? 'twilio',
        status: 'sent',
        provider_message_id: providerMessageId,
        to_address: o.to ?? '+966501112233',
        links: '[]',
        created_at: now,
        sent_at: now,
        updated_at: now,
      })
      .execute();
    return { id, providerMessageId };
  };
  const row = (id: string) => h.deps.store.db.selectFrom('messages').select(['status', 'delivery_status', 'delivered_at', 'error_code']).where('id', '=', id).executeTakeFirstOrThrow();
  const apply = (receipt: SmsReceipt, provider = 'twilio') => applyReceipt(deps, { workspaceId: t.workspaceId, provider, receipt });

  it('delivered sets the delivery status and time, never the status; a late or repeated receipt changes nothing', async () => {
    const m = await sentSms();
    const at = h.clock.now() + 4000;
    expect(await apply({ providerMessageId: m.providerMessageId, status: 'delivered', at })).toEqual({ status: 'applied', messageId: m.id, deliveryStatus: 'delivered', suppressed: false });
    expect(await row(m.id)).toEqual({ status: 'sent', delivery_status: 'delivered', delivered_at: at, error_code: null });
    expect(await apply({ providerMessageId: m.providerMessageId, status: 'sent' })).toMatchObject({ status: 'unchanged', deliveryStatus: 'delivered' });
    expect(await apply({ providerMessageId: m.providerMessageId, status: 'delivered', at: at + 1 })).toMatchObject({ status: 'unchanged' });
    expect(await row(m.id)).toEqual({ status: 'sent', delivery_status: 'delivered', delivered_at: at, error_code: null });
  });

  it('undelivered and failed are final: they replace delivered, and nothing replaces them', async () => {
    const a = await sentSms();
    await apply({ providerMessageId: a.providerMessageId, status: 'delivered' });
    expect(await apply({ providerMessageId: a.providerMessageId, status: 'undelivered', errorCode: '30003' })).toMatchObject({ status: 'applied', deliveryStatus: 'undelivered' });
    expect(await row(a.id)).toEqual({ status: 'sent', delivery_status: 'undelivered', delivered_at: null, error_code: '30003' });
    expect(await apply({ providerMessageId: a.providerMessageId, status: 'delivered' })).toMatchObject({ status: 'unchanged', deliveryStatus: 'undelivered' });
    expect(await apply({ providerMessageId: a.providerMessageId, status: 'failed', errorCode: '30008' })).toMatchObject({ status: 'unchanged', deliveryStatus: 'undelivered' });
    expect(await row(a.id)).toEqual({ status: 'sent', delivery_status: 'undelivered', delivered_at: null, error_code: '30003' });

    // Out of order: failed, then the sent and delivered that were overtaken.
    const b = await sentSms();
    await apply({ providerMessageId: b.providerMessageId, status: 'failed', errorCode: '30008' });
    await apply({ providerMessageId: b.providerMessageId, status: 'sent' });
    await apply({ providerMessageId: b.providerMessageId, status: 'delivered' });
    expect(await row(b.id)).toEqual({ status: 'sent', delivery_status: 'failed', delivered_at: null, error_code: '30008' });
  });

  it('a receipt for a message it does not know is ignored, logged and answered unknown', async () => {
    const email = await sentSms({ channel: 'email' });
    const other = await h.tenant();
    const elsewhere = await sentSms({ workspaceId: other.workspaceId });
    for (const providerMessageId of ['SM-nobody', email.providerMessageId, elsewhere.providerMessageId, '', 'x\u0000y']) {
      logged.length = 0;
      expect(await apply({ providerMessageId, status: 'delivered' })).toEqual({ status: 'unknown' });
      expect(logged).toEqual([expect.objectContaining({ msg: 'SMS receipt for an unknown message ignored', providerMessageId })]);
    }
    expect((await row(email.id)).delivery_status).toBeNull();
    expect((await row(elsewhere.id)).delivery_status).toBeNull();
  });

  it('an invalid number is suppressed for good (hard_bounce, the code as detail): not even a transactional SMS goes to it', async () => {
    const m = await sentSms({ to: '+966509998877' });
    expect(await apply({ providerMessageId: m.providerMessageId, status: 'failed', errorCode: '21614', invalidNumber: true })).toMatchObject({ status: 'applied', suppressed: true });
    expect(await suppressionsOf(h.deps.store.db, t.workspaceId, '+966509998877')).toEqual([expect.objectContaining({ reason: 'hard_bounce', source: 'twilio', detail: '21614' })]);
    const check = { workspaceId: t.workspaceId, contactId, address: '+966509998877', kind: 'transactional' as const };
    expect(await suppressionReason(h.deps.store.db, check)).toBe('suppressed: hard_bounce');
    // A redelivered receipt neither doubles it nor fails.
    expect(await apply({ providerMessageId: m.providerMessageId, status: 'failed', errorCode: '21614', invalidNumber: true })).toMatchObject({ status: 'unchanged', suppressed: false });
  });

  it('two providers with the same id: the receipt goes to the message of the provider that sent it', async () => {
    const a = await sentSms({ provider: 'twilio' });
    const id = newId('msg');
    const now = h.clock.now();
    await h.deps.store.db
      .insertInto('messages')
      .values({
        id,
        workspace_id: t.workspaceId,
        contact_id: contactId,
        channel: 'sms',
        kind: 'marketing',
        idempotency_key: `k-${id}`,
        provider: 'smpp',
        status: 'sent',
        provider_message_id: a.providerMessageId,
        links: '[]',
        created_at: now,
        updated_at: now,
      })
      .execute();
    expect(await apply({ providerMessageId: a.providerMessageId, status: 'delivered' }, 'smpp')).toMatchObject({ status: 'applied', messageId: id });
    expect((await row(a.id)).delivery_status).toBeNull();
    expect(await apply({ providerMessageId: a.providerMessageId, status: 'delivered' }, 'http')).toEqual({ status: 'unknown' });
  });

  it('a burst is applied in order in one go, past one lookup chunk, hostile fields included', async () => {
    const ms = [];
    for (let i = 0; i < 510; i++) ms.push(await sentSms({ provider: 'smpp' }));
    const receipts: SmsReceipt[] = ms.map((m, i) => ({
      providerMessageId: m.providerMessageId,
      status: i % 2 ? 'delivered' : 'undelivered',
      at: i === 3 ? Number.NaN : undefined,
      errorCode: i % 2 ? undefined : 'e\u0000rr',
    }));
    receipts.push({ providerMessageId: 'nobody', status: 'delivered' }, { providerMessageId: ms[1]!.providerMessageId, status: 'sent' });
    const out = await applyReceipts(deps, { workspaceId: t.workspaceId, provider: 'smpp', receipts });
    expect(out).toHaveLength(512);
    expect(out.filter((o) => o.status === 'applied')).toHaveLength(510);
    expect(out.at(-2)).toEqual({ status: 'unknown' });
    expect(out.at(-1)).toMatchObject({ status: 'unchanged', deliveryStatus: 'delivered' });
    expect(await row(ms[0]!.id)).toMatchObject({ delivery_status: 'undelivered', error_code: 'err' });
    expect(await row(ms[3]!.id)).toMatchObject({ delivery_status: 'delivered', delivered_at: h.clock.now() });
    expect(await applyReceipts(deps, { workspaceId: t.workspaceId, provider: 'smpp', receipts: [] })).toEqual([]);
  });
});
