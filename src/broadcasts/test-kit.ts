/**
 * @module What the broadcast tests share: a harness (real database + app + manual clock) with a
 * workspace, the shared templates, contact and audience factories, calls to /api/broadcasts, and a
 * worker task over a chosen channel registry that the test ticks by hand.
 */
import type { Channel } from '../channels/channel.js';
import { createChannelRegistry } from '../channels/registry.js';
import type { EmailChannel } from '../channels/email/index.js';
import { createContact } from '../contacts/contacts.js';
import type { Contact } from '../contacts/contact.js';
import { createList } from '../lists/lists.js';
import { addMembers } from '../lists/memberships.js';
import { saveTemplates } from '../templates/service.js';
import { footerPartial, welcomeMjml } from '../templates/test-fixtures.js';
import type { DialectName } from '../store/store.js';
import type { Config } from '../config/config.js';
import { defaults } from '../config/config.js';
import type { WorkerTask } from '../worker/worker.js';
import { createHarness, type Harness, type Tenant } from '../../test/harness.js';
import { broadcastTask, createBroadcastRuntime } from './task.js';
import type { BroadcastRuntime } from './send.js';
import type { Broadcast } from './broadcast.js';

export interface BroadcastFixture {
  h: Harness;
  t: Tenant;
  contact(email: string, timezone?: string, attributes?: Record<string, string>): Promise<Contact>;
  list(contacts: readonly Contact[]): Promise<string>;
  api(method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown): Promise<{ statusCode: number; json(): any }>;
  /** Creates and schedules; returns the broadcast as the schedule call answered. */
  launch(body: Record<string, unknown>, sendAt?: number): Promise<Broadcast>;
  get(id: string): Promise<Broadcast>;
  /** A worker task (its own runtime, channels and worker id). */
  worker(channels?: readonly Channel[], workerId?: string): { rt: BroadcastRuntime; task: WorkerTask };
  /** Ticks until a tick handles nothing. */
  drain(task: WorkerTask, max?: number): Promise<number>;
  close(): Promise<void>;
}

export async function broadcastFixture(kind: DialectName, overrides: Partial<Config> = {}, batchSize = defaults().worker.batchSize): Promise<BroadcastFixture> {
  const h = await createHarness(kind, { worker: { ...defaults().worker, batchSize }, ...overrides });
  const t = await h.tenant();
  await saveTemplates(h.deps, t.workspaceId, [footerPartial, welcomeMjml], 'upsert');
  const opened: EmailChannel[] = [];
  const api = async (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) =>
    h.app.inject({ method, url, headers: t.admin, ...(payload !== undefined ? { payload: payload as object } : {}) });
  const fixture: BroadcastFixture = {
    h,
    t,
    contact: (email, timezone, attributes = {}) => createContact(h.deps, t.workspaceId, { email, attributes, ...(timezone ? { timezone } : {}) }),
    async list(contacts) {
      const list = await createList(h.deps, t.workspaceId, { name: `list ${Math.random()}` });
      if (contacts.length) await addMembers(h.deps, t.workspaceId, list.id, { contactIds: contacts.map((c) => c.id), status: 'subscribed' });
      return list.id;
    },
    api,
    async launch(body, sendAt) {
      const created = await api('POST', '/api/broadcasts', { name: 'News', template: 'welcome-1', ...body });
      if (created.statusCode !== 201) throw new Error(`create: ${created.statusCode} ${JSON.stringify(created.json())}`);
      const scheduled = await api('POST', `/api/broadcasts/${created.json().id}/schedule`, sendAt === undefined ? {} : { sendAt });
      if (scheduled.statusCode !== 200) throw new Error(`schedule: ${scheduled.statusCode} ${JSON.stringify(scheduled.json())}`);
      return scheduled.json();
    },
    async get(id) {
      const res = await api('GET', `/api/broadcasts/${id}`);
      if (res.statusCode !== 200) throw new Error(`get: ${res.statusCode}`);
      return res.json();
    },
    worker(channels = [], workerId) {
      const registry = createChannelRegistry(h.deps, channels);
      const email = registry.get('email') as EmailChannel | undefined;
      if (email && 'close' in email) opened.push(email);
      const rt = createBroadcastRuntime(h.deps, { channels: registry, ...(workerId ? { workerId } : {}) });
      return { rt, task: broadcastTask(rt) };
    },
    async drain(task, max = 10_000) {
      let total = 0;
      for (let i = 0; i < max; i++) {
        const n = await task.tick();
        total += n;
        if (n === 0) return total;
      }
      throw new Error(`broadcast task did not go idle within ${max} ticks`);
    },
    async close() {
      for (const e of opened) await e.close();
      await h.close();
    },
  };
  return fixture;
}

/** Rows the outbox provider stored for this workspace (what "left" through the email channel). */
export async function outboxAddresses(f: BroadcastFixture): Promise<string[]> {
  const rows = await f.h.deps.store.db.selectFrom('outbox').select('to_address').where('workspace_id', '=', f.t.workspaceId).execute();
  return rows.map((r) => r.to_address).sort();
}
