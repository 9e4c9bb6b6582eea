import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../../test/harness.js';
import { releaseRecipient, takeRecipient } from './tier.js';

const DAY = 86_400_000;

describe.each(backends())('the messaging tier on %s', (kind) => {
  let h: Harness;
  let t: Tenant;
  beforeAll(async () => {
    h = await createHarness(kind);
    t = await h.tenant();
  });
  afterAll(async () => h?.close());

  it('twenty customers racing for a cap of five: exactly five kept, a repeat customer is free, a released place is taken again', async () => {
    const now = 100 * DAY + 5_000;
    const take = (phone: string, cap: number | null = 5) => takeRecipient(h.deps.store, { workspaceId: t.workspaceId, providerId: 'prv_a', phone, cap, now });
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => take(`+96650000${String(i).padStart(4, '0')}`)));
    const kept = answers.filter((a) => a.ok).length;
    expect(kept).toBe(5);
    const rows = await h.deps.store.db.selectFrom('whatsapp_daily_recipients').selectAll().where('workspace_id', '=', t.workspaceId).where('day', '=', 100).execute();
    expect(rows).toHaveLength(kept);
    for (const a of answers) if (!a.ok) expect(a.retryAfterMs).toBe(DAY - 5_000);
    const first = rows[0]!.phone;
    expect(await take(first)).toEqual({ ok: true, taken: false });
    expect((await take('+966520000000')).ok).toBe(false);
    await releaseRecipient(h.deps.store, { workspaceId: t.workspaceId, providerId: 'prv_a', phone: first, now });
    expect(await take('+966520000000')).toEqual({ ok: true, taken: true });
    // Unlimited counts nothing; another provider has its own count.
    expect(await take('+966530000000', null)).toEqual({ ok: true, taken: false });
    expect(await takeRecipient(h.deps.store, { workspaceId: t.workspaceId, providerId: 'prv_b', phone: '+966530000000', cap: 1, now })).toEqual({ ok: true, taken: true });
  });
});
