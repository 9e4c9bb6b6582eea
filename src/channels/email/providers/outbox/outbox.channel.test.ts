import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../../../../test/harness.js';
import { toJson } from '../../../../core/json.js';

describe.each(backends())('GET /api/outbox by channel on %s', (kind) => {
  let h: Harness;
  let t: Tenant;
  beforeAll(async () => {
    h = await createHarness(kind);
    t = await h.tenant();
    const row = (channel: string, to: string, text: string, subject: string) => ({
      workspace_id: t.workspaceId,
      channel,
      message_id: null,
      from_address: channel === 'sms' ? 'Qatra' : 'a@example.com',
      to_address: to,
      subject,
      html_body: null,
      text_body: text,
      headers: toJson(channel === 'sms' ? { encoding: 'ucs2', segments: 2 } : { Subject: subject }),
      raw: text,
      created_at: h.clock.now(),
    });
    await h.deps.store.db
      .insertInto('outbox')
      .values([row('email', 'one@example.org', 'Hello', 'Hi'), row('sms', '+966501234567', 'مرحبا', ''), row('email', 'two@example.org', 'Again', 'Hi again')])
      .execute();
  });
  afterAll(async () => h?.close());

  it('returns each message with its channel (an SMS row as the SMS outbox stores it: segments a number), and only that channel when filtered', async () => {
    const all = (await h.app.inject({ method: 'GET', url: '/api/outbox', headers: t.admin })).json().data as { channel: string; to: string }[];
    expect(all.map((e) => [e.channel, e.to])).toEqual([
      ['email', 'two@example.org'],
      ['sms', '+966501234567'],
      ['email', 'one@example.org'],
    ]);
    const sms = await h.app.inject({ method: 'GET', url: '/api/outbox?channel=sms', headers: t.admin });
    expect(sms.statusCode).toBe(200);
    expect(sms.json().data).toMatchObject([{ channel: 'sms', to: '+966501234567', text: 'مرحبا', subject: '', headers: { encoding: 'ucs2', segments: '2' } }]);
    const email = (await h.app.inject({ method: 'GET', url: '/api/outbox?channel=email&limit=1', headers: t.admin })).json().data;
    expect(email.map((e: { to: string }) => e.to)).toEqual(['two@example.org']);
    expect((await h.app.inject({ method: 'GET', url: '/api/outbox?channel=push', headers: t.admin })).json().data).toEqual([]);
  });

  it('refuses a malformed channel with 400 naming the field', async () => {
    const res = await h.app.inject({ method: 'GET', url: `/api/outbox?channel=${encodeURIComponent("sms' OR 1=1")}`, headers: t.admin });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.issues[0].path).toBe('querystring.channel');
  });
});
