import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { simpleParser } from 'mailparser';
import { dkimVerify } from 'mailauth';
import { backends } from '../../../../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../../../../test/harness.js';
import { saveTemplates } from '../../../../templates/service.js';
import { footerPartial, welcomeMjml } from '../../../../templates/test-fixtures.js';
import { receiptTemplate } from '../../test-kit.js';
import { signToken, workspaceSecret } from '../../../../tracking/tokens.js';
import { confirmToken } from '../../../../forms/confirm-token.js';
import { newId } from '../../../../core/ids.js';
import { toJson } from '../../../../core/json.js';
import { acceptInvite, createInvite } from '../../../../users/users.js';
import { createSession } from '../../../../users/sessions.js';
import type { Role } from '../../../../users/tables.js';

describe.each(backends())('the outbox provider (default without SMTP) on %s', (kind) => {
  let h: Harness;
  let t: Tenant;
  beforeAll(async () => {
    h = await createHarness(kind);
    t = await h.tenant();
    await saveTemplates(h.deps, t.workspaceId, [footerPartial, welcomeMjml, receiptTemplate], 'upsert');
  });
  afterAll(async () => h?.close());

  it('stores the composed message; GET /api/outbox and the /outbox page show it', async () => {
    const sent = await h.app.inject({ method: 'POST', url: '/api/messages/send', headers: t.admin, payload: { templateId: 'receipt', email: 'fresh@example.org', data: { order: '<b>42</b>' } } });
    expect(sent.statusCode).toBe(200);
    expect(sent.json().result.status).toBe('sent');
    expect(sent.json().message.provider).toBe('outbox');

    const api = await h.app.inject({ method: 'GET', url: '/api/outbox', headers: t.admin });
    expect(api.statusCode).toBe(200);
    const [entry] = api.json().data;
    expect(entry).toMatchObject({ to: 'fresh@example.org', subject: 'Your receipt <b>42</b>', messageId: sent.json().message.id });
    expect(entry.headers['Message-ID']).toMatch(/^<[0-9a-f]{32}\.[0-9a-f]{20}@localhost\.localdomain>$/);

    const raw = await h.app.inject({ method: 'GET', url: `/api/outbox/${entry.id}/raw`, headers: t.admin });
    const parsed = await simpleParser(raw.body);
    expect(parsed.subject).toBe('Your receipt <b>42</b>');
    expect(parsed.messageId).toBe(entry.headers['Message-ID']);

    const basic = { authorization: `Basic ${Buffer.from(`${t.adminKey}:`).toString('base64')}` };
    const list = await h.app.inject({ method: 'GET', url: '/outbox', headers: basic });
    expect(list.statusCode).toBe(200);
    expect(list.headers['content-type']).toMatch(/text\/html/);
    expect(list.body).toContain('fresh@example.org');
    expect(list.body).toContain('Your receipt &lt;b&gt;42&lt;/b&gt;');
    expect(list.body).not.toContain('<b>42</b>');
    const one = await h.app.inject({ method: 'GET', url: `/outbox/${entry.id}`, headers: basic });
    expect(one.statusCode).toBe(200);
    expect(one.body).toContain('<iframe sandbox=""');
  });

  it('the /outbox page asks the browser for a key and shows nothing without one', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/outbox' });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Basic /);
    const other = await h.tenant();
    const otherList = await h.app.inject({ method: 'GET', url: '/outbox', headers: { authorization: `Basic ${Buffer.from(`${other.adminKey}:`).toString('base64')}` } });
    expect(otherList.body).not.toContain('fresh@example.org');
    expect((await h.app.inject({ method: 'GET', url: '/outbox', headers: { authorization: `Basic ${Buffer.from(`${t.writeKey}:`).toString('base64')}` } })).statusCode).toBe(403);
  });

  it('a viewer sees outbox messages with every token signature redacted and may not fetch the raw message; an editor may', async () => {
    const secret = await workspaceSecret(h.deps.store, t.workspaceId);
    const messageId = newId('msg', h.clock.now());
    const unsub = signToken(secret, 'unsubscribe', { messageId });
    const prefs = signToken(secret, 'preferences', { messageId });
    const click = signToken(secret, 'click', { messageId, linkIndex: 3 });
    const confirm = confirmToken(secret, newId('frm', h.clock.now()), newId('ct', h.clock.now()), h.clock.now());
    const secrets = [unsub, prefs, click, confirm].map((tok) => tok.slice(tok.lastIndexOf('.') + 1));
    const html = `<a href="https://q.example.com/u/${unsub}">Unsubscribe</a> <a href="https://q.example.com/p/${prefs}">Prefs</a> <a href="https://q.example.com/c/${click}">Shop</a> <a href="https://q.example.com/f/confirm/${confirm}">Confirm</a>`;
    const text = `Unsubscribe: https://q.example.com/u/${unsub.toUpperCase()}\nConfirm: https://q.example.com/f/confirm/${confirm}`;
    const headers = { 'List-Unsubscribe': `<https://q.example.com/u/${unsub}>, <mailto:unsubscribe+${unsub}@bounce.example.com>`, Subject: 'Tokens' };
    await h.deps.store.db
      .insertInto('outbox')
      .values({
        workspace_id: t.workspaceId,
        message_id: messageId,
        from_address: 'a@example.com',
        to_address: 'tokens@example.org',
        subject: 'Tokens',
        html_body: html,
        text_body: text,
        headers: toJson(headers),
        raw: `${html}\r\n${text}`,
        created_at: h.clock.now(),
      })
      .execute();

    const browser = async (role: Role) => {
      const invite = await createInvite(h.deps, { workspaceId: t.workspaceId, role, email: `${role}-outbox@example.com` });
      const done = await acceptInvite(h.deps, { token: invite.token, password: 'correct horse battery' });
      const s = await createSession(h.deps, done.user.id, t.workspaceId);
      return { cookie: `qatra_session=${s.token}`, 'x-csrf-token': s.csrfToken };
    };
    const viewer = await browser('viewer');
    const editor = await browser('editor');

    const seen = await h.app.inject({ method: 'GET', url: '/api/outbox', headers: viewer });
    expect(seen.statusCode).toBe(200);
    const entry = seen.json().data.find((e: { subject: string }) => e.subject === 'Tokens');
    const shown = JSON.stringify(entry);
    for (const sig of secrets) expect(shown.toLowerCase()).not.toContain(sig.toLowerCase());
    expect(entry.html).toContain(`https://q.example.com/u/${unsub.split('.')[0]}.redacted`);
    expect(entry.headers['List-Unsubscribe']).toContain('mailto:unsubscribe+');
    expect(entry.headers['List-Unsubscribe']).toContain('.redacted@bounce.example.com');
    expect(entry.to).toBe('tokens@example.org');
    const raw = await h.app.inject({ method: 'GET', url: `/api/outbox/${entry.id}/raw`, headers: viewer });
    expect(raw.statusCode).toBe(403);
    expect(raw.body).not.toContain(secrets[0]);

    const full = (await h.app.inject({ method: 'GET', url: '/api/outbox', headers: editor })).json().data.find((e: { subject: string }) => e.subject === 'Tokens');
    expect(full.html).toBe(html);
    expect(full.headers).toEqual(headers);
    const editorRaw = await h.app.inject({ method: 'GET', url: `/api/outbox/${entry.id}/raw`, headers: editor });
    expect(editorRaw.statusCode).toBe(200);
    expect(editorRaw.body).toContain(unsub);
    // Machines with an admin key see everything, as before.
    expect((await h.app.inject({ method: 'GET', url: '/api/outbox', headers: t.admin })).json().data.find((e: { subject: string }) => e.subject === 'Tokens').html).toBe(html);
  });

  it('stores byte for byte what SMTP would send: CRLF on every line, and DKIM-signed (mailauth: pass) when the workspace has a key', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'der' } });
    // mailauth's own test seam: a resolver answering the selector's TXT record with our public key.
    const resolver = async (name: string, type: string) => {
      if (type === 'TXT' && name === 'qatra1._domainkey.news.example.com') return [[`v=DKIM1; k=rsa; p=${publicKey.toString('base64')}`]];
      throw Object.assign(new Error(`no ${type} for ${name}`), { code: 'ENOTFOUND' });
    };
    const signed = await h.tenant();
    await saveTemplates(h.deps, signed.workspaceId, [footerPartial, welcomeMjml, receiptTemplate], 'upsert');
    const put = await h.app.inject({
      method: 'PUT',
      url: '/api/email/provider',
      headers: signed.admin,
      payload: { provider: 'outbox', from: { address: 'shop@news.example.com', name: 'Shop' }, dkim: { domain: 'news.example.com', selector: 'qatra1', privateKey } },
    });
    expect(put.statusCode).toBe(200);
    const sent = await h.app.inject({
      method: 'POST',
      url: '/api/messages/send',
      headers: signed.admin,
      payload: { templateId: 'receipt', email: 'reader@example.org', data: { order: 'سفارش ۴۲\nline two' } },
    });
    expect(sent.json().result.status).toBe('sent');
    const [entry] = (await h.app.inject({ method: 'GET', url: '/api/outbox', headers: signed.admin })).json().data;
    const raw = (await h.app.inject({ method: 'GET', url: `/api/outbox/${entry.id}/raw`, headers: signed.admin })).rawPayload;

    expect(raw.toString('latin1')).toMatch(/^DKIM-Signature: /);
    const bareLf = raw
      .toString('latin1')
      .split('\r\n')
      .filter((line) => line.includes('\n'));
    expect(bareLf, 'lines ending in a bare LF').toEqual([]);

    const { results } = await dkimVerify(raw, { resolver: resolver as never });
    expect(results).toHaveLength(1);
    expect(results[0]!.status.result).toBe('pass');
    expect(results[0]!.signingDomain).toBe('news.example.com');
  });

  it('unsigned (no DKIM key), every line still ends in CRLF', async () => {
    // A message the outbox provider composed (not a row another test inserted by hand).
    const entry = (await h.app.inject({ method: 'GET', url: '/api/outbox', headers: t.admin })).json().data.find((e: { subject: string }) => e.subject !== 'Tokens');
    const raw = (await h.app.inject({ method: 'GET', url: `/api/outbox/${entry.id}/raw`, headers: t.admin })).rawPayload.toString('latin1');
    expect(raw).not.toMatch(/^DKIM-Signature/m);
    expect(raw.split('\r\n').filter((line) => line.includes('\n'))).toEqual([]);
  });

  it('viewing a message is not an open: the viewer copy (API viewerHtml, the /outbox/:id frame) has no pixel and no link to the click recorder', async () => {
    const tracked = await h.tenant();
    await saveTemplates(h.deps, tracked.workspaceId, [receiptTemplate], 'upsert');
    const put = await h.app.inject({
      method: 'PUT',
      url: '/api/email/provider',
      headers: tracked.admin,
      payload: { provider: 'outbox', from: { address: 'shop@example.com' }, tracking: { opens: true, clicks: true, transactional: true } },
    });
    expect(put.statusCode).toBe(200);
    const sent = await h.app.inject({ method: 'POST', url: '/api/messages/send', headers: tracked.admin, payload: { templateId: 'receipt', email: 'reader@example.org', data: { order: '42' } } });
    expect(sent.json().result.status).toBe('sent');
    const [entry] = (await h.app.inject({ method: 'GET', url: '/api/outbox', headers: tracked.admin })).json().data;
    // What was sent keeps its tracking; what a viewer renders has none.
    expect(entry.html).toMatch(/\/o\/[^"]+\.gif/);
    expect(entry.html).toMatch(/href="[^"]*\/c\//);
    expect(entry.viewerHtml).not.toMatch(/\/[oc]\//);
    expect(entry.viewerHtml).toContain('Order 42');

    const basic = { authorization: `Basic ${Buffer.from(`${tracked.adminKey}:`).toString('base64')}` };
    const page = (await h.app.inject({ method: 'GET', url: `/outbox/${entry.id}`, headers: basic })).body;
    const frame = /<iframe[^>]*srcdoc="([^"]*)"/.exec(page)?.[1];
    expect(frame).toContain('Order 42');
    expect(frame).not.toMatch(/\/[oc]\//);
  });
});
