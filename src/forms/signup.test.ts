import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { emailKit, PUBLIC_URL, type EmailKit } from '../channels/email/test-kit.js';
import type { Signal } from '../events/signals.js';
import { SignalTap } from '../../test/signal-tap.js';
import { createList } from '../lists/lists.js';
import { saveTemplates } from '../templates/service.js';
import { createForm, type Form } from './forms.js';
import { setConsent } from '../consent/consent.js';
import { addMembers } from '../lists/memberships.js';
import { messageIdSignatureValid } from '../bounces/signed-ids.js';
import { verpOf } from '../bounces/test-fixtures.js';
import { workspaceSecret } from '../tracking/tokens.js';

describe.each(backends())('hosted signup forms on %s', (kind) => {
  let k: EmailKit;
  let single: Form;
  let doi: Form;
  const tap = new SignalTap();
  let signals: Signal[] = [];

  beforeAll(async () => {
    k = await emailKit(kind, { extraSinks: [tap] });
    signals = tap.collect();
    const news = await createList(k.h.deps, k.t.workspaceId, { name: 'News' });
    const weekly = await createList(k.h.deps, k.t.workspaceId, { name: 'Weekly digest', doubleOptIn: true });
    const common = { consentText: 'I agree to receive the newsletter.', consentTextVersion: 'nl-2026-01', fields: [{ name: 'first_name', label: 'First name', required: true }] };
    single = await createForm(k.h.deps, k.t.workspaceId, { listId: news.id, name: 'footer', title: 'Get the news', ...common });
    doi = await createForm(k.h.deps, k.t.workspaceId, { listId: weekly.id, name: 'digest', title: 'Weekly digest', ...common });
  });
  afterAll(async () => {
    await k?.close();
  });

  const ua = 'Mozilla/5.0 (test)';
  const postForm = (form: Form, fields: Record<string, string>, ip = '203.0.113.7') =>
    k.h.app.inject({
      method: 'POST',
      url: `/f/${form.id}`,
      remoteAddress: ip,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': ua },
      payload: new URLSearchParams(fields).toString(),
    });
  const contactBy = (email: string) => k.h.deps.store.db.selectFrom('contacts').selectAll().where('workspace_id', '=', k.t.workspaceId).where('email', '=', email).executeTakeFirst();
  const membership = (listId: string, contactId: string) =>
    k.h.deps.store.db.selectFrom('list_memberships').selectAll().where('list_id', '=', listId).where('contact_id', '=', contactId).executeTakeFirst();
  const history = (contactId: string) => k.h.deps.store.db.selectFrom('consent_history').selectAll().where('contact_id', '=', contactId).orderBy('id').execute();
  const joined = (contactId: string, listId: string) => signals.filter((s) => s.kind === 'list_joined' && s.contactId === contactId && s.listId === listId);

  it('GET renders an accessible form: labels, required email, dir="auto" inputs, consent checkbox, hidden honeypot; a Persian form is dir="rtl"', async () => {
    const res = await k.h.app.inject({ method: 'GET', url: `/f/${single.id}` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    const body = res.body;
    expect(body).toContain('<html lang="en" dir="ltr">');
    expect(body).toMatch(/<label for="f-email"[^>]*>Email address/);
    expect(body).toMatch(/<input id="f-email" name="email" type="email" dir="auto"[^>]* required aria-required="true">/);
    expect(body).toMatch(/<input id="f-first_name" name="first_name" type="text" dir="auto"/);
    expect(body).toContain('I agree to receive the newsletter.');
    expect(body).toMatch(/<div style="position:absolute;left:-10000px" aria-hidden="true">.*name="website" type="text" tabindex="-1"/);
    const fa = await createForm(k.h.deps, k.t.workspaceId, { listId: single.listId, name: 'fa', title: 'عضویت در خبرنامه', lang: 'fa' });
    const rtl = await k.h.app.inject({ method: 'GET', url: `/f/${fa.id}` });
    expect(rtl.body).toContain('<html lang="fa" dir="rtl">');
    expect(rtl.body).toContain('<h1 dir="auto">عضویت در خبرنامه</h1>');
    expect((await k.h.app.inject({ method: 'GET', url: '/f/frm_00000000000000000000000000' })).statusCode).toBe(404);
  });

  it('POST (urlencoded) to a single opt-in list creates the contact with its fields, subscribes it (list_joined) and records consent with source, IP, user agent and text version', async () => {
    const res = await postForm(single, { email: 'Leila@Example.org', first_name: 'لیلا', consent: 'yes', website: '' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Thank you, you are subscribed.');
    const c = (await contactBy('leila@example.org'))!;
    expect(JSON.parse(typeof c.attributes === 'string' ? c.attributes : JSON.stringify(c.attributes))).toEqual({ first_name: 'لیلا' });
    expect(await membership(single.listId, c.id)).toMatchObject({ status: 'subscribed', source: `form:${single.id}` });
    expect((await history(c.id)).map((h) => [h.channel, h.topic, h.status, h.source, h.ip, h.user_agent, h.text_version])).toEqual([
      ['email', '', 'subscribed', `form:${single.id}`, '203.0.113.7', ua, 'nl-2026-01'],
    ]);
    expect(joined(c.id, single.listId)).toHaveLength(1);
  });

  it('double opt-in: the signup is pending, a confirmation email with a signed link arrives over SMTP; GET shows a button and changes nothing; POST subscribes (list_joined) with a double-opt-in consent record', async () => {
    k.sink.clear();
    const res = await k.h.app.inject({
      method: 'POST',
      url: `/f/${doi.id}`,
      remoteAddress: '198.51.100.4',
      headers: { 'user-agent': ua },
      payload: { email: 'omar@example.org', first_name: 'Omar', consent: true },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'pending' });
    const c = (await contactBy('omar@example.org'))!;
    expect(await membership(doi.listId, c.id)).toMatchObject({ status: 'pending' });
    expect((await history(c.id)).map((h) => [h.status, h.source, h.ip])).toEqual([['pending', `form:${doi.id}`, '198.51.100.4']]);
    expect(joined(c.id, doi.listId)).toHaveLength(0);

    const [mail] = await k.sink.waitFor(1);
    expect(mail!.envelope.rcptTo).toEqual(['omar@example.org']);
    expect(mail!.parsed.subject).toBe('Please confirm your subscription to Weekly digest');
    const link = new RegExp(`${PUBLIC_URL}/f/confirm/([A-Za-z0-9_.-]+)`).exec(mail!.parsed.text ?? '')![1]!;
    const record = await k.h.deps.store.db.selectFrom('messages').selectAll().where('contact_id', '=', c.id).executeTakeFirstOrThrow();
    expect(record).toMatchObject({ kind: 'transactional', status: 'sent', to_address: 'omar@example.org' });
    // Its VERP return path and Message-ID are signed, so a bounce or complaint about it is applied.
    expect(mail!.envelope.mailFrom).toBe(await verpOf(k.h.deps.store, { id: record.id, workspaceId: record.workspace_id }));
    expect(record.header_message_id).toBe(mail!.parsed.messageId);
    expect(messageIdSignatureValid(await workspaceSecret(k.h.deps.store, record.workspace_id), record.header_message_id!)).toBe(true);

    const page = await k.h.app.inject({ method: 'GET', url: `/f/confirm/${link}` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(/<form method="post" action="\/f\/confirm\/[^"]+"><p><button type="submit">Confirm my subscription<\/button>/);
    expect(await membership(doi.listId, c.id)).toMatchObject({ status: 'pending' });

    const confirmed = await k.h.app.inject({ method: 'POST', url: `/f/confirm/${link}`, remoteAddress: '198.51.100.9', headers: { 'user-agent': 'Mail client' } });
    expect(confirmed.statusCode).toBe(200);
    expect(confirmed.body).toContain('you are now subscribed to Weekly digest');
    expect(await membership(doi.listId, c.id)).toMatchObject({ status: 'subscribed', source: 'double-opt-in' });
    expect((await history(c.id)).map((h) => [h.status, h.source, h.ip, h.user_agent, h.text_version])).toEqual([
      ['pending', `form:${doi.id}`, '198.51.100.4', ua, 'nl-2026-01'],
      ['subscribed', 'double-opt-in', '198.51.100.9', 'Mail client', 'nl-2026-01'],
    ]);
    expect(joined(c.id, doi.listId)).toHaveLength(1);
    // Confirming again changes nothing.
    expect((await k.h.app.inject({ method: 'POST', url: `/f/confirm/${link}` })).body).toContain('already subscribed');
    expect(joined(c.id, doi.listId)).toHaveLength(1);

    // A tampered token is rejected and confirms nothing.
    const other = await k.h.app.inject({ method: 'POST', url: `/f/${doi.id}`, payload: { email: 'eve@example.org', first_name: 'Eve', consent: true } });
    expect(other.json()).toEqual({ status: 'pending' });
    const eve = (await contactBy('eve@example.org'))!;
    const forged = link.replace(c.id, eve.id);
    for (const bad of [forged, `${link.slice(0, -2)}AA`, 'nonsense']) {
      const r = await k.h.app.inject({ method: 'POST', url: `/f/confirm/${bad}` });
      expect(r.statusCode).toBe(400);
      expect(r.body).toContain('not valid');
    }
    expect(await membership(doi.listId, eve.id)).toMatchObject({ status: 'pending' });
    // Links expire after 30 days.
    k.h.clock.advance(31 * 24 * 3600_000);
    expect((await k.h.app.inject({ method: 'GET', url: `/f/confirm/${link}` })).statusCode).toBe(410);
  });

  it("with a confirmation template, the form's transactional template is sent with {{ data.confirm_url }}, and its link confirms", async () => {
    k.sink.clear();
    await saveTemplates(
      k.h.deps,
      k.t.workspaceId,
      [
        {
          id: 'doi-confirm',
          name: 'Confirm',
          kind: 'transactional',
          content: { subject: 'Confirm {{ data.list_name }}, {{ contact.first_name }}', body: '<html><body><p><a href="{{ data.confirm_url }}">Yes, subscribe me</a></p></body></html>' },
        },
      ],
      'upsert',
    );
    const form = await createForm(k.h.deps, k.t.workspaceId, { listId: doi.listId, name: 'templated', fields: [{ name: 'first_name', label: 'First name' }], confirmationTemplateId: 'doi-confirm' });
    expect((await k.h.app.inject({ method: 'POST', url: `/f/${form.id}`, payload: { email: 'tina@example.org', first_name: 'Tina' } })).json()).toEqual({ status: 'pending' });
    const [mail] = await k.sink.waitFor(1);
    expect(mail!.parsed.subject).toBe('Confirm Weekly digest, Tina');
    const href = /href="([^"]+)"/.exec(mail!.parsed.html || '')![1]!;
    expect(href.startsWith(`${PUBLIC_URL}/f/confirm/`)).toBe(true);
    const c = (await contactBy('tina@example.org'))!;
    expect((await k.h.app.inject({ method: 'POST', url: href.slice(PUBLIC_URL.length) })).statusCode).toBe(200);
    expect(await membership(doi.listId, c.id)).toMatchObject({ status: 'subscribed' });
    expect(joined(c.id, doi.listId)).toHaveLength(1);
  });

  it('a double opt-in form does not re-subscribe someone who unsubscribed: consent stays withdrawn (marketing skipped) until the confirmation click; the answer is the same as for an unknown address', async () => {
    const c = await k.contact('gone@example.org', { first_name: 'Gone' });
    await addMembers(k.h.deps, k.t.workspaceId, doi.listId, { contactIds: [c.id], status: 'subscribed', source: 'import' });
    await setConsent(k.h.deps, k.t.workspaceId, c.id, { channel: 'email', topic: '', status: 'subscribed', source: 'import' });
    await setConsent(k.h.deps, k.t.workspaceId, c.id, { channel: 'email', topic: '', status: 'unsubscribed', source: 'one-click' });
    k.sink.clear();
    const res = await k.h.app.inject({ method: 'POST', url: `/f/${doi.id}`, payload: { email: 'gone@example.org', first_name: 'Gone', consent: true } });
    const unknown = await k.h.app.inject({ method: 'POST', url: `/f/${doi.id}`, payload: { email: 'nobody-yet@example.org', first_name: 'N', consent: true } });
    expect(res.json()).toEqual({ status: 'pending' });
    expect(res.json()).toEqual(unknown.json());
    expect(await membership(doi.listId, c.id)).toMatchObject({ status: 'pending' });
    expect((await history(c.id)).map((h) => h.status)).toEqual(['subscribed', 'unsubscribed']);
    // The next marketing email does not reach them.
    expect(await k.send(c, { template: 'welcome-1', key: 'doi-resub:before' })).toEqual({ status: 'skipped', reason: 'unsubscribed from email' });
    const mails = await k.sink.waitFor(2);
    const mine = mails.find((m) => m.envelope.rcptTo[0] === 'gone@example.org')!;
    const link = new RegExp(`${PUBLIC_URL}(/f/confirm/[A-Za-z0-9_.-]+)`).exec(mine.parsed.text ?? '')![1]!;
    expect((await k.h.app.inject({ method: 'POST', url: link })).body).toContain('you are now subscribed');
    expect((await history(c.id)).map((h) => [h.status, h.source])).toEqual([
      ['subscribed', 'import'],
      ['unsubscribed', 'one-click'],
      ['subscribed', 'double-opt-in'],
    ]);
    expect((await k.send(c, { template: 'welcome-1', key: 'doi-resub:after' })).status).toBe('sent');
  });

  it('a confirmed subscriber signing up again on a double opt-in form gets the same answer as anyone (pending), no email, and nothing changes', async () => {
    const c = await k.contact('already@example.org', { first_name: 'Al' });
    await addMembers(k.h.deps, k.t.workspaceId, doi.listId, { contactIds: [c.id], status: 'subscribed', source: 'import' });
    await setConsent(k.h.deps, k.t.workspaceId, c.id, { channel: 'email', topic: '', status: 'subscribed', source: 'import' });
    k.sink.clear();
    const res = await k.h.app.inject({ method: 'POST', url: `/f/${doi.id}`, payload: { email: 'already@example.org', first_name: 'Al', consent: true } });
    expect(res.json()).toEqual({ status: 'pending' });
    expect(await membership(doi.listId, c.id)).toMatchObject({ status: 'subscribed', source: 'import' });
    expect((await history(c.id)).map((h) => h.status)).toEqual(['subscribed']);
    await new Promise((r) => setTimeout(r, 200));
    expect(k.sink.mails.filter((m) => m.envelope.rcptTo[0] === 'already@example.org')).toHaveLength(0);
  });

  it('a single opt-in form does not re-subscribe a withdrawn contact either: it answers "subscribed" like for anyone, keeps the withdrawal and sends the confirmation link', async () => {
    const c = await k.contact('left@example.org', { first_name: 'Left' });
    await setConsent(k.h.deps, k.t.workspaceId, c.id, { channel: 'email', topic: '', status: 'unsubscribed', source: 'preference-center' });
    k.sink.clear();
    const res = await postForm(single, { email: 'left@example.org', first_name: 'Left', consent: 'yes' }, '203.0.113.80');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Thank you, you are subscribed.');
    expect(await membership(single.listId, c.id)).toMatchObject({ status: 'pending' });
    expect((await history(c.id)).map((h) => h.status)).toEqual(['unsubscribed']);
    expect(joined(c.id, single.listId)).toHaveLength(0);
    const [mail] = await k.sink.waitFor(1);
    expect(mail!.envelope.rcptTo).toEqual(['left@example.org']);
    const link = new RegExp(`${PUBLIC_URL}(/f/confirm/[A-Za-z0-9_.-]+)`).exec(mail!.parsed.text ?? '')![1]!;
    expect((await k.h.app.inject({ method: 'POST', url: link })).statusCode).toBe(200);
    expect(await membership(single.listId, c.id)).toMatchObject({ status: 'subscribed' });
    expect(joined(c.id, single.listId)).toHaveLength(1);
  });

  it('a filled honeypot answers like a real signup and stores nothing', async () => {
    const res = await postForm(single, { email: 'bot@example.org', first_name: 'Bot', consent: 'yes', website: 'http://spam.example' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Thank you, you are subscribed.');
    expect(await contactBy('bot@example.org')).toBeUndefined();
  });

  it('invalid input re-renders the form with the errors (HTML) or answers 400 with field paths (JSON); nothing is stored', async () => {
    const res = await postForm(single, { email: 'not-an-email', first_name: '' }, '203.0.113.50');
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('role="alert"');
    expect(res.body).toMatch(/id="f-email"[^>]*aria-invalid="true" aria-describedby="f-email-error"/);
    expect(res.body).toContain('value="not-an-email"');
    const json = await k.h.app.inject({ method: 'POST', url: `/f/${single.id}`, remoteAddress: '203.0.113.50', payload: { email: 'x@example.org' } });
    expect(json.statusCode).toBe(400);
    expect(json.json().error.issues.map((i: { path: string }) => i.path)).toEqual(['first_name', 'consent']);
    expect(await contactBy('x@example.org')).toBeUndefined();
  });

  it('rate limit: the 11th signup within a minute from one IP is 429 with Retry-After; a minute later it is allowed again', async () => {
    const ip = '192.0.2.99';
    for (let i = 0; i < 10; i++) expect((await postForm(single, { email: `rl${i}@example.org`, first_name: 'R', consent: 'yes' }, ip)).statusCode).toBe(200);
    const limited = await postForm(single, { email: 'rl10@example.org', first_name: 'R', consent: 'yes' }, ip);
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(await contactBy('rl10@example.org')).toBeUndefined();
    expect((await postForm(single, { email: 'other-ip@example.org', first_name: 'R', consent: 'yes' }, '192.0.2.100')).statusCode).toBe(200);
    k.h.clock.advance(61_000);
    expect((await postForm(single, { email: 'rl10@example.org', first_name: 'R', consent: 'yes' }, ip)).statusCode).toBe(200);
  });
});
