import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../test/harness.js';
import { saveTemplates } from '../templates/service.js';
import { footerPartial, welcomeMjml } from '../templates/test-fixtures.js';
import { DAY_MS } from './scope.js';

describe.each(backends())('the workspace overview on %s', (kind) => {
  let h: Harness;
  let t: Tenant;
  const T0 = Date.UTC(2026, 0, 20);
  beforeAll(async () => {
    h = await createHarness(kind);
    t = await h.tenant();
    await saveTemplates(h.deps, t.workspaceId, [footerPartial, welcomeMjml], 'upsert');
  });
  afterAll(async () => h?.close());

  let seq = 0;
  const track = async (at: number, properties: Record<string, unknown>) => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/v1/track',
      headers: t.write,
      payload: { userId: 'buyer', event: 'Order Completed', properties, timestamp: new Date(at).toISOString(), messageId: `ov-${++seq}` },
    });
    expect(res.statusCode, res.body).toBe(200);
  };
  const sendAt = async (at: number, email: string) => {
    h.clock.set(at);
    const res = await h.app.inject({ method: 'POST', url: '/api/messages/send', headers: t.admin, payload: { templateId: 'welcome-1', email } });
    expect(res.json().result.status, res.body).toBe('sent');
  };

  it('answers the range and the previous period in one request, revenue per currency never summed across currencies', async () => {
    const from = T0 - 7 * DAY_MS;
    // Previous period [T0-14d, T0-7d): one message, SAR 30.
    await sendAt(T0 - 10 * DAY_MS, 'old@example.com');
    await track(T0 - 9 * DAY_MS, { revenue: 30, currency: 'sar' });
    // This period [T0-7d, T0): three messages on two days, SAR 100 + 50.5, USD 20; a text revenue and an event after the range count for nothing.
    await sendAt(T0 - 6 * DAY_MS, 'a@example.com');
    await sendAt(T0 - 6 * DAY_MS + 1000, 'b@example.com');
    await sendAt(T0 - 2 * DAY_MS, 'c@example.com');
    await track(T0 - 5 * DAY_MS, { revenue: 100, currency: 'SAR' });
    await track(T0 - 4 * DAY_MS, { revenue: 50.5, currency: 'SAR' });
    await track(T0 - 3 * DAY_MS, { revenue: 20, currency: 'USD' });
    await track(T0 - 3 * DAY_MS, { revenue: '12', currency: 'USD' });
    await track(T0 + DAY_MS, { revenue: 999, currency: 'USD' });
    h.clock.set(T0 + 2 * DAY_MS);

    const res = await h.app.inject({ method: 'GET', url: `/api/stats/workspace?from=${from}&to=${T0}`, headers: t.admin });
    expect(res.statusCode, res.body).toBe(200);
    const o = res.json();
    expect(o.range).toEqual({ from, to: T0 });
    expect(o.previousRange).toEqual({ from: from - 7 * DAY_MS, to: from });
    expect(o.current.total.messages.sent).toBe(3);
    expect(o.previous.total.messages.sent).toBe(1);
    expect(o.current.byChannel.email.sent).toBe(3);
    expect(o.current.byTemplate.find((r: { key: string }) => r.key === 'welcome-1').messages.sent).toBe(3);
    expect(o.current.series.map((p: { bucket: number; messages: { sent: number } }) => [p.bucket, p.messages.sent])).toEqual([
      [T0 - 6 * DAY_MS, 2],
      [T0 - 2 * DAY_MS, 1],
    ]);
    expect(o.revenue).toEqual({
      current: [
        { currency: 'SAR', amount: 150.5, events: 2 },
        { currency: 'USD', amount: 20, events: 1 },
      ],
      previous: [{ currency: 'SAR', amount: 30, events: 1 }],
    });
  });

  it('refuses a missing, reversed or too long range with its field', async () => {
    const get = (q: string) => h.app.inject({ method: 'GET', url: `/api/stats/workspace?${q}`, headers: t.admin });
    expect((await get('from=5')).statusCode).toBe(400);
    const reversed = await get(`from=${T0}&to=${T0 - 1}`);
    expect(reversed.statusCode).toBe(400);
    expect(reversed.json().error.issues[0].path).toBe('querystring.to');
    const long = await get(`from=0&to=${T0}`);
    expect(long.statusCode).toBe(400);
    expect(long.json().error.issues[0].path).toBe('querystring.from');
  });
});
