import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../test/backends.js';
import { toJson } from '../../core/json.js';
import { startWebhookServer, type WebhookServer } from '../../channels/webhook/server.testkit.js';
import { runtimeFixture, type RuntimeFixture } from './runtime.testkit.js';

const DAY = 86_400_000;
const SECRET = 'whsec_test_1234';

function welcome(url: string) {
  const msg = (id: string) => ({ id, type: 'message', channel: 'webhook', config: { url } });
  return {
    id: 'welcome',
    name: 'Welcome series',
    trigger: { type: 'contact_created' },
    start: 'm1',
    nodes: [msg('m1'), { id: 'd1', type: 'delay', duration: '3d' }, msg('m2'), { id: 'd2', type: 'delay', duration: '4d' }, msg('m3'), { id: 'done', type: 'exit' }],
    edges: [
      { from: 'm1', to: 'd1' },
      { from: 'd1', to: 'm2' },
      { from: 'm2', to: 'd2' },
      { from: 'd2', to: 'm3' },
      { from: 'm3', to: 'done' },
    ],
  };
}

describe.each(backends())('journey deliveries on %s', (kind) => {
  let f: RuntimeFixture;
  let hook: WebhookServer;
  beforeAll(async () => {
    f = await runtimeFixture(kind, { config: { allowPrivateOutbound: true } });
    hook = await startWebhookServer(SECRET);
    await f.h.deps.store.db
      .updateTable('workspaces')
      .set({ settings: toJson({ webhookSecret: SECRET, allowPrivateWebhookTargets: true }) })
      .where('id', '=', f.t.workspaceId)
      .execute();
  });
  afterAll(async () => {
    await hook?.close();
    await f?.close();
  });

  it('a 3-message welcome series over 7 days reaches a real webhook once per message, signed', async () => {
    await f.live(welcome(hook.url));
    const ada = await f.contact({ userId: 'ada', email: 'ada@example.com' });
    await f.worker.drain();
    expect(hook.received).toHaveLength(1);
    const [run] = await f.runs('welcome');
    expect(run!.status).toBe('active');
    expect(run!.node).toBe('m2');
    expect(run!.dueAt).toBe(f.h.clock.now() + 3 * DAY);

    await f.advance(3 * DAY - 1000);
    expect(hook.received).toHaveLength(1);
    await f.advance(1000);
    expect(hook.received).toHaveLength(2);
    await f.advance(4 * DAY);
    expect(hook.received).toHaveLength(3);
    await f.advance(30 * DAY);
    expect(hook.received).toHaveLength(3);

    for (const r of hook.received) {
      expect(r.signatureValid).toBe(true);
      expect(r.headers['x-qatra-timestamp']).toMatch(/^\d+$/);
      expect(r.body.contact.id).toBe(ada.id);
      expect(r.body.context.journeyId).toBe('welcome');
    }
    expect(hook.received.map((r) => r.body.idempotencyKey)).toEqual([`run:${run!.id}:m1:1`, `run:${run!.id}:m2:3`, `run:${run!.id}:m3:5`]);
    const [done] = await f.runs('welcome');
    expect(done!.status).toBe('completed');
    expect(done!.exitReason).toBe('exit_node');
    const steps = await f.steps(run!.id);
    expect(steps.map((s) => `${s.node}:${s.outcome}`)).toEqual(['m1:sent', 'd1:delayed', 'm2:sent', 'd2:delayed', 'm3:sent', 'done:completed']);
    const deliveries = await f.h.deps.store.db.selectFrom('deliveries').selectAll().where('run_id', '=', run!.id).execute();
    expect(deliveries.map((d) => d.status)).toEqual(['sent', 'sent', 'sent']);
  });

  it('a webhook answering 500 is retried with backoff, then the run errors, without holding up other runs', async () => {
    const bad = { ...welcome(`${hook.url}?bad`), id: 'retry-demo', trigger: { type: 'event', event: 'signed_up' } };
    bad.nodes = [
      { id: 'm1', type: 'message', channel: 'webhook', config: { url: `${hook.url}?bad` } },
      { id: 'done', type: 'exit' },
    ];
    bad.edges = [{ from: 'm1', to: 'done' }];
    await f.live(bad);
    await f.contact({ userId: 'bob' });
    await f.contact({ userId: 'cy' });
    await f.worker.drain();
    hook.respond = (body) => (body.contact.userId === 'bob' ? 500 : 200);
    await f.track('bob', 'signed_up');
    await f.track('cy', 'signed_up');
    await f.worker.drain();
    // cy's run is not held up by bob's failure: it completed in the same drain.
    const runs = await f.runs('retry-demo');
    const cy = runs.find((r) => r.status === 'completed')!;
    const bob = runs.find((r) => r.status === 'active')!;
    expect(cy).toBeDefined();
    expect(bob.attempts).toBe(1);
    expect(bob.lastError).toMatch(/HTTP 500 \(attempt 1\)/);
    // First backoff: 60 s ±20%.
    expect(bob.dueAt! - f.h.clock.now()).toBeGreaterThanOrEqual(48_000);
    expect(bob.dueAt! - f.h.clock.now()).toBeLessThanOrEqual(72_000);
    await f.advance(80_000);
    const second = (await f.runs('retry-demo')).find((r) => r.id === bob.id)!;
    expect(second.attempts).toBe(2);
    // Second backoff: 120 s ±20%.
    expect(second.dueAt! - f.h.clock.now()).toBeGreaterThanOrEqual(96_000);
    await f.advance(200_000);
    const errored = (await f.runs('retry-demo')).find((r) => r.id === bob.id)!;
    expect(errored.status).toBe('errored');
    expect(errored.exitReason).toMatch(/HTTP 500 \(gave up after 3 attempts\)/);
    const d = await f.h.deps.store.db.selectFrom('deliveries').selectAll().where('run_id', '=', bob.id).executeTakeFirstOrThrow();
    expect(d.status).toBe('failed');
    expect(Number(d.attempts)).toBe(3);
    expect((await f.steps(bob.id)).map((s) => s.outcome)).toEqual(['failed']);
    expect(hook.received.filter((r) => r.body.contact.userId === 'bob' && r.body.context.journeyId === 'retry-demo')).toHaveLength(3);
    hook.respond = null;
  });
});
