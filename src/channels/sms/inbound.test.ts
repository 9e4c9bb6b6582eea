import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../../test/harness.js';
import { createContact } from '../../contacts/contacts.js';
import { effectiveConsent, setConsent } from '../../consent/consent.js';
import { eraseContact } from '../../privacy/erase.js';
import { handleInbound, inboundNumber, type InboundContact, type InboundDeps } from './inbound.js';
import type { SmsInbound } from './provider.js';

/**
 * A reply function shaped like the one the lead wires (a transactional SMS under the given key):
 * every call is recorded, and a key is "sent" once, as the keyed transactional send does.
 */
class RecordingReply {
  calls: { workspaceId: string; contact: InboundContact; text: string; key: string }[] = [];
  sent = new Map<string, string>();
  failNext = false;
  reply = async (workspaceId: string, contact: InboundContact, text: string, key: string) => {
    this.calls.push({ workspaceId, contact, text, key });
    if (this.failNext) {
      this.failNext = false;
      throw new Error('SMS provider down');
    }
    if (!this.sent.has(key)) this.sent.set(key, text);
  };
}

describe.each(backends())('inbound SMS on %s', (kind) => {
  let h: Harness;
  let t: Tenant;
  let n = 0;
  beforeAll(async () => {
    h = await createHarness(kind);
    t = await h.tenant();
    await h.deps.store.db.updateTable('workspaces').set({ name: 'Acme' }).where('id', '=', t.workspaceId).execute();
  });
  afterAll(async () => h?.close());

  const setup = () => {
    const r = new RecordingReply();
    const deps: InboundDeps = { ...h.deps, reply: r.reply };
    return { r, deps };
  };
  const contact = async (locale?: string) => {
    const phone = `+9665${String(10_000_000 + n++).padStart(8, '0')}`;
    const c = await createContact(h.deps, t.workspaceId, { userId: `sms-${n}`, phone, ...(locale ? { locale } : {}) });
    return { id: c.id, phone };
  };
  const ledger = (contactId: string) =>
    h.deps.store.db.selectFrom('consent_history').select(['status', 'source', 'detail', 'channel', 'topic']).where('contact_id', '=', contactId).orderBy('id').execute();
  const inboundRows = (providerMessageId: string) => h.deps.store.db.selectFrom('sms_inbound').selectAll().where('provider_message_id', '=', providerMessageId).execute();
  const events = (contactId: string, name: string) => h.deps.store.db.selectFrom('events').select(['name', 'properties']).where('contact_id', '=', contactId).where('name', '=', name).execute();

  it.each([
    ['en', 'Stop texting me', 'You are unsubscribed'],
    ['ar-SA', 'إلغاء', 'تم إلغاء اشتراكك'],
    ['fa-IR', 'لغو۱۱', 'اشتراک شما لغو شد'],
  ])('STOP (%s, %j) unsubscribes sms at once, with the raw text in the ledger, and confirms once, also when redelivered', async (locale, text, confirmation) => {
    const { r, deps } = setup();
    const c = await contact(locale);
    await setConsent(h.deps, t.workspaceId, c.id, { channel: 'sms', status: 'subscribed', source: 'signup-form' });
    const inbound = { from: c.phone, to: '+15550001', text, providerMessageId: `SM-stop-${c.id}` };

    const first = await handleInbound(deps, { workspaceId: t.workspaceId, provider: 'twilio', inbound });
    expect(first).toMatchObject({ action: 'stop', contactId: c.id, duplicate: false, replied: true });
    expect(await effectiveConsent(h.deps.store.db, c.id, 'sms')).toBe('unsubscribed');
    expect((await ledger(c.id)).at(-1)).toEqual({ channel: 'sms', topic: '', status: 'unsubscribed', source: 'sms_reply', detail: text });
    expect(await events(c.id, 'unsubscribed')).toEqual([expect.objectContaining({ name: 'unsubscribed' })]);
    expect(JSON.stringify((await events(c.id, 'unsubscribed'))[0]!.properties)).toContain('sms_stop');

    const again = await handleInbound(deps, { workspaceId: t.workspaceId, provider: 'twilio', inbound });
    expect(again).toMatchObject({ inboundId: first.inboundId, action: 'stop', duplicate: true });
    expect(await ledger(c.id)).toHaveLength(2);
    expect(await inboundRows(inbound.providerMessageId)).toHaveLength(1);
    expect(await events(c.id, 'unsubscribed')).toHaveLength(1);
    // Both asks carry the one key, so one confirmation leaves.
    expect(new Set(r.calls.map((x) => x.key))).toEqual(new Set([`sms-inbound:${first.inboundId}:reply`]));
    expect([...r.sent.values()]).toHaveLength(1);
    const sent = [...r.sent.values()][0]!;
    expect(sent).toContain(confirmation);
    expect(sent).toContain('Acme');
    expect(r.calls[0]!.contact).toEqual({ id: c.id, phone: c.phone, locale });
  });

  it('two deliveries of one message at the same time write one row and one ledger entry', async () => {
    const { r, deps } = setup();
    const c = await contact();
    const inbound = { from: c.phone, to: '+15550001', text: 'STOP', providerMessageId: `SM-race-${c.id}` };
    const results = await Promise.all([1, 2, 3].map(() => handleInbound(deps, { workspaceId: t.workspaceId, provider: 'twilio', inbound })));
    expect(results.filter((x) => !x.duplicate)).toHaveLength(1);
    expect(await inboundRows(inbound.providerMessageId)).toHaveLength(1);
    expect(await ledger(c.id)).toHaveLength(1);
    expect(r.sent.size).toBe(1);
  });

  it('an answer that failed is sent by the redelivery, still once', async () => {
    const { r, deps } = setup();
    const c = await contact();
    const inbound = { from: c.phone, to: '+15550001', text: 'stop', providerMessageId: `SM-fail-${c.id}` };
    r.failNext = true;
    await expect(handleInbound(deps, { workspaceId: t.workspaceId, provider: 'smpp', inbound })).rejects.toThrow('SMS provider down');
    expect(await effectiveConsent(h.deps.store.db, c.id, 'sms')).toBe('unsubscribed');
    expect(r.sent.size).toBe(0);
    await handleInbound(deps, { workspaceId: t.workspaceId, provider: 'smpp', inbound });
    expect(r.sent.size).toBe(1);
    expect(await ledger(c.id)).toHaveLength(1);
  });

  it('START re-subscribes and confirms; a mere YES re-subscribes only after a STOP', async () => {
    const { r, deps } = setup();
    const c = await contact('ar');
    const send = (text: string, id: string) => handleInbound(deps, { workspaceId: t.workspaceId, provider: 'twilio', inbound: { from: c.phone, to: '+1', text, providerMessageId: `${id}-${c.id}` } });

    expect(await send('YES', 'y1')).toMatchObject({ action: 'reply', replied: false });
    expect(await ledger(c.id)).toEqual([]);

    await send('توقف', 's1');
    expect(await send('نعم', 'y2')).toMatchObject({ action: 'start', replied: true });
    expect(await effectiveConsent(h.deps.store.db, c.id, 'sms')).toBe('subscribed');
    await send('STOP', 's2');
    expect(await send('START', 'st')).toMatchObject({ action: 'start', replied: true });
    expect(await effectiveConsent(h.deps.store.db, c.id, 'sms')).toBe('subscribed');
    expect((await ledger(c.id)).map((x) => [x.status, x.source, x.detail])).toEqual([
      ['unsubscribed', 'sms_reply', 'توقف'],
      ['subscribed', 'sms_reply', 'نعم'],
      ['unsubscribed', 'sms_reply', 'STOP'],
      ['subscribed', 'sms_reply', 'START'],
    ]);
    expect(r.calls.at(-1)!.text).toBe('Acme: تمت إعادة اشتراكك. لإلغاء الاشتراك أرسل «إلغاء»، وللمساعدة أرسل «مساعدة».');
  });

  it("HELP answers with the workspace's help text, else a default in the contact's language; extra keywords come from the settings", async () => {
    const { r, deps } = setup();
    const fa = await contact('fa');
    const send = (c: { phone: string; id: string }, text: string, id: string) =>
      handleInbound(deps, { workspaceId: t.workspaceId, provider: 'twilio', inbound: { from: c.phone, to: '+1', text, providerMessageId: `${id}-${c.id}` } });

    expect(await send(fa, 'راهنما', 'h1')).toMatchObject({ action: 'help', replied: true });
    expect(r.calls.at(-1)!.text).toBe('Acme: برای لغو عضویت «لغو» و برای عضویت دوباره «شروع» را بفرستید.');
    expect(await ledger(fa.id)).toEqual([]);

    await h.deps.store.db
      .insertInto('sms_settings')
      .values({
        workspace_id: t.workspaceId,
        settings: JSON.stringify({ helpText: { en: 'Acme help: acme.example/help', fa: 'راهنمای Acme: acme.example/fa' }, keywords: { stop: ['BASTA'], help: ['AIDE'] } }),
        updated_at: 0,
      })
      .execute();
    try {
      const en = await contact();
      await send(en, 'HELP', 'h2');
      expect(r.calls.at(-1)!.text).toBe('Acme help: acme.example/help');
      await send(fa, 'کمک', 'h3');
      expect(r.calls.at(-1)!.text).toBe('راهنمای Acme: acme.example/fa');
      expect(await send(en, 'aide', 'h4')).toMatchObject({ action: 'help' });
      expect(await send(en, 'Basta!', 'h5')).toMatchObject({ action: 'stop' });
      expect(await effectiveConsent(h.deps.store.db, en.id, 'sms')).toBe('unsubscribed');
    } finally {
      await h.deps.store.db.deleteFrom('sms_settings').where('workspace_id', '=', t.workspaceId).execute();
    }
  });

  it('a number no contact has is recorded as unknown_sender, changes nothing and gets no answer', async () => {
    const { r, deps } = setup();
    const result = await handleInbound(deps, { workspaceId: t.workspaceId, provider: 'twilio', inbound: { from: '+15559990000', to: '+1', text: 'STOP', providerMessageId: 'SM-unknown' } });
    expect(result).toMatchObject({ action: 'unknown_sender', contactId: null, replied: false });
    expect(await inboundRows('SM-unknown')).toEqual([expect.objectContaining({ action: 'unknown_sender', from_number: '+15559990000', body: 'STOP', contact_id: null })]);
    expect(r.calls).toEqual([]);
    // Another workspace's contact with the number is not this workspace's.
    const c = await contact();
    const other = await h.tenant();
    expect(await handleInbound(deps, { workspaceId: other.workspaceId, provider: 'twilio', inbound: { from: c.phone, to: '+1', text: 'STOP' } })).toMatchObject({ action: 'unknown_sender' });
    expect(await effectiveConsent(h.deps.store.db, c.id, 'sms')).toBeNull();
  });

  it('an ordinary reply is recorded as the sms.received event and answered by nothing', async () => {
    const { r, deps } = setup();
    const c = await contact();
    const result = await handleInbound(deps, {
      workspaceId: t.workspaceId,
      provider: 'twilio',
      inbound: { from: c.phone, to: '+15550001', text: "Don't stop! See you at 5", providerMessageId: `SM-r-${c.id}` },
    });
    expect(result).toMatchObject({ action: 'reply', replied: false });
    const [event] = await events(c.id, 'sms.received');
    const props = typeof event!.properties === 'string' ? JSON.parse(event!.properties) : event!.properties;
    expect(props).toEqual({ text: "Don't stop! See you at 5", inboundId: result.inboundId, provider: 'twilio', to: '+15550001' });
    expect(await ledger(c.id)).toEqual([]);
    expect(r.calls).toEqual([]);
  });

  it('matches the sender however the provider wrote the number, and STOP reaches every contact with it', async () => {
    const { r, deps } = setup();
    const a = await contact();
    h.clock.advance(1000);
    const b = await createContact(h.deps, t.workspaceId, { userId: `twin-${n}`, phone: a.phone });
    const bare = a.phone.slice(1);
    await handleInbound(deps, { workspaceId: t.workspaceId, provider: 'smpp', inbound: { from: bare, to: '7726', text: 'STOP' } });
    expect(await effectiveConsent(h.deps.store.db, a.id, 'sms')).toBe('unsubscribed');
    expect(await effectiveConsent(h.deps.store.db, b.id, 'sms')).toBe('unsubscribed');
    expect(r.calls).toHaveLength(1);
    expect(r.calls[0]!.contact.id).toBe(a.id);
    expect(inboundNumber(`00${bare}`)).toBe(a.phone);
    expect(inboundNumber(` +${bare.slice(0, 3)} ${bare.slice(3)} `)).toBe(a.phone);
    expect(inboundNumber('MYBRAND')).toBe('');
  });

  it('takes hostile text without crashing: NUL, lone surrogates, a huge body, no number', async () => {
    const { deps } = setup();
    const c = await contact();
    const huge = `stop ${'x'.repeat(50_000)}`;
    for (const [i, text] of ['st\u0000op', '\uD800 hi', huge, ''].entries()) {
      await expect(
        handleInbound(deps, { workspaceId: t.workspaceId, provider: 'twilio', inbound: { from: c.phone, to: '+1', text, providerMessageId: `SM-h${i}-${c.id}\u0000` } }),
      ).resolves.toBeDefined();
    }
    await expect(handleInbound(deps, { workspaceId: t.workspaceId, provider: 'twilio', inbound: { from: '', to: '', text: 'STOP' } })).resolves.toMatchObject({ action: 'unknown_sender' });
    const missing = { from: c.phone } as unknown as SmsInbound;
    await expect(handleInbound(deps, { workspaceId: t.workspaceId, provider: 'twilio', inbound: missing })).resolves.toMatchObject({ action: 'reply' });
    expect(await effectiveConsent(h.deps.store.db, c.id, 'sms')).toBe('unsubscribed');
  });

  it('erasing the contact erases what they wrote and their number from the ledger and the inbound rows', async () => {
    const { deps } = setup();
    const c = await contact();
    await handleInbound(deps, { workspaceId: t.workspaceId, provider: 'twilio', inbound: { from: c.phone, to: '+1', text: 'stop texting me, Jane Doe here', providerMessageId: `SM-e-${c.id}` } });
    await eraseContact(h.deps, t.workspaceId, c.id, null);
    expect((await ledger(c.id)).map((x) => [x.source, x.detail])).toEqual([['sms_reply', null]]);
    expect(await inboundRows(`SM-e-${c.id}`)).toEqual([expect.objectContaining({ body: '', from_number: '', action: 'stop' })]);
  });
});
