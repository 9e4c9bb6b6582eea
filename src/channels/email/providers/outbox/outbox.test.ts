import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simpleParser } from 'mailparser';
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
      .values({ workspace_id: t.workspaceId, message_id: messageId, from_address: 'a@example.com', to_address: 'tokens@example.org', subject: 'Tokens', html_body: html, text_body: text, headers: toJson(headers), raw: `${html}\r\n${text}`, created_at: h.clock.now() })
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
});
