import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { emailKit, type EmailKit } from '../channels/email/test-kit.js';
import { signBody } from '../channels/webhook/webhook.js';
import { saveTemplates } from '../templates/service.js';
import { DAY_MS, generatePlanted, PLANTED, type PlantedWorkspace } from './planted.testkit.js';
import { insightTasks } from './scan.js';

interface Received {
  body: string;
  signature: string | undefined;
}

describe.each(backends())('the insights scan task, its alerts and its API (%s)', (kind) => {
  let k: EmailKit;
  let w: PlantedWorkspace;
  let hook: http.Server;
  const received: Received[] = [];
  let hookUrl = '';
  const day = (n: number, hours = 1) => PLANTED.start + n * DAY_MS + hours * 3_600_000;

  beforeAll(async () => {
    k = await emailKit(kind);
    const ws = k.t.workspaceId;
    w = await generatePlanted(k.h.deps.store, { workspaceId: ws, contacts: 3000 });
    await saveTemplates(
      k.h.deps,
      ws,
      [{ id: 'insight-alert', name: 'Insight alert', kind: 'transactional', content: { subject: 'Anomaly: {{ data.anomaly.explanation.summary }}', body: '<p>{{ data.anomaly.metric }}</p>' } }],
      'upsert',
    );
    const db = k.h.deps.store.db;
    await db
      .insertInto('users')
      .values([
        { id: 'usr_admin', email: 'admin@team.example', name: 'Admin', password_hash: 'x', created_at: 0 },
        { id: 'usr_viewer', email: 'viewer@team.example', name: 'Viewer', password_hash: 'x', created_at: 0 },
      ])
      .execute();
    await db
      .insertInto('workspace_members')
      .values([
        { workspace_id: ws, user_id: 'usr_admin', role: 'admin', created_at: 0 },
        { workspace_id: ws, user_id: 'usr_viewer', role: 'viewer', created_at: 0 },
      ])
      .execute();
    await db
      .updateTable('workspaces')
      .set({ settings: JSON.stringify({ webhookSecret: 'whsec-test', allowPrivateWebhookTargets: true }) })
      .where('id', '=', ws)
      .execute();
    hook = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        received.push({ body, signature: req.headers['x-qatra-signature'] as string | undefined });
        res.statusCode = 204;
        res.end();
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/alerts`;
  }, 240_000);
  afterAll(async () => {
    await new Promise((resolve) => hook?.close(resolve));
    await k?.close();
  });

  it('refuses settings with a bad webhook URL, with the field path', async () => {
    const res = await k.h.app.inject({ method: 'PUT', url: '/api/insights/settings', headers: k.t.admin, payload: { alertTemplateId: 'insight-alert', webhookUrl: 'ftp://x' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.issues[0].path).toBe('body.webhookUrl');
  });

  it('alerts the day-20 bounce spike once: not the day before, not again while it continues', async () => {
    const put = await k.h.app.inject({ method: 'PUT', url: '/api/insights/settings', headers: k.t.admin, payload: { alertTemplateId: 'insight-alert', webhookUrl: hookUrl } });
    expect(put.statusCode, put.body).toBe(200);
    const task = insightTasks(k.h.deps);
    k.sink.clear();

    k.h.clock.set(day(20)); // scans day 19: before the spike
    expect(await task.tick()).toBe(0);
    expect(await task.tick()).toBe(0); // scanned through today: nothing due
    k.h.clock.set(day(21)); // scans day 20
    expect(await task.tick()).toBe(1);
    k.h.clock.set(day(22)); // scans day 21: the same incident continues
    expect(await task.tick()).toBe(1);
    // A scan repeated over days already scanned (a crash before scanned_through moved) finds days 20
    // and 21 again, and alerts nothing new.
    await k.h.deps.store.db
      .updateTable('insight_settings')
      .set({ scanned_through: day(20, 0) })
      .where('workspace_id', '=', w.workspaceId)
      .execute();
    expect(await task.tick()).toBe(2);

    // One email, to the admin only (not the viewer), through the transactional path.
    const [mail] = await k.sink.waitFor(1);
    expect(mail!.envelope.rcptTo).toEqual(['admin@team.example']);
    expect(mail!.parsed.subject).toMatch(new RegExp(`^Anomaly: hard bounces ×\\d+\\.\\d .* at domain ${PLANTED.spikeDomain.replaceAll('.', '\\.')}$`));
    const messages = await k.h.deps.store.db.selectFrom('messages').select(['kind', 'idempotency_key']).where('idempotency_key', 'like', 'api:insight:%').execute();
    expect(messages).toHaveLength(1);
    expect(messages[0]!.kind).toBe('transactional');

    // One webhook, signed with the workspace secret.
    expect(received).toHaveLength(1);
    expect(received[0]!.signature).toBe(signBody(received[0]!.body, 'whsec-test'));
    const alert = JSON.parse(received[0]!.body);
    expect(alert).toMatchObject({ type: 'insight.anomaly', workspaceId: w.workspaceId, anomaly: { metric: 'hard_bounce_rate', startedAt: day(20, 0), scope: { kind: 'channel', id: 'email' } } });

    // /metrics: one incident opened, one open.
    const text = await k.h.deps.metrics.registry.metrics();
    expect(text).toContain('qatra_insight_anomalies_total{metric="hard_bounce_rate"} 1');
    expect(text).toContain('qatra_insight_open_anomalies{metric="hard_bounce_rate"} 1');
  });

  it('lists the incident with its drill-down, and recomputes the drill-down of a later day', async () => {
    const list = await k.h.app.inject({ method: 'GET', url: '/api/insights/anomalies?status=open', headers: k.t.admin });
    expect(list.statusCode, list.body).toBe(200);
    const [a] = list.json().data;
    expect(list.json().data).toHaveLength(1);
    expect(a).toMatchObject({ metric: 'hard_bounce_rate', direction: 'up', startedAt: day(20, 0), lastSeenAt: day(21, 0), status: 'open' });
    expect(a.explanation.dimensions.find((d: { dimension: string }) => d.dimension === 'domain').values[0]).toMatchObject({ value: PLANTED.spikeDomain });
    const drill = await k.h.app.inject({ method: 'GET', url: `/api/insights/anomalies/${a.id}/drill-down?bucket=${day(21, 0)}`, headers: k.t.admin });
    expect(drill.statusCode, drill.body).toBe(200);
    expect(drill.json().summary).toContain(`at domain ${PLANTED.spikeDomain}`);
    const bad = await k.h.app.inject({ method: 'GET', url: `/api/insights/anomalies/${a.id}/drill-down?bucket=${day(25, 0)}`, headers: k.t.admin });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.issues[0].path).toBe('bucket');
    const missing = await k.h.app.inject({ method: 'GET', url: '/api/insights/anomalies/ano_nope', headers: k.t.admin });
    expect(missing.statusCode).toBe(404);
    const unauthorised = await k.h.app.inject({ method: 'GET', url: '/api/insights/anomalies', headers: k.t.write });
    expect(unauthorised.statusCode).toBeGreaterThanOrEqual(401);
  });

  it('answers the daily series per channel, and refuses an unbounded hourly range', async () => {
    const res = await k.h.app.inject({ method: 'GET', url: `/api/insights/series?bucket=day&by=channel&key=email&from=${day(19, 0)}&to=${day(21, 0)}`, headers: k.t.admin });
    expect(res.statusCode, res.body).toBe(200);
    const [d19, d20] = res.json().points;
    expect(res.json().points).toHaveLength(2);
    expect(d20.bucket).toBe(day(20, 0));
    expect(d20.hardBounces).toBeGreaterThan(5 * d19.hardBounces);
    expect(d20.unsubscribes).not.toBeNull();
    expect(d20.conversions).toBeNull();
    const tooLong = await k.h.app.inject({ method: 'GET', url: `/api/insights/series?bucket=hour&from=0&to=${day(40)}`, headers: k.t.admin });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json().error.issues[0].path).toBe('from');
    const ws = await k.h.app.inject({ method: 'GET', url: `/api/insights/series?from=${w.start}&to=${w.end}`, headers: k.t.admin });
    const total = ws.json().points.reduce((a: number, p: { conversions: number }) => a + p.conversions, 0);
    expect(total).toBe(w.counts.conversions);
  });
});
