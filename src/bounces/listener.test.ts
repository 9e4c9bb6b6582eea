import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { backends } from '../../test/backends.js';
import { emailKit, type EmailKit } from '../channels/email/test-kit.js';
import { findMessage } from '../messages/records.js';
import { getContact } from '../contacts/contacts.js';
import { fromJson } from '../core/json.js';
import { suppressionsOf } from '../suppression/suppressions.js';
import { createHash } from 'node:crypto';
import { workspaceSecret } from '../tracking/tokens.js';
import type { InboundResult } from './inbound.js';
import { startBounceListener, type BounceListener } from './listener.js';
import { verpAddress } from './signed-ids.js';
import { arfMail, dsnMail, sendRaw, verpOf } from './test-fixtures.js';

describe.each(backends())('the bounce listener over real SMTP on %s', (kind) => {
  let k: EmailKit;
  let listener: BounceListener;
  let n = 0;
  const results: Array<InboundResult | { kind: 'error'; error: string }> = [];

  beforeAll(async () => {
    k = await emailKit(kind);
    listener = await startBounceListener(
      { store: k.h.deps.store, clock: k.h.clock, signals: k.h.deps.signals, softBounceLimit: 3, log: k.h.deps.log },
      { port: 0, host: '127.0.0.1', onProcessed: (r) => results.push(r) },
    );
  });
  afterAll(async () => {
    await listener?.close();
    await k?.close();
  });

  async function contactFor(email: string) {
    const row = await k.h.deps.store.db.selectFrom('contacts').select('id').where('workspace_id', '=', k.t.workspaceId).where('email', '=', email).executeTakeFirst();
    return row ? getContact(k.h.deps, k.t.workspaceId, row.id) : k.contact(email, { first_name: 'X' });
  }

  /** Sends a real marketing email to `email` and returns its message record. */
  async function sent(email: string) {
    const key = `bounce-test:${++n}`;
    expect((await k.send(await contactFor(email), { template: 'welcome-1', key })).status).toBe('sent');
    const row = await k.h.deps.store.db.selectFrom('messages').select('id').where('idempotency_key', '=', key).executeTakeFirstOrThrow();
    return (await findMessage(k.h.deps.store.db, row.id))!;
  }

  const events = (contactId: string, name: string) => k.h.deps.store.db.selectFrom('events').selectAll().where('contact_id', '=', contactId).where('name', '=', name).execute();

  it('a hard-bounce DSN (5.1.1) returned to the VERP address marks the message bounced, suppresses the address and records email.bounced', async () => {
    const m = await sent('gone@example.org');
    const verp = await verpOf(k.h.deps.store, m);
    await sendRaw(listener.port, verp, dsnMail({ to: verp, recipient: 'gone@example.org', status: '5.1.1' }));
    const after = await findMessage(k.h.deps.store.db, m.id);
    expect(after).toMatchObject({ status: 'bounced' });
    expect(after!.reason).toMatch(/^hard bounce: 5\.1\.1/);
    const s = await suppressionsOf(k.h.deps.store.db, k.t.workspaceId, 'gone@example.org');
    expect(s.map((x) => x.reason)).toEqual(['hard_bounce']);
    expect(s[0]!.source).toBe('smtp');
    const ev = await events(m.contactId, 'email.bounced');
    expect(ev).toHaveLength(1);
    expect(fromJson(ev[0]!.properties)).toMatchObject({ messageId: m.id, bounceType: 'hard', status: '5.1.1', source: 'smtp' });
    // The next send to the address is skipped at send time.
    expect(await k.send(await contactFor('gone@example.org'), { template: 'welcome-1', key: 'after-bounce' })).toMatchObject({ status: 'skipped' });
  });

  it('matches a DSN by the original Message-ID when it was not sent to a VERP address; 5.2.1 (mailbox disabled) is hard', async () => {
    const m = await sent('disabled@example.org');
    expect(m.headerMessageId).toMatch(/^<.+>$/);
    await sendRaw(
      listener.port,
      'postmaster@bounces.example.com',
      dsnMail({ to: 'postmaster@bounces.example.com', recipient: 'disabled@example.org', status: '5.2.1', originalMessageId: m.headerMessageId! }),
    );
    expect((await findMessage(k.h.deps.store.db, m.id))!.status).toBe('bounced');
    expect((await suppressionsOf(k.h.deps.store.db, k.t.workspaceId, 'disabled@example.org')).map((x) => x.reason)).toEqual(['hard_bounce']);
  });

  it('soft bounces (mailbox full, 4.x.x) are counted per address and suppress only at the third in a row; a repeated DSN counts once', async () => {
    const address = 'full@example.org';
    const statuses = ['5.2.2', '4.4.7', '4.2.2'];
    for (let i = 0; i < 3; i++) {
      const m = await sent(address);
      const verp = await verpOf(k.h.deps.store, m);
      const mail = dsnMail({ to: verp, recipient: address, status: statuses[i]!, diagnostic: `452 ${statuses[i]} Mailbox full` });
      await sendRaw(listener.port, verp, mail);
      await sendRaw(listener.port, verp, mail); // the same report twice: one soft bounce
      const s = await suppressionsOf(k.h.deps.store.db, k.t.workspaceId, address);
      const row = await k.h.deps.store.db.selectFrom('email_soft_bounces').selectAll().where('address', '=', address).executeTakeFirstOrThrow();
      expect(row.consecutive).toBe(i + 1);
      expect((await findMessage(k.h.deps.store.db, m.id))!.reason).toMatch(/^soft bounce/);
      if (i < 2) expect(s).toEqual([]);
      else expect(s.map((x) => [x.reason, x.detail])).toEqual([['hard_bounce', expect.stringMatching(/^3 consecutive soft bounces/)]]);
    }
  });

  it('a delayed DSN (Action: delayed) is only a warning: nothing is counted or suppressed', async () => {
    const m = await sent('slow@example.org');
    const verp = await verpOf(k.h.deps.store, m);
    await sendRaw(listener.port, verp, dsnMail({ to: verp, recipient: 'slow@example.org', status: '4.4.1', action: 'delayed' }));
    expect((await findMessage(k.h.deps.store.db, m.id))!.status).toBe('sent');
    expect(await k.h.deps.store.db.selectFrom('email_soft_bounces').selectAll().where('address', '=', 'slow@example.org').execute()).toEqual([]);
  });

  it('an ARF abuse complaint suppresses the address (complaint), withdraws email consent in the ledger and records email.complained; matched by the returned Message-ID', async () => {
    const m = await sent('angry@example.org');
    await sendRaw(listener.port, 'fbl@bounces.example.com', arfMail({ to: 'fbl@bounces.example.com', recipient: 'angry@example.org', originalMessageId: m.headerMessageId! }));
    expect((await suppressionsOf(k.h.deps.store.db, k.t.workspaceId, 'angry@example.org')).map((x) => x.reason)).toEqual(['complaint']);
    const history = await k.h.deps.store.db.selectFrom('consent_history').selectAll().where('contact_id', '=', m.contactId).execute();
    expect(history.map((h) => [h.channel, h.topic, h.status, h.source])).toEqual([['email', '', 'unsubscribed', 'complaint:smtp']]);
    expect(await events(m.contactId, 'email.complained')).toHaveLength(1);
    expect((await findMessage(k.h.deps.store.db, m.id))!).toMatchObject({ reason: 'complained: abuse', status: 'sent', complainedAt: k.h.clock.now() });
    // Even a transactional receipt is no longer sent to a complainer.
    expect(await k.send(await contactFor('angry@example.org'), { template: 'receipt', key: 'receipt-after-complaint', kind: 'transactional', data: { order: '1' } })).toMatchObject({
      status: 'skipped',
    });
  });

  it('an ARF report finds its message by the VERP Return-Path of the returned original', async () => {
    const m = await sent('verp-arf@example.org');
    const verp = await verpOf(k.h.deps.store, m);
    await sendRaw(listener.port, 'fbl@bounces.example.com', arfMail({ to: 'fbl@bounces.example.com', recipient: 'verp-arf@example.org', originalReturnPath: verp }));
    expect((await suppressionsOf(k.h.deps.store.db, k.t.workspaceId, 'verp-arf@example.org')).map((x) => x.reason)).toEqual(['complaint']);
  });

  it('garbage, non-report mail and reports naming no message are accepted and change nothing; the listener keeps working', async () => {
    const before = await k.h.deps.store.db.selectFrom('suppressions').select('address').execute();
    await sendRaw(listener.port, 'bounces@bounces.example.com', 'this is not a mail at all\r\n\r\n\u0000\u00ff garbage ==');
    await sendRaw(listener.port, 'bounces@bounces.example.com', 'Subject: Out of office\r\n\r\nI am away until Monday.');
    await sendRaw(
      listener.port,
      'bounces@bounces.example.com',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="x"\r\n\r\n--x\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; a\r\n--x',
    );
    await sendRaw(listener.port, 'bounces+msg_00000000000000000000000000@bounces.example.com', dsnMail({ to: 'x@y', recipient: 'nobody@example.org', status: '5.1.1' }));
    // A client that talks nonsense and hangs up.
    await new Promise<void>((resolve) => {
      const s = net.connect(listener.port, '127.0.0.1', () => {
        s.write('HELO\r\nDATA\r\n\u0000\u0001\r\n');
        setTimeout(() => s.destroy(), 200);
      });
      s.on('close', () => resolve());
      s.on('error', () => resolve());
    });
    expect(await k.h.deps.store.db.selectFrom('suppressions').select('address').execute()).toEqual(before);
    const m = await sent('still-works@example.org');
    const verp = await verpOf(k.h.deps.store, m);
    await sendRaw(listener.port, verp, dsnMail({ to: verp, recipient: 'still-works@example.org', status: '5.1.2' }));
    expect((await findMessage(k.h.deps.store.db, m.id))!.status).toBe('bounced');
  });
  /** What a forged report must not have changed for message `m` and its address. */
  async function untouched(m: { id: string; contactId: string }, address: string) {
    expect((await findMessage(k.h.deps.store.db, m.id))!).toMatchObject({ status: 'sent', reason: null, complainedAt: null });
    expect(await suppressionsOf(k.h.deps.store.db, k.t.workspaceId, address)).toEqual([]);
    expect(await k.h.deps.store.db.selectFrom('email_soft_bounces').selectAll().where('address', '=', address).execute()).toEqual([]);
    expect(await k.h.deps.store.db.selectFrom('consent_history').selectAll().where('contact_id', '=', m.contactId).execute()).toEqual([]);
    expect(await events(m.contactId, 'email.bounced')).toEqual([]);
    expect(await events(m.contactId, 'email.complained')).toEqual([]);
  }

  it("a DSN to bounces+<real message id>@ without the signature, with a made-up one, another message's or another workspace's changes nothing; the signed address still works", async () => {
    const m = await sent('forged-dsn@example.org');
    const m2 = await sent('forged-dsn-2@example.org');
    const other = await k.h.tenant();
    const sigOf = (verp: string) => /\.([0-9a-f]{20})@/.exec(verp)![1]!;
    const forged = [
      `bounces+${m.id}@bounces.example.com`,
      `bounces+${m.id}.${'0'.repeat(20)}@bounces.example.com`,
      `bounces+${m.id}.${sigOf(await verpOf(k.h.deps.store, m2))}@bounces.example.com`,
      verpAddress(await workspaceSecret(k.h.deps.store, other.workspaceId), m.id, 'bounces.example.com'),
    ];
    for (const verp of forged) {
      results.length = 0;
      await sendRaw(listener.port, verp, dsnMail({ to: verp, recipient: 'forged-dsn@example.org', status: '5.1.1', originalReturnPath: verp }));
      expect(results, verp).toMatchObject([{ kind: 'dsn', messageId: null, outcomes: [], refused: verp === forged[0] ? 'unsigned' : 'bad signature' }]);
    }
    await untouched(m, 'forged-dsn@example.org');
    const verp = await verpOf(k.h.deps.store, m);
    await sendRaw(listener.port, verp, dsnMail({ to: verp, recipient: 'forged-dsn@example.org', status: '5.1.1' }));
    expect((await findMessage(k.h.deps.store.db, m.id))!.status).toBe('bounced');
  });

  it('an ARF naming a guessed Message-ID (derived from workspace and idempotency key, as before signing), a made-up signature, or the unsigned Message-ID of a message sent before signing changes nothing', async () => {
    const m = await sent('forged-arf@example.org');
    const hash = createHash('sha256').update(`${m.workspaceId}\n${m.idempotencyKey}`).digest('hex').slice(0, 32);
    expect(m.headerMessageId).toMatch(new RegExp(`^<${hash}\\.[0-9a-f]{20}@news\\.example\\.com>$`));
    const fbl = 'fbl@bounces.example.com';
    for (const guess of [`<${hash}.qatra@news.example.com>`, `<${hash}.${'0'.repeat(20)}@news.example.com>`]) {
      results.length = 0;
      await sendRaw(listener.port, fbl, arfMail({ to: fbl, recipient: 'forged-arf@example.org', originalMessageId: guess, originalReturnPath: `bounces+${m.id}@bounces.example.com` }));
      expect(results, guess).toMatchObject([{ kind: 'arf', messageId: null, outcomes: [], refused: 'unsigned' }]);
    }
    // A message sent before the upgrade carries an unsigned Message-ID: reports naming it are refused too.
    const old = `<${hash}.qatra@news.example.com>`;
    await k.h.deps.store.db.updateTable('messages').set({ header_message_id: old }).where('id', '=', m.id).execute();
    results.length = 0;
    await sendRaw(listener.port, fbl, arfMail({ to: fbl, recipient: 'forged-arf@example.org', originalMessageId: old }));
    expect(results).toMatchObject([{ kind: 'arf', messageId: null, refused: 'unsigned' }]);
    await untouched(m, 'forged-arf@example.org');
  });

  it('a signed DSN far larger than what the listener keeps (a returned original of ~1.9 MB) is still read and applied', async () => {
    const m = await sent('big-dsn@example.org');
    const verp = await verpOf(k.h.deps.store, m);
    const dsn = dsnMail({ to: verp, recipient: 'big-dsn@example.org', status: '5.1.1', originalMessageId: m.headerMessageId! });
    const attachment = [
      '--=_dsn_boundary',
      'Content-Type: message/rfc822',
      '',
      `Message-ID: ${m.headerMessageId}`,
      'Subject: big',
      '',
      ...Array.from({ length: 25_000 }, (_, i) => `line ${i} ${'x'.repeat(68)}`),
      '',
    ].join('\r\n');
    const raw = dsn.replace('--=_dsn_boundary--', `${attachment}\r\n--=_dsn_boundary--`);
    expect(raw.length).toBeGreaterThan(1_800_000);
    results.length = 0;
    await sendRaw(listener.port, verp, raw);
    expect(results).toMatchObject([{ kind: 'dsn', messageId: m.id, outcomes: [{ outcome: 'applied', suppressed: true }] }]);
  });

  it('mail to the List-Unsubscribe mailto address unsubscribes the contact (RFC 2369) and the next marketing send is skipped', async () => {
    await sent('mailto-unsub@example.org');
    const mail = await k.h.deps.store.db.selectFrom('contacts').select('id').where('email', '=', 'mailto-unsub@example.org').executeTakeFirstOrThrow();
    const received = k.sink.mails.find((x) => x.envelope.rcptTo.includes('mailto-unsub@example.org'));
    const address = /<mailto:([^>]+)>/.exec(received!.raw)![1]!;
    await sendRaw(listener.port, address, 'From: mailto-unsub@example.org\r\nSubject: unsubscribe\r\n\r\nplease\r\n');
    const history = await k.h.deps.store.db.selectFrom('consent_history').selectAll().where('contact_id', '=', mail.id).execute();
    expect(history).toMatchObject([{ status: 'unsubscribed', source: 'mailto' }]);
    expect((await k.send(await contactFor('mailto-unsub@example.org'), { template: 'welcome-1', key: 'mailto-after' })).status).toBe('skipped');
  });
});
