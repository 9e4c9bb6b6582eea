import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawNode, type KyselyPlugin } from 'kysely';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../test/harness.js';
import { createContact } from '../contacts/contacts.js';
import type { Store } from '../store/store.js';
import { findMessage, recordOutcome, type NewMessage } from './records.js';
import { outcomeWriter, reserveMessages } from './batch.js';
import { eraseContact } from '../privacy/erase.js';

/** The real store, counting the statements run on its `db`. */
function countingStore(real: Store): { store: Store; statements: () => number } {
  let n = 0;
  const plugin: KyselyPlugin = { transformQuery: (args) => (n++, args.node), transformResult: async (args) => args.result };
  return { store: Object.create(real, { db: { value: real.db.withPlugin(plugin) } }) as Store, statements: () => n };
}

describe.each(backends())('message records written per batch on %s', (kind) => {
  let h: Harness;
  let t: Tenant;
  let contactId: string;
  beforeAll(async () => {
    h = await createHarness(kind);
    t = await h.tenant();
    contactId = (await createContact(h.deps, t.workspaceId, { email: 'batch@example.org' })).id;
  });
  afterAll(async () => h?.close());

  const input = (key: string): NewMessage => ({ workspaceId: t.workspaceId, contactId, channel: 'email', kind: 'marketing', idempotencyKey: key, templateId: 'tpl', to: 'batch@example.org' });

  it('reserves a batch in one INSERT; keys recorded before, or twice in the batch, come back as they are, not created', async () => {
    const { store, statements } = countingStore(h.deps.store);
    const now = h.clock.now();
    const first = await reserveMessages(store.db, [input('r:1'), input('r:2')], now);
    expect(first.map((r) => r.created)).toEqual([true, true]);
    expect(statements()).toBe(1);
    await recordOutcome(h.deps.store.db, first[0]!.message.id, { status: 'sent' }, now);

    const again = await reserveMessages(store.db, [input('r:1'), input('r:3'), input('r:3'), input('r:2')], now);
    expect(again.map((r) => r.created)).toEqual([false, true, false, false]);
    expect(again[0]!.message).toMatchObject({ id: first[0]!.message.id, status: 'sent' });
    expect(again[1]!.message.id).toBe(again[2]!.message.id);
    expect(again[3]!.message).toMatchObject({ id: first[1]!.message.id, status: 'queued', attempts: 1 });
    // One INSERT and one SELECT of the keys that were there.
    expect(statements()).toBe(3);
  });

  it('outcomes queued together share one UPDATE and carry what left; a bad one fails only its own caller', async () => {
    const now = h.clock.now();
    const reserved = await reserveMessages(
      h.deps.store.db,
      Array.from({ length: 30 }, (_, i) => input(`o:${i}`)),
      now,
    );
    const ids = reserved.map((r) => r.message.id);
    const { store, statements } = countingStore(h.deps.store);
    const write = outcomeWriter(store);
    const content = (i: number) => ({ provider: 'smtp', to: 'batch@example.org', subject: `S${i}`, links: [`https://e.example/${i}`], headerMessageId: `<${i}@x>`, templateVersion: 2 });
    await Promise.all(ids.map((id, i) => write(id, i % 2 ? { status: 'sent', providerMessageId: `p${i}` } : { status: 'queued', reason: 'try later' }, content(i), now + 5)));
    expect(statements()).toBe(1);
    const sent = (await findMessage(h.deps.store.db, ids[1]!))!;
    expect(sent).toMatchObject({
      status: 'sent',
      providerMessageId: 'p1',
      sentAt: now + 5,
      subject: 'S1',
      links: ['https://e.example/1'],
      headerMessageId: '<1@x>',
      templateVersion: 2,
      provider: 'smtp',
      reason: null,
    });
    const queued = (await findMessage(h.deps.store.db, ids[0]!))!;
    expect(queued).toMatchObject({ status: 'queued', reason: 'try later', sentAt: null, subject: 'S0', providerMessageId: null });
    const lease = await h.deps.store.db.selectFrom('messages').select('lease_until').where('id', 'in', ids).execute();
    expect(lease.every((r) => r.lease_until === null)).toBe(true);

    // Without content and without a provider id, what was recorded stays.
    await write(ids[1]!, { status: 'skipped', reason: 'why not' }, null, now + 6);
    expect((await findMessage(h.deps.store.db, ids[1]!))!).toMatchObject({ status: 'skipped', subject: 'S1', providerMessageId: 'p1', headerMessageId: '<1@x>' });

    // A status the table refuses (CHECK) fails that write alone; the others of its flush are written.
    const outcomes = await Promise.allSettled([
      write(ids[2]!, { status: 'sent' }, null, now + 7),
      write(ids[4]!, { status: 'nonsense' as never }, null, now + 7),
      write(ids[6]!, { status: 'sent' }, null, now + 7),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((await findMessage(h.deps.store.db, ids[2]!))!.status).toBe('sent');
    expect((await findMessage(h.deps.store.db, ids[4]!))!.status).toBe('queued');
    expect((await findMessage(h.deps.store.db, ids[6]!))!.status).toBe('sent');
  });

  it('outcomes a batch said were coming share one UPDATE though they arrive apart; a missing one delays the rest by maxDelayMs at most', async () => {
    const reserved = await reserveMessages(
      h.deps.store.db,
      Array.from({ length: 5 }, (_, i) => input(`e:${i}`)),
      h.clock.now(),
    );
    const ids = reserved.map((r) => r.message.id);
    const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const { store, statements } = countingStore(h.deps.store);
    const write = outcomeWriter(store, { maxDelayMs: 5_000 });
    write.expect(3);
    const started = Date.now();
    const pending = [];
    for (const id of ids.slice(0, 3)) {
      pending.push(write(id, { status: 'sent' }, null, 1));
      await pause(30);
    }
    await Promise.all(pending);
    expect(statements()).toBe(1);
    // Written when the third arrived, not after the 5 s delay.
    expect(Date.now() - started).toBeLessThan(2_000);

    // Without expect(): each written on its own turn of the event loop.
    for (const id of ids.slice(3)) await write(id, { status: 'sent' }, null, 1);
    expect(statements()).toBe(3);

    const short = outcomeWriter(store, { maxDelayMs: 100 });
    short.expect(2);
    const t0 = Date.now();
    await short(ids[0]!, { status: 'skipped', reason: 'late' }, null, 2);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(90);
    expect((await findMessage(h.deps.store.db, ids[0]!))!.status).toBe('skipped');
  });

  it('two outcomes of one message in one flush are applied in order', async () => {
    const [r] = await reserveMessages(h.deps.store.db, [input('twice')], h.clock.now());
    const write = outcomeWriter(h.deps.store);
    await Promise.all([write(r!.message.id, { status: 'queued', reason: 'first' }, null, 1), write(r!.message.id, { status: 'sent' }, null, 2)]);
    expect((await findMessage(h.deps.store.db, r!.message.id))!).toMatchObject({ status: 'sent', sentAt: 2, reason: null });
  });

  it('an outcome written after the contact was erased keeps the status but not the address, subject or links', async () => {
    const erased = await createContact(h.deps, t.workspaceId, { email: 'erase-me@example.org' });
    const [r, l] = await reserveMessages(h.deps.store.db, [{ ...input('erased'), contactId: erased.id, to: null }, input('live-beside')], h.clock.now());
    const live = l!.message.id;
    await eraseContact(h.deps, t.workspaceId, erased.id, null);
    const write = outcomeWriter(h.deps.store);
    const content = { provider: 'smtp', to: 'erase-me@example.org', subject: 'For you', links: ['https://e.example/x'], headerMessageId: '<e@x>', templateVersion: 1 };
    await Promise.all([write(r!.message.id, { status: 'sent', providerMessageId: 'p' }, content, 9), write(live, { status: 'sent' }, content, 9)]);
    const row = await h.deps.store.db.selectFrom('messages').select(['status', 'to_address', 'subject', 'links', 'provider']).where('id', '=', r!.message.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'sent', to_address: null, subject: null, provider: null });
    expect((await findMessage(h.deps.store.db, r!.message.id))!.links).toEqual([]);
    // The live contact's message in the same flush got its content.
    expect((await findMessage(h.deps.store.db, live))!).toMatchObject({ status: 'sent', subject: 'For you' });
  });
});
