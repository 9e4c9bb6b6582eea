import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness } from '../../test/harness.js';
import { TEST_SECRET_KEY } from '../../test/secret-key.js';
import { ValidationError } from '../core/errors.js';
import { resealStoredSecrets } from '../secrets/reseal.js';
import { createSecretBox } from '../secrets/secret-box.js';
import { assistantEndpoint, DEFAULT_ASSISTANT_SETTINGS, getAssistantSettings, putAssistantSettings } from './settings.js';

describe.each(backends())('writing-assistant settings on %s', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(kind);
  });
  afterAll(async () => h?.close());

  it('a workspace without a row has the assistant off and no key', async () => {
    const t = await h.tenant();
    expect(await getAssistantSettings(h.deps.store.db, t.workspaceId)).toEqual({ ...DEFAULT_ASSISTANT_SETTINGS, apiKeySet: false });
    expect(DEFAULT_ASSISTANT_SETTINGS.enabled).toBe(false);
  });

  it('a refused change stores nothing (turning it on without a model)', async () => {
    const t = await h.tenant();
    await putAssistantSettings(h.deps.store.db, h.deps.secretBox, t.workspaceId, { enabled: false, baseUrl: 'http://llm.example/v1', apiKey: 'k1' }, h.clock);
    await expect(putAssistantSettings(h.deps.store.db, h.deps.secretBox, t.workspaceId, { enabled: true, baseUrl: 'http://llm.example/v1', apiKey: 'k2' }, h.clock)).rejects.toThrow(ValidationError);
    const ep = await assistantEndpoint(h.deps.store.db, h.deps.secretBox, t.workspaceId);
    expect(ep).toMatchObject({ enabled: false, apiKey: 'k1' });
  });

  it('key rotation: the start-up pass re-seals the API key under the new key', async () => {
    const t = await h.tenant();
    await putAssistantSettings(h.deps.store.db, h.deps.secretBox, t.workspaceId, { enabled: true, baseUrl: 'http://llm.example/v1', model: 'm', apiKey: 'sk-rotate-me' }, h.clock);
    const rotated = createSecretBox({ current: Buffer.alloc(32, 9), previous: TEST_SECRET_KEY });
    expect((await resealStoredSecrets({ store: h.deps.store, secretBox: rotated })).assistantKeys).toBeGreaterThanOrEqual(1);
    const onlyNew = createSecretBox({ current: Buffer.alloc(32, 9) });
    expect((await assistantEndpoint(h.deps.store.db, onlyNew, t.workspaceId)).apiKey).toBe('sk-rotate-me');
    await resealStoredSecrets({ store: h.deps.store, secretBox: createSecretBox({ current: TEST_SECRET_KEY, previous: Buffer.alloc(32, 9) }) });
    expect((await assistantEndpoint(h.deps.store.db, h.deps.secretBox, t.workspaceId)).apiKey).toBe('sk-rotate-me');
  });
});
