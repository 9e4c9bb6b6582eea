import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../test/harness.js';
import { createContact } from '../contacts/contacts.js';
import { newId } from '../core/ids.js';

describe.each(backends())('stats routes on %s', (kind) => {
  let h: Harness;
  let t: Tenant;
  beforeAll(async () => {
    h = await createHarness(kind);
    t = await h.tenant();
    const c = await createContact(h.deps, t.workspaceId, { email: 'b@example.com', attributes: {} });
    const now = h.clock.now();
    // Two broadcast messages and one that is not, as the broadcasts feature records them.
    const row = (key: string, status: 'sent' | 'failed', clicked: boolean) => ({
      id: newId('msg', now),
      workspace_id: t.workspaceId,
      contact_id: c.id,
      channel: 'email',
      kind: 'marketing' as const,
      idempotency_key: key,
      journey_id: null,
      journey_version: null,
      run_id: null,
      node_id: null,
      template_id: 'news',
      template_version: 1,
      topic: null,
      provider: 'smtp',
      status,
      reason: null,
      provider_message_id: null,
      header_message_id: null,
      to_address: 'b@example.com',
      subject: 's',
      links: '[]',
      attempts: 1,
      lease_until: null,
      open_count: clicked ? 1 : 0,
      click_count: clicked ? 1 : 0,
      first_opened_at: clicked ? now : null,
      first_clicked_at: clicked ? now : null,
      created_at: now,
      sent_at: status === 'sent' ? now : null,
      updated_at: now,
    });
    await h.deps.store.db
      .insertInto('messages')
      .values([row('broadcast:spring:1', 'sent', true), row('broadcast:spring:2', 'failed', false), row('broadcast:springer:1', 'sent', false)])
      .execute();
  });
  afterAll(async () => h?.close());

  it('broadcast stats count only messages whose key starts with broadcast:<id>:', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/broadcasts/spring/stats', headers: t.admin });
    expect(res.statusCode).toBe(200);
    expect(res.json().total.messages).toMatchObject({ recorded: 2, sent: 1, failed: 1, uniqueClicks: 1 });
  });

  it('?format=csv answers a CSV with a header and the total line', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/stats/overview?format=csv', headers: t.admin });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const [header, total] = res.body.trim().split('\n');
    expect(header!.split(',').slice(0, 5)).toEqual(['section', 'key', 'channel', 'recorded', 'queued']);
    expect(total!.split(',').slice(0, 5)).toEqual(['total', 'all', '', '3', '0']);
  });

  it('needs the admin key; an unknown journey is 404; settings round-trip', async () => {
    expect((await h.app.inject({ method: 'GET', url: '/api/stats/overview', headers: t.write })).statusCode).toBe(403);
    expect((await h.app.inject({ method: 'GET', url: '/api/journeys/nope/stats', headers: t.admin })).statusCode).toBe(404);
    const put = await h.app.inject({ method: 'PUT', url: '/api/stats/settings', headers: t.admin, payload: { costPerMessage: { email: 0.002 } } });
    expect(put.statusCode).toBe(200);
    expect((await h.app.inject({ method: 'GET', url: '/api/stats/settings', headers: t.admin })).json()).toEqual({
      costPerMessage: { email: 0.002 },
      clickWindowMs: 432_000_000,
      openWindowMs: 86_400_000,
    });
    const o = (await h.app.inject({ method: 'GET', url: '/api/stats/overview?from=1970-01-01T00:00:00Z', headers: t.admin })).json();
    expect(o.total.cost).toBe(0.004);
  });
});
