import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simpleParser } from 'mailparser';
import { backends } from '../../../../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../../../../test/harness.js';
import { saveTemplates } from '../../../../templates/service.js';
import { footerPartial, welcomeMjml } from '../../../../templates/test-fixtures.js';
import { receiptTemplate } from '../../test-kit.js';

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
});
