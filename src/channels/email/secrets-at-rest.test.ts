import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../../test/harness.js';
import { toJson } from '../../core/json.js';
import { createSecretBox, SecretBoxError } from '../../secrets/secret-box.js';
import { resealStoredSecrets } from '../../secrets/reseal.js';
import { TEST_SECRET_KEY } from '../../../test/secret-key.js';
import { loadEmailSettings } from './settings.js';
import { createProviderPool } from './providers/pool.js';
import { parseEmailEnv } from './env.js';

const PASSWORD = 'hunter2-PLAINTEXT-pw';
const KEY = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const KEY_BODY = KEY.split('\n')[1]!;
const settings = {
  provider: 'smtp',
  from: { address: 'news@example.com' },
  smtp: { host: 'smtp.example.com', port: 587, user: 'qatra', password: PASSWORD },
  dkim: { domain: 'example.com', selector: 's1', privateKey: KEY },
};

describe.each(backends())('email provider secrets at rest on %s', (kind) => {
  let h: Harness;
  let t: Tenant;
  const rawRow = async (workspaceId: string) => JSON.stringify(await h.deps.store.db.selectFrom('email_providers').selectAll().where('workspace_id', '=', workspaceId).executeTakeFirstOrThrow());
  beforeAll(async () => {
    h = await createHarness(kind);
    t = await h.tenant();
  });
  afterAll(async () => h?.close());

  it('the stored row holds neither the SMTP password nor the DKIM key; the API shows flags; the provider gets the values', async () => {
    const put = await h.app.inject({ method: 'PUT', url: '/api/email/provider', headers: t.admin, payload: settings });
    expect(put.statusCode).toBe(200);
    const got = await h.app.inject({ method: 'GET', url: '/api/email/provider', headers: t.admin });
    for (const r of [put, got]) {
      expect(r.json()).toMatchObject({ smtp: { hasPassword: true }, dkim: { hasPrivateKey: true } });
      expect(r.body).not.toContain('PLAINTEXT');
      expect(r.body).not.toContain(KEY_BODY);
    }
    const row = await rawRow(t.workspaceId);
    expect(row).not.toContain('PLAINTEXT');
    expect(row).not.toContain('PRIVATE KEY');
    expect(row).not.toContain(KEY_BODY);
    expect(row).toMatch(/"sealed\\?":\s*\\?"v1:/);
    const pool = createProviderPool({ store: h.deps.store, clock: h.clock, secretBox: h.deps.secretBox }, parseEmailEnv({}));
    const { resolved } = await pool.get(t.workspaceId);
    await pool.close();
    expect(resolved.secrets).toEqual({ password: PASSWORD, dkimPrivateKey: KEY });
  });

  it('a row written before sealing (plain JSON) is still read, sealed by the start-up pass, and by its next write', async () => {
    const legacy = async () => {
      const w = await h.tenant();
      await h.deps.store.db
        .insertInto('email_providers')
        .values({
          workspace_id: w.workspaceId,
          kind: 'smtp',
          settings: toJson({
            provider: 'smtp',
            from: { address: 'a@example.com' },
            tracking: { opens: true, clicks: true, transactional: false },
            smtp: { host: 'smtp.example.com', port: 587, secure: false, requireTls: false, user: 'u', maxConnections: 5, allowInvalidCertificates: false },
          }),
          secrets: toJson({ password: 'legacy-PLAINTEXT' }),
          updated_at: 1000,
        })
        .execute();
      return w;
    };
    const a = await legacy();
    const b = await legacy();
    expect((await loadEmailSettings(h.deps.store.db, a.workspaceId, h.deps.secretBox))?.secrets).toEqual({ password: 'legacy-PLAINTEXT' });
    const got = await h.app.inject({ method: 'GET', url: '/api/email/provider', headers: a.admin });
    expect(got.json().smtp.hasPassword).toBe(true);

    // Next write: a PUT that omits the password keeps it, now sealed.
    const put = await h.app.inject({
      method: 'PUT',
      url: '/api/email/provider',
      headers: b.admin,
      payload: { provider: 'smtp', from: { address: 'a@example.com' }, smtp: { host: 'smtp.example.com', user: 'u' } },
    });
    expect(put.json().smtp.hasPassword).toBe(true);
    expect(await rawRow(b.workspaceId)).not.toContain('PLAINTEXT');

    // Start-up pass: seals the row nobody wrote again, leaves updated_at (the provider cache's version) alone.
    expect(await rawRow(a.workspaceId)).toContain('legacy-PLAINTEXT');
    const counts = await resealStoredSecrets(h.deps);
    expect(counts.emailProviders).toBe(1);
    expect(await rawRow(a.workspaceId)).not.toContain('PLAINTEXT');
    const after = await loadEmailSettings(h.deps.store.db, a.workspaceId, h.deps.secretBox);
    expect(after).toMatchObject({ secrets: { password: 'legacy-PLAINTEXT' }, version: 'ws:1000' });
    expect((await resealStoredSecrets(h.deps)).emailProviders).toBe(0);
  });

  it('a wrong key is a clear error, not garbage; the previous key opens and the pass re-seals under the new one', async () => {
    const wrong = createSecretBox({ current: Buffer.alloc(32, 9) });
    await expect(loadEmailSettings(h.deps.store.db, t.workspaceId, wrong)).rejects.toThrow(SecretBoxError);
    await expect(loadEmailSettings(h.deps.store.db, t.workspaceId, wrong)).rejects.toThrow(/sealed under key .* but this process has key/);
    await expect(resealStoredSecrets({ store: h.deps.store, secretBox: wrong })).rejects.toThrow(/QATRA_SECRET_KEY/);

    const rotated = createSecretBox({ current: Buffer.alloc(32, 9), previous: TEST_SECRET_KEY });
    expect((await loadEmailSettings(h.deps.store.db, t.workspaceId, rotated))?.secrets.password).toBe(PASSWORD);
    expect((await resealStoredSecrets({ store: h.deps.store, secretBox: rotated })).emailProviders).toBeGreaterThanOrEqual(1);
    expect((await loadEmailSettings(h.deps.store.db, t.workspaceId, wrong))?.secrets.password).toBe(PASSWORD);
  });
});
