import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawNode, type KyselyPlugin } from 'kysely';
import { backends } from '../../../test/backends.js';
import type { SendRequest } from '../channel.js';
import type { Store } from '../../store/store.js';
import { setConsent } from '../../consent/consent.js';
import { suppress } from '../../suppression/suppressions.js';
import { parseEmailEnv } from './env.js';
import { createEmailChannel, type EmailChannel } from './channel.js';
import { emailKit, PUBLIC_URL, type EmailKit } from './test-kit.js';

/**
 * The kit's store, counting the statements run on its `db` (what the channel uses outside
 * transactions): outcome UPDATEs (../../messages/batch.ts) apart from the rest.
 */
function countingStore(real: Store): { store: Store; statements: () => { outcomes: number; other: number } } {
  const n = { outcomes: 0, other: 0 };
  const plugin: KyselyPlugin = {
    transformQuery: (args) => {
      const raw = RawNode.is(args.node) ? args.node.sqlFragments.join('?') : '';
      if (raw.includes('UPDATE messages AS m')) n.outcomes++;
      else n.other++;
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
  return { store: Object.create(real, { db: { value: real.db.withPlugin(plugin) } }) as Store, statements: () => ({ ...n }) };
}

describe.each(backends())('the email channel sending a batch on %s', (kind) => {
  let k: EmailKit;
  let channel: EmailChannel;
  let statements: () => { outcomes: number; other: number };
  beforeAll(async () => {
    k = await emailKit(kind);
    const counted = countingStore(k.h.deps.store);
    statements = counted.statements;
    channel = createEmailChannel({
      store: counted.store,
      clock: k.h.clock,
      secretBox: k.h.deps.secretBox,
      log: k.h.deps.log,
      publicUrl: PUBLIC_URL,
      defaults: parseEmailEnv({}),
      allowPrivateOutbound: k.h.deps.config.allowPrivateOutbound,
    });
  });
  afterAll(async () => {
    await channel?.close();
    await k?.close();
  });

  it('40 sends cost a few statements for the whole batch, honour suppression and consent, and record what left with the outcome', async () => {
    const contacts = [];
    for (let i = 0; i < 40; i++) contacts.push(await k.contact(`batch${i}@example.org`, { first_name: `B${i}` }));
    await setConsent(k.h.deps, k.t.workspaceId, contacts[3]!.id, { channel: 'email', status: 'unsubscribed', source: 'test' });
    await suppress(k.h.deps.store.db, { workspaceId: k.t.workspaceId, address: contacts[7]!.email!, reason: 'manual', now: k.h.clock.now() });
    const requests: SendRequest[] = contacts.map((contact, i) => ({
      workspaceId: k.t.workspaceId,
      contact,
      idempotencyKey: `batch:${i}`,
      config: { template: 'welcome-1' },
      context: { journeyId: 'onboarding', runId: `run_b${i}`, nodeId: 'welcome' },
      kind: 'marketing',
    }));
    k.sink.clear();
    const before = statements();
    const results = await channel.sendBatch!(requests);
    const after = statements();
    const used = after.other - before.other;
    const outcomes = after.outcomes - before.outcomes;
    expect(results[3]).toEqual({ status: 'skipped', reason: 'unsubscribed from email' });
    expect(results[7]).toEqual({ status: 'skipped', reason: 'suppressed: manual' });
    expect(results.filter((r) => r.status === 'sent')).toHaveLength(38);
    await k.sink.waitFor(38);
    // Reserve 1, suppressions 1, consents 1, the sunset policy's settings 1 (src/deliverability/),
    // email settings + provider list + workspace + tracking secret 4, the recipient domains' 4xx
    // backoff 1 (limits/backoff.ts), template and partials ≤ 4: the same for 40 messages as for one
    // (the old path took ~6 per message).
    expect(used).toBeLessThanOrEqual(13);
    // Outcomes of sends that finish together share an UPDATE; here the sink takes them one by one.
    expect(outcomes).toBeGreaterThan(0);
    expect(outcomes).toBeLessThanOrEqual(40);
    const rows = await k.h.deps.store.db.selectFrom('messages').selectAll().where('idempotency_key', 'like', 'batch:%').execute();
    expect(rows).toHaveLength(40);
    for (const r of rows.filter((row) => row.status === 'sent')) {
      expect(r.subject).toMatch(/^Welcome, B\d+!$/);
      expect(r.header_message_id).toMatch(/^<[0-9a-f]{32}\.[0-9a-f]{20}@news\.example\.com>$/);
      expect(r.provider).toBe('smtp');
      expect(r.template_version).toBe(1);
      expect(r.lease_until).toBeNull();
      expect(JSON.parse(typeof r.links === 'string' ? r.links : JSON.stringify(r.links)).length).toBeGreaterThan(0);
    }
    const skipped = rows.find((r) => r.idempotency_key === 'batch:3')!;
    expect(skipped).toMatchObject({ status: 'skipped', reason: 'unsubscribed from email', subject: null });

    // The same batch again (a retried step): every answer comes from the records, nothing is sent.
    k.sink.clear();
    const again = await channel.sendBatch!(requests);
    expect(again).toEqual(results.map((r) => (r.status === 'sent' ? { status: 'sent', providerMessageId: (r as { providerMessageId?: string }).providerMessageId } : r)));
    await new Promise((r) => setTimeout(r, 200));
    expect(k.sink.mails).toHaveLength(0);
  });

  it('a key twice in one batch is sent once; the second answer says another attempt holds it', async () => {
    const c = await k.contact('twice@example.org', { first_name: 'Tw' });
    const request: SendRequest = { workspaceId: k.t.workspaceId, contact: c, idempotencyKey: 'batch:twice', config: { template: 'welcome-1' }, context: {}, kind: 'marketing' };
    k.sink.clear();
    const [first, second] = await channel.sendBatch!([request, request]);
    expect(first!.status).toBe('sent');
    expect(second).toEqual({ status: 'retryable', reason: 'another attempt of this delivery is in progress' });
    await k.sink.waitFor(1);
    await new Promise((r) => setTimeout(r, 200));
    expect(k.sink.mails).toHaveLength(1);
  });
});
