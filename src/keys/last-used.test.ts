import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../test/harness.js';
import { LAST_USED_RESOLUTION_MS } from './keys.js';

describe.each(backends())('API keys\' "last used" on %s', (kind) => {
  let h: Harness;
  let t: Tenant;
  beforeAll(async () => {
    h = await createHarness(kind);
    t = await h.tenant();
  });
  afterAll(async () => h?.close());

  const lastUsed = async (id: string) => {
    const row = await h.deps.store.db.selectFrom('api_keys').select('last_used_at').where('id', '=', id).executeTakeFirstOrThrow();
    return row.last_used_at === null ? null : Number(row.last_used_at);
  };

  it('is written on first use, then at most once per minute however many requests the key makes', async () => {
    const key = (await h.app.inject({ method: 'POST', url: '/api/keys', headers: t.admin, payload: { kind: 'write', name: 'site' } })).json();
    expect(await lastUsed(key.id)).toBeNull();
    const track = () => h.app.inject({ method: 'POST', url: '/v1/track', headers: { authorization: `Bearer ${key.secret}` }, payload: { userId: 'u1', event: 'Viewed' } });

    const first = h.clock.now();
    expect((await track()).statusCode).toBeLessThan(300);
    expect(await lastUsed(key.id)).toBe(first);

    // 30 requests spread over 59 s: none of them writes.
    for (let i = 0; i < 30; i++) {
      h.clock.advance(Math.floor((LAST_USED_RESOLUTION_MS - 1000) / 30));
      expect((await track()).statusCode).toBeLessThan(300);
    }
    expect(await lastUsed(key.id)).toBe(first);

    // A minute after the last write, the next request writes again.
    h.clock.advance(first + LAST_USED_RESOLUTION_MS - h.clock.now());
    expect((await track()).statusCode).toBeLessThan(300);
    expect(await lastUsed(key.id)).toBe(first + LAST_USED_RESOLUTION_MS);

    const listed = (await h.app.inject({ method: 'GET', url: '/api/keys', headers: t.admin })).json().data.find((k: { id: string }) => k.id === key.id);
    expect(listed.lastUsedAt).toBe(first + LAST_USED_RESOLUTION_MS);
  });

  it('is not written for a revoked key', async () => {
    const key = (await h.app.inject({ method: 'POST', url: '/api/keys', headers: t.admin, payload: { kind: 'admin', name: 'old' } })).json();
    await h.app.inject({ method: 'POST', url: `/api/keys/${key.id}/revoke`, headers: t.admin });
    const res = await h.app.inject({ method: 'GET', url: '/api/contacts', headers: { authorization: `Bearer ${key.secret}` } });
    expect(res.statusCode).toBe(401);
    expect(await lastUsed(key.id)).toBeNull();
  });
});
