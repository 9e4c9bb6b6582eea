import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { backends } from '../../test/backends.js';
import { runtimeFixture, type RuntimeFixture } from '../journeys/runtime/runtime.testkit.js';
import { Worker } from '../worker/worker.js';
import { workerTasks } from '../worker/tasks.js';

const HOUR = 3_600_000;

describe.each(backends())('/metrics shows the work backlog and what the worker did on %s', (kind) => {
  let f: RuntimeFixture;
  beforeAll(async () => {
    f = await runtimeFixture(kind);
    await f.live({
      id: 'later',
      name: 'Later',
      trigger: { type: 'event', event: 'signed_up' },
      start: 'wait',
      nodes: [
        { id: 'wait', type: 'delay', duration: '1h' },
        { id: 'send', type: 'message', channel: 'counting' },
        { id: 'done', type: 'exit' },
      ],
      edges: [
        { from: 'wait', to: 'send' },
        { from: 'send', to: 'done' },
      ],
    });
  });
  afterAll(async () => f?.close());

  const gauge = async (name: string): Promise<number> => {
    const body = (await f.h.app.inject({ method: 'GET', url: '/metrics' })).body;
    const line = body.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
    expect(line, `${name} in /metrics`).toBeDefined();
    return Number(line!.split(' ').at(-1));
  };

  it('pending signals, due runs and the lag of the oldest due step, read from the database', async () => {
    await f.contact({ userId: 'late-1' });
    await f.contact({ userId: 'late-2' });
    await f.track('late-1', 'signed_up');
    await f.track('late-2', 'signed_up');
    expect(await gauge('qatra_journey_inbox_pending')).toBe(2);
    await f.advance(0); // enrol: both wait an hour
    expect(await gauge('qatra_journey_inbox_pending')).toBe(0);
    expect(await gauge('qatra_journey_runs_due')).toBe(0);
    expect(await gauge('qatra_journey_lag_seconds')).toBe(0);

    f.h.clock.advance(HOUR + 90_000); // due 90 s ago, and no worker ran
    expect(await gauge('qatra_journey_runs_due')).toBe(2);
    expect(await gauge('qatra_journey_lag_seconds')).toBe(90);
    await f.worker.drain();
    expect(await gauge('qatra_journey_runs_due')).toBe(0);
  });

  it('the worker counts items per task', async () => {
    await f.contact({ userId: 'late-3' });
    await f.track('late-3', 'signed_up');
    const worker = new Worker(workerTasks(f.h.deps), { pollIntervalMs: 10, shutdownTimeoutMs: 1000, log: pino({ level: 'silent' }) });
    await worker.drain();
    const body = (await f.h.app.inject({ method: 'GET', url: '/metrics' })).body;
    // Two items: the inbox row (the signup) and the run's first step (the delay).
    expect(body).toMatch(/qatra_worker_items_total\{task="journeys"\} 2\n/);
    expect(body).toMatch(/qatra_worker_tick_duration_seconds_count\{task="journeys"\} \d+/);
  });
});
