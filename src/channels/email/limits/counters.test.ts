import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../../test/backends.js';
import { createHarness, type Harness } from '../../../../test/harness.js';
import { returnSend, takeSend, usedIn } from './counters.js';

describe.each(backends())('send counters on %s', (kind) => {
  let h: Harness;
  let workspaceId: string;
  beforeAll(async () => {
    h = await createHarness(kind);
    workspaceId = (await h.tenant()).workspaceId;
  });
  afterAll(async () => h?.close());

  it('20 concurrent takers of a window of 7 get exactly 7; a new window starts again from 1; a returned one can be taken again', async () => {
    const key = { workspaceId, scope: 'provider:race' };
    const takes = await Promise.all(Array.from({ length: 20 }, () => takeSend(h.deps.store.db, key, 60_000, 7)));
    expect(takes.filter(Boolean)).toHaveLength(7);
    expect((await usedIn(h.deps.store.db, workspaceId, [key.scope], () => 60_000)).get(key.scope)).toBe(7);
    await returnSend(h.deps.store.db, key, 60_000);
    expect(await takeSend(h.deps.store.db, key, 60_000, 7)).toBe(true);
    expect(await takeSend(h.deps.store.db, key, 60_000, 7)).toBe(false);
    const next = await Promise.all(Array.from({ length: 10 }, () => takeSend(h.deps.store.db, key, 120_000, 7)));
    expect(next.filter(Boolean)).toHaveLength(7);
    expect((await usedIn(h.deps.store.db, workspaceId, [key.scope], () => 180_000)).get(key.scope)).toBe(0);
  });
});
