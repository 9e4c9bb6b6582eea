import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../../test/harness.js';
import { createSecretBox, SecretBoxError } from '../../secrets/secret-box.js';
import { createProvider, deleteProvider, getProvider, listProviders, MAX_PROVIDERS_PER_CHANNEL, updateProvider, type ProviderDeps } from './providers.js';
import { testKinds } from './test-kit.js';
import { resealStoredSecrets } from '../../secrets/reseal.js';
import { TEST_SECRET_KEY } from '../../../test/secret-key.js';

describe.each(backends())('channel providers store on %s', (kind) => {
  let h: Harness;
  let t: Tenant;
  let deps: ProviderDeps;
  const raw = async (id: string) => JSON.stringify(await h.deps.store.db.selectFrom('channel_providers').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
  beforeAll(async () => {
    h = await createHarness(kind);
    t = await h.tenant();
    deps = { ...h.deps, providerKinds: testKinds };
  });
  afterAll(async () => h?.close());

  it('creates providers with sealed secrets, lists them in priority order, opens the secrets for the sender', async () => {
    const b = await createProvider(deps, t.workspaceId, 'sms', { kind: 'fake', name: 'backup', priority: 5, settings: { url: 'https://b.example' }, secrets: { token: 'token-PLAINTEXT-b' } });
    const a = await createProvider(deps, t.workspaceId, 'sms', {
      kind: 'fake',
      name: 'main',
      priority: 1,
      settings: { url: 'https://a.example' },
      secrets: { token: 'token-PLAINTEXT-a', password: 'pw-PLAINTEXT' },
    });
    for (const id of [a.id, b.id]) {
      const row = await raw(id);
      expect(row).not.toContain('PLAINTEXT');
      expect(row).toContain('"secrets":"v1:');
    }
    const list = await listProviders(h.deps.store.db, h.deps.secretBox, t.workspaceId, 'sms');
    expect(list.map((p) => p.name)).toEqual(['main', 'backup']);
    expect(list[0]).toMatchObject({ kind: 'fake', settings: { url: 'https://a.example' }, secrets: { token: 'token-PLAINTEXT-a', password: 'pw-PLAINTEXT' } });
    expect(await listProviders(h.deps.store.db, h.deps.secretBox, t.workspaceId, 'whatsapp')).toEqual([]);
    // Another workspace sees none of them.
    const other = await h.tenant();
    expect(await listProviders(h.deps.store.db, h.deps.secretBox, other.workspaceId, 'sms')).toEqual([]);
    await expect(getProvider(h.deps.store.db, h.deps.secretBox, other.workspaceId, 'sms', a.id)).rejects.toThrow(/provider .* not found/);
  });

  it('an update keeps omitted secrets, removes null ones, re-validates, and a refused one changes nothing', async () => {
    const p = await createProvider(deps, t.workspaceId, 'sms', { kind: 'fake', name: 'upd', settings: { url: 'https://u.example' }, secrets: { token: 'tok-12345678', password: 'pw-1' } });
    const renamed = await updateProvider(deps, t.workspaceId, 'sms', p.id, { name: 'renamed', secrets: { password: null } });
    expect(renamed).toMatchObject({ name: 'renamed', settings: { url: 'https://u.example' }, secrets: { token: 'tok-12345678' } });
    expect(renamed.secrets.password).toBeUndefined();
    expect(renamed.updatedAt).toBeGreaterThan(p.updatedAt);
    const before = await raw(p.id);
    await expect(updateProvider(deps, t.workspaceId, 'sms', p.id, { name: 'x', secrets: { token: null } })).rejects.toMatchObject({ issues: [{ path: 'body.secrets.token' }] });
    await expect(updateProvider(deps, t.workspaceId, 'sms', p.id, { settings: { url: 'not a url' } })).rejects.toMatchObject({ issues: [{ path: 'body.settings.url' }] });
    expect(await raw(p.id)).toBe(before);
    const opened = await getProvider(h.deps.store.db, h.deps.secretBox, t.workspaceId, 'sms', p.id);
    expect(opened.secrets).toEqual({ token: 'tok-12345678' });
  });

  it('bad settings, secrets or kind are refused with the field path; unknown channel and provider are not found', async () => {
    await expect(createProvider(deps, t.workspaceId, 'sms', { kind: 'fake', name: 'x', settings: { url: 'https://x.example', extra: 1 }, secrets: { token: 'tok-12345678' } })).rejects.toMatchObject({
      issues: [{ path: 'body.settings' }],
    });
    await expect(createProvider(deps, t.workspaceId, 'sms', { kind: 'fake', name: 'x', settings: { url: 'https://x.example' }, secrets: { token: 'short' } })).rejects.toMatchObject({
      issues: [{ path: 'body.secrets.token' }],
    });
    await expect(createProvider(deps, t.workspaceId, 'sms', { kind: 'nope', name: 'x', settings: {} })).rejects.toThrow(/unknown sms provider kind "nope"; known: fake/);
    await expect(createProvider(deps, t.workspaceId, 'sms', { kind: '__proto__', name: 'x', settings: {} })).rejects.toMatchObject({ issues: [{ path: 'body.kind' }] });
    await expect(createProvider(deps, t.workspaceId, 'fax', { kind: 'fake', name: 'x', settings: {} })).rejects.toThrow(/channel fax not found/);
    await expect(updateProvider(deps, t.workspaceId, 'sms', 'prv_missing', { name: 'x' })).rejects.toThrow(/provider prv_missing not found/);
    await expect(deleteProvider(deps, t.workspaceId, 'sms', 'prv_missing')).rejects.toThrow(/not found/);
  });

  it('deletes; a workspace has a bounded number per channel', async () => {
    const w = await h.tenant();
    const made = [];
    for (let i = 0; i < MAX_PROVIDERS_PER_CHANNEL; i++)
      made.push(await createProvider(deps, w.workspaceId, 'sms', { kind: 'fake', name: `p${i}`, settings: { url: 'https://x.example' }, secrets: { token: 'tok-12345678' } }));
    await expect(createProvider(deps, w.workspaceId, 'sms', { kind: 'fake', name: 'one more', settings: { url: 'https://x.example' }, secrets: { token: 'tok-12345678' } })).rejects.toThrow(
      /at most 20 sms providers/,
    );
    await deleteProvider(deps, w.workspaceId, 'sms', made[0]!.id);
    await expect(getProvider(h.deps.store.db, h.deps.secretBox, w.workspaceId, 'sms', made[0]!.id)).rejects.toThrow(/not found/);
    expect(await listProviders(h.deps.store.db, h.deps.secretBox, w.workspaceId, 'sms')).toHaveLength(MAX_PROVIDERS_PER_CHANNEL - 1);
  });

  it('rotation: the start-up pass re-seals every provider under the new key', async () => {
    const rotated = createSecretBox({ current: Buffer.alloc(32, 5), previous: TEST_SECRET_KEY });
    const n = (await listProviders(h.deps.store.db, h.deps.secretBox, t.workspaceId, 'sms')).length;
    expect((await resealStoredSecrets({ store: h.deps.store, secretBox: rotated })).channelProviders).toBeGreaterThanOrEqual(n);
    const onlyNew = createSecretBox({ current: Buffer.alloc(32, 5) });
    const after = await listProviders(h.deps.store.db, onlyNew, t.workspaceId, 'sms');
    expect(after.find((p) => p.name === 'main')?.secrets.token).toBe('token-PLAINTEXT-a');
    // Back under the harness key for the tests that follow.
    await resealStoredSecrets({ store: h.deps.store, secretBox: createSecretBox({ current: TEST_SECRET_KEY, previous: Buffer.alloc(32, 5) }) });
  });

  it('read with a wrong key is a clear error', async () => {
    const wrong = createSecretBox({ current: Buffer.alloc(32, 9) });
    await expect(listProviders(h.deps.store.db, wrong, t.workspaceId, 'sms')).rejects.toThrow(SecretBoxError);
    await expect(listProviders(h.deps.store.db, wrong, t.workspaceId, 'sms')).rejects.toThrow(/sealed under key/);
  });
});
