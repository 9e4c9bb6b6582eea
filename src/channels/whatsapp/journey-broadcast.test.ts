/**
 * WhatsApp through the senders that are not the transactional API, on both stores, against the
 * local Cloud API server: a journey (signup → template message → 1 day → template message) where
 * one contact answers «لغو» through the signed webhook between the two, and the journey's statistics
 * show WhatsApp's figures (sent, delivered, read, opt-outs); and a broadcast to a list.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../test/backends.js';
import { setConsent } from '../../consent/consent.js';
import { createContact } from '../../contacts/contacts.js';
import { runtimeFixture, type RuntimeFixture } from '../../journeys/runtime/runtime.testkit.js';
import { broadcastFixture, type BroadcastFixture } from '../../broadcasts/test-kit.js';
import { journeyStats } from '../../stats/stats.js';
import { saveTemplates } from '../../templates/service.js';
import { providerKinds } from '../providers/kinds.js';
import { createProvider } from '../providers/providers.js';
import type { Harness } from '../../../test/harness.js';
import { inboundEvent, startCloudApiServer, statusEvent, type CloudApiTestServer } from './cloud-api.testkit.js';

const DAY = 86_400_000;

const JOURNEY = {
  id: 'wa-welcome',
  name: 'WhatsApp welcome',
  trigger: { type: 'event', event: 'signed_up' },
  start: 'hello',
  nodes: [
    { id: 'hello', type: 'message', channel: 'whatsapp', template: 'hello' },
    { id: 'wait', type: 'delay', duration: '1d' },
    { id: 'offer', type: 'message', channel: 'whatsapp', template: 'hello' },
    { id: 'done', type: 'exit' },
  ],
  edges: [
    { from: 'hello', to: 'wait' },
    { from: 'wait', to: 'offer' },
    { from: 'offer', to: 'done' },
  ],
};

async function setUp(h: Harness, workspaceId: string, fake: CloudApiTestServer): Promise<string> {
  const provider = await createProvider({ ...h.deps, providerKinds }, workspaceId, 'whatsapp', {
    kind: 'whatsapp_cloud',
    name: 'Main',
    settings: { phoneNumberId: fake.phoneNumberId, wabaId: fake.wabaId, apiRoot: fake.apiRoot, messagingTier: '10k' },
    secrets: { accessToken: fake.accessToken, appSecret: fake.appSecret },
  });
  await saveTemplates(
    h.deps,
    workspaceId,
    [
      {
        id: 'hello',
        name: 'Hello',
        channel: 'whatsapp',
        kind: 'marketing',
        content: { body: '', whatsapp: { name: 'welcome', language: 'ar', parameters: ['{{ contact.first_name | default: "صديقنا" }}'] } },
      },
    ],
    'upsert',
  );
  await h.app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}/hooks/whatsapp/${provider.id}`;
}

describe.each(backends())('a WhatsApp journey on %s', (kind) => {
  let f: RuntimeFixture;
  let fake: CloudApiTestServer;
  let hook: string;

  beforeAll(async () => {
    f = await runtimeFixture(kind, { config: { allowPrivateOutbound: true, publicUrl: 'https://q.example.com' } });
    fake = await startCloudApiServer({ templates: [{ name: 'welcome', language: 'ar', parameters: 1 }] });
    hook = await setUp(f.h, f.t.workspaceId, fake);
    await f.live(JOURNEY);
  });
  afterAll(async () => {
    await fake?.close();
    await f?.close();
  });

  it('sends both steps to the one who stays and only the first to the one who answers «لغو»; the statistics show sent, delivered, read and the opt-out', async () => {
    const people = [];
    for (const [userId, phone] of [
      ['omar', '+966501110001'],
      ['nima', '+989121110002'],
    ] as const) {
      const c = await f.contact({ userId, attributes: { first_name: userId } });
      await f.h.deps.store.db.updateTable('contacts').set({ phone }).where('id', '=', c.id).execute();
      await setConsent(f.h.deps, f.t.workspaceId, c.id, { channel: 'whatsapp', topic: '', status: 'subscribed', source: 'signup-form' });
      people.push({ ...c, phone });
      await f.track(userId, 'signed_up');
    }
    await f.worker.drain();
    expect(fake.received.map((r) => [r.body.to, (r.body.template as { components: { parameters: { text: string }[] }[] }).components[0]!.parameters[0]!.text]).sort()).toEqual([
      ['966501110001', 'omar'],
      ['989121110002', 'nima'],
    ]);
    // Both read it; Nima answers «لغو» (Persian: cancel).
    for (const r of fake.received) {
      await fake.postWebhook(hook, statusEvent(fake.phoneNumberId, r.wamid!, 'delivered', String(r.body.to), f.h.clock.now()));
      await fake.postWebhook(hook, statusEvent(fake.phoneNumberId, r.wamid!, 'read', String(r.body.to), f.h.clock.now()));
    }
    f.h.clock.advance(60_000);
    expect((await fake.postWebhook(hook, inboundEvent(fake.phoneNumberId, people[1]!.phone, 'لغو', f.h.clock.now()))).status).toBe(200);

    await f.advance(DAY);
    // Nima's second step is stopped by the journey's consent guard before anything is recorded.
    expect(fake.received.slice(2).map((r) => r.body.to)).toEqual(['966501110001']);
    const stats = await journeyStats(f.h.deps, f.t.workspaceId, 'wa-welcome');
    const wa = (stats as unknown as { byChannel: Record<string, { sent: number; delivered: number; reads: number; optOuts: number }> }).byChannel.whatsapp!;
    expect(wa).toMatchObject({ sent: 3, delivered: 2, reads: 2, optOuts: 1 });
  });
});

describe.each(backends())('a WhatsApp broadcast on %s', (kind) => {
  let f: BroadcastFixture;
  let fake: CloudApiTestServer;

  beforeAll(async () => {
    f = await broadcastFixture(kind, { allowPrivateOutbound: true });
    fake = await startCloudApiServer({ templates: [{ name: 'welcome', language: 'ar', parameters: 1 }] });
    await setUp(f.h, f.t.workspaceId, fake);
  });
  afterAll(async () => {
    await fake?.close();
    await f?.close();
  });

  it('sends the template message once to each opted-in member of the list and skips the one without opt-in', async () => {
    const members = [];
    for (let i = 0; i < 3; i++) {
      const c = await createContact(f.h.deps, f.t.workspaceId, { phone: `+96650222000${i}`, email: `wa-${i}@example.com` });
      if (i < 2) await setConsent(f.h.deps, f.t.workspaceId, c.id, { channel: 'whatsapp', topic: '', status: 'subscribed', source: 'signup-form' });
      members.push(c);
    }
    const listId = await f.list(members);
    const { task } = f.worker();
    const b = await f.launch({ channel: 'whatsapp', template: 'hello', audience: { type: 'list', id: listId } });
    await f.drain(task);
    const done = await f.get(b.id);
    expect(done.progress).toEqual({ total: 3, sent: 2, failed: 0, skipped: 1, remaining: 0 });
    expect(fake.received.map((r) => r.body.to).sort()).toEqual(['966502220000', '966502220001']);
    await f.drain(task);
    expect(fake.received).toHaveLength(2);
  });
});
