import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import type { AppDeps } from '../core/app-deps.js';
import type { Channel, SendRequest } from '../channels/channel.js';
import { createChannelRegistry } from '../channels/registry.js';
import type { EmailChannel } from '../channels/email/index.js';
import { newId } from '../core/ids.js';
import { toJson } from '../core/json.js';
import type { Contact } from '../contacts/contact.js';
import { createList } from '../lists/lists.js';
import { broadcastTask, createBroadcastRuntime } from './task.js';
import { broadcastFixture, outboxAddresses, type BroadcastFixture } from './test-kit.js';
import { createBroadcast, scheduleBroadcast } from './broadcasts.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe.each(backends())('a broadcast worker that dies on %s', (kind) => {
  let f: BroadcastFixture;
  beforeAll(async () => {
    f = await broadcastFixture(kind, {}, 5);
  });
  afterAll(async () => f?.close());

  it('a batch abandoned mid-send (lease not completed) is finished by another worker after the lease expires: every contact mailed once', async () => {
    const contacts: Contact[] = [];
    for (let i = 0; i < 12; i++) contacts.push(await f.contact(`crash-${i}@example.com`));
    const listId = await f.list(contacts);

    // Worker A sends the first two of its batch through the real email channel, then hangs forever
    // on the third: like a process killed mid-batch, it never settles and never releases its lease.
    const registryA = createChannelRegistry(f.h.deps);
    const emailA = registryA.get('email') as EmailChannel;
    let calls = 0;
    const dying: Channel = {
      name: 'email',
      send: (request: SendRequest) => (++calls <= 2 ? emailA.send(request) : new Promise(() => {})),
    };
    const taskA = broadcastTask(createBroadcastRuntime(f.h.deps, { channels: createChannelRegistry(f.h.deps, [dying]), workerId: 'A' }));
    const b = await f.launch({ audience: { type: 'list', id: listId } });
    void taskA.tick();
    const deadline = Date.now() + 20_000;
    while ((await outboxAddresses(f)).filter((a) => a.startsWith('crash-')).length < 2) {
      if (Date.now() > deadline) throw new Error('worker A sent nothing');
      await new Promise((r) => setTimeout(r, 10));
    }
    const heldByA = await f.h.deps.store.db.selectFrom('broadcast_recipients').select('contact_id').where('broadcast_id', '=', b.id).where('claimed_by', 'like', 'A:%').execute();
    expect(heldByA).toHaveLength(5);

    // Worker B: its own store (another "process") and its own email channel.
    const storeB = f.h.database.reopen();
    const depsB: AppDeps = { ...f.h.deps, store: storeB };
    const registryB = createChannelRegistry(depsB);
    const taskB = broadcastTask(createBroadcastRuntime(depsB, { channels: registryB, workerId: 'B' }));
    try {
      await f.drain(taskB);
      // Before the lease expires B leaves A's five alone and sends the other seven.
      expect((await f.get(b.id)).progress).toMatchObject({ total: 12, sent: 7, remaining: 5 });
      f.h.clock.advance(f.h.deps.config.worker.leaseMs + 1);
      await f.drain(taskB);
      const done = await f.get(b.id);
      expect(done.status).toBe('completed');
      expect(done.progress).toEqual({ total: 12, sent: 12, failed: 0, skipped: 0, remaining: 0 });
      // The two A had sent are answered from the email channel's own record: not sent again.
      expect((await outboxAddresses(f)).filter((a) => a.startsWith('crash-'))).toEqual(contacts.map((c) => c.email).sort());
    } finally {
      await (registryB.get('email') as EmailChannel).close();
      await emailA.close();
      await storeB.close();
    }
  });

  it('a worker SIGKILLed mid-batch: another finishes after the lease expires, no contact skipped, at most the batch in flight repeated (same key)', async () => {
    const RECIPIENTS = 200;
    const db = f.h.deps.store.db;
    const now = Date.now();
    f.h.clock.set(now);
    const rows = Array.from({ length: RECIPIENTS }, (_, i) => ({
      id: newId('ct', now),
      workspace_id: f.t.workspaceId,
      user_id: `kill${i}`,
      email: null,
      phone: null,
      timezone: null,
      locale: null,
      attributes: toJson({}),
      created_at: now,
      updated_at: now,
    }));
    for (let i = 0; i < rows.length; i += 100)
      await db
        .insertInto('contacts')
        .values(rows.slice(i, i + 100))
        .execute();
    const list = await createList(f.h.deps, f.t.workspaceId, { name: 'kill list' });
    await db
      .insertInto('list_memberships')
      .values(rows.map((r) => ({ list_id: list.id, contact_id: r.id, workspace_id: f.t.workspaceId, status: 'subscribed' as const, source: 'test', created_at: now, updated_at: now })))
      .execute();
    const b = await createBroadcast(f.h.deps, f.t.workspaceId, { name: 'kill me', channel: 'counting', kind: 'marketing', audience: { type: 'list', id: list.id } });
    await scheduleBroadcast(f.h.deps, f.t.workspaceId, b.id);

    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/worker-child.ts'), f.h.database.url, 'broadcasts'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    const sends = async () => (await db.selectFrom('channel_counting_sends').select('idempotency_key').where('idempotency_key', 'like', `broadcast:${b.id}:%`).execute()).map((r) => r.idempotency_key);
    const deadline = Date.now() + 60_000;
    while ((await sends()).length < 50) {
      if (Date.now() > deadline) throw new Error(`child made no progress: ${stderr}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    child.kill('SIGKILL');
    await exited;
    const leased = await db.selectFrom('broadcast_recipients').select('contact_id').where('broadcast_id', '=', b.id).where('claimed_by', 'is not', null).execute();
    expect(leased.length).toBeGreaterThan(0); // killed while holding a claim

    const { task } = f.worker(undefined, 'parent');
    f.h.clock.set(Date.now());
    await f.drain(task);
    expect((await f.get(b.id)).progress.remaining).toBe(leased.length); // leases still held
    f.h.clock.set(Date.now() + 61_000);
    await f.drain(task);
    const done = await f.get(b.id);
    expect(done).toMatchObject({ status: 'completed', progress: { total: RECIPIENTS, sent: RECIPIENTS, failed: 0, skipped: 0, remaining: 0 } });
    const all = await sends();
    expect(new Set(all).size).toBe(RECIPIENTS);
    // The counting channel has no idempotency of its own (the email channel has: see the test above),
    // so only calls in flight at the kill, at most one batch of 20, may have reached it twice.
    expect(all.length - RECIPIENTS).toBeLessThanOrEqual(20);
    const deliveries = await db.selectFrom('deliveries').select('status').where('idempotency_key', 'like', `broadcast:${b.id}:%`).execute();
    expect(deliveries).toHaveLength(RECIPIENTS);
    expect(deliveries.every((d) => d.status === 'sent')).toBe(true);
  }, 120_000);
});
