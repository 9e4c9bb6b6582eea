import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../test/backends.js';
import { newId } from '../../core/ids.js';
import { toJson } from '../../core/json.js';
import { runtimeFixture, type RuntimeFixture } from './runtime.testkit.js';
import { enrollContacts } from './manual.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const RUNS = 300;

describe.each(backends())('a killed worker on %s', (kind) => {
  let f: RuntimeFixture;
  beforeAll(async () => {
    f = await runtimeFixture(kind);
  });
  afterAll(async () => f?.close());

  it('a worker SIGKILLed mid-batch leaves leases that expire; another worker finishes the batch with every step executed once', async () => {
    const db = f.h.deps.store.db;
    const now = Date.now();
    f.h.clock.set(now);
    await f.live({
      id: 'kill-me',
      name: 'kill me',
      trigger: { type: 'manual' },
      start: 'm1',
      nodes: [
        { id: 'm1', type: 'message', channel: 'counting' },
        { id: 'done', type: 'exit' },
      ],
      edges: [{ from: 'm1', to: 'done' }],
    });
    const ids: string[] = [];
    const rows = Array.from({ length: RUNS }, (_, i) => {
      const id = newId('ct', now);
      ids.push(id);
      return { id, workspace_id: f.t.workspaceId, user_id: `k${i}`, email: null, phone: null, timezone: null, locale: null, attributes: toJson({}), created_at: now, updated_at: now };
    });
    for (let i = 0; i < rows.length; i += 100)
      await db
        .insertInto('contacts')
        .values(rows.slice(i, i + 100))
        .execute();
    const report = await enrollContacts(f.h.deps, f.rt.catalog, f.t.workspaceId, 'kill-me', { contactIds: ids });
    expect(report.enrolled).toHaveLength(RUNS);

    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/worker-child.ts'), f.h.database.url, 'journeys'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    const sends = async () =>
      Number(
        (
          await db
            .selectFrom('channel_counting_sends')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const deadline = Date.now() + 60_000;
    while ((await sends()) < 60) {
      if (Date.now() > deadline) throw new Error(`child made no progress: ${stderr}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    child.kill('SIGKILL');
    await exited;

    const leased = await db.selectFrom('journey_runs').select('id').where('claimed_by', 'is not', null).execute();
    expect(leased.length).toBeGreaterThan(0); // killed while holding claims
    const sentByChild = await sends();

    // Before the lease expires nobody takes the child's runs over; after, this worker finishes them.
    await f.worker.drain();
    expect((await db.selectFrom('journey_runs').select('id').where('claimed_by', 'is not', null).execute()).length).toBe(leased.length);
    f.h.clock.set(Date.now() + 61_000);
    await f.worker.drain();

    const runs = await f.runs('kill-me');
    expect(runs.filter((r) => r.status === 'completed')).toHaveLength(RUNS);
    const steps = await db.selectFrom('journey_steps').select(['run_id', 'node_id', 'visit', 'outcome']).where('workspace_id', '=', f.t.workspaceId).execute();
    expect(steps).toHaveLength(2 * RUNS);
    expect(new Set(steps.map((s) => `${s.run_id}:${s.node_id}:${s.visit}`)).size).toBe(2 * RUNS);
    expect(steps.filter((s) => s.node_id === 'm1' && s.outcome === 'sent')).toHaveLength(RUNS);
    const deliveries = await db.selectFrom('deliveries').select(['idempotency_key', 'status']).where('workspace_id', '=', f.t.workspaceId).execute();
    expect(deliveries).toHaveLength(RUNS);
    expect(deliveries.every((d) => d.status === 'sent')).toBe(true);
    // Every message reached the channel; only sends in flight at the kill (at most one batch) may have
    // been repeated, each with the same idempotency key for the provider to drop.
    const all = await db.selectFrom('channel_counting_sends').select('idempotency_key').execute();
    expect(new Set(all.map((s) => s.idempotency_key)).size).toBe(RUNS);
    expect(all.length - RUNS).toBeLessThanOrEqual(20);
    console.log(`[kill ${kind}] child sent ${sentByChild}, leased at kill ${leased.length}, repeated provider calls ${all.length - RUNS}`);
  }, 120_000);
});
