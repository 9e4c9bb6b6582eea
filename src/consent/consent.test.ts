import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../test/harness.js';
import { createContact } from '../contacts/contacts.js';
import { consentHistory, effectiveConsent, getConsent, isSubscribed, setConsent } from './consent.js';

describe.each(backends())('consent service on %s', (kind) => {
  let h: Harness;
  let t: Tenant;
  let n = 0;
  beforeAll(async () => {
    h = await createHarness(kind);
    t = await h.tenant();
  });
  afterAll(async () => h?.close());

  const contact = async () => (await createContact(h.deps, t.workspaceId, { userId: `c-${n++}` })).id;
  const set = (id: string, channel: string, status: 'subscribed' | 'unsubscribed' | 'pending', topic = '') => setConsent(h.deps, t.workspaceId, id, { channel, topic, status, source: 'test' });

  it('knows nothing until told, then follows the latest change', async () => {
    const id = await contact();
    const db = h.deps.store.db;
    expect(await effectiveConsent(db, id, 'email')).toBeNull();
    expect(await isSubscribed(db, id, 'email')).toBe(false);
    expect(await isSubscribed(db, id, 'email', '', true)).toBe(true);
    await set(id, 'email', 'pending');
    expect(await isSubscribed(db, id, 'email', '', true)).toBe(false);
    await set(id, 'email', 'subscribed');
    expect(await isSubscribed(db, id, 'email')).toBe(true);
    expect(await isSubscribed(db, id, 'sms')).toBe(false);
    await set(id, 'email', 'unsubscribed');
    expect(await isSubscribed(db, id, 'email', '', true)).toBe(false);
  });

  it('a topic record wins over the channel, but a whole-channel unsubscribe wins over every topic', async () => {
    const id = await contact();
    const db = h.deps.store.db;
    await set(id, 'email', 'subscribed');
    await set(id, 'email', 'unsubscribed', 'newsletter');
    expect(await isSubscribed(db, id, 'email', 'newsletter')).toBe(false);
    expect(await isSubscribed(db, id, 'email', 'product')).toBe(true);
    await set(id, 'email', 'unsubscribed');
    await set(id, 'email', 'subscribed', 'product');
    expect(await isSubscribed(db, id, 'email', 'product')).toBe(false);
    expect(await effectiveConsent(db, id, 'email', 'product')).toBe('unsubscribed');
  });

  it('writes one history row per change and keeps the current state in step', async () => {
    const id = await contact();
    const statuses = ['subscribed', 'unsubscribed', 'subscribed', 'subscribed'] as const;
    for (const [i, s] of statuses.entries()) {
      h.clock.advance(1000);
      await setConsent(h.deps, t.workspaceId, id, { channel: 'email', status: s, textVersion: `v${i}`, ip: '10.0.0.1' });
      const history = await consentHistory(h.deps, t.workspaceId, id, { limit: 100 });
      expect(history).toHaveLength(i + 1);
      expect(history[i]).toMatchObject({ status: s, textVersion: `v${i}`, ip: '10.0.0.1', createdAt: h.clock.now() });
      expect(await getConsent(h.deps, t.workspaceId, id)).toEqual([{ channel: 'email', topic: '', status: s, source: null, updatedAt: h.clock.now() }]);
    }
  });

  it("joins the caller's transaction: when it rolls back, neither history nor state remain", async () => {
    const id = await contact();
    await expect(
      h.deps.store.transaction(async (trx) => {
        await setConsent(h.deps, t.workspaceId, id, { channel: 'email', status: 'subscribed' }, trx);
        throw new Error('caller failed later');
      }),
    ).rejects.toThrow('caller failed later');
    expect(await getConsent(h.deps, t.workspaceId, id)).toEqual([]);
    expect(await consentHistory(h.deps, t.workspaceId, id, { limit: 10 })).toEqual([]);
  });

  it("validates a change with field paths and refuses another workspace's contact", async () => {
    const id = await contact();
    await expect(setConsent(h.deps, t.workspaceId, id, { channel: 'E Mail', status: 'maybe' as 'pending' })).rejects.toMatchObject({
      issues: [expect.objectContaining({ path: 'channel' }), expect.objectContaining({ path: 'status' })],
    });
    const other = await h.tenant();
    await expect(setConsent(h.deps, other.workspaceId, id, { channel: 'email', status: 'subscribed' })).rejects.toMatchObject({ code: 'not_found' });
  });
});
