import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.js';
import { startMastodonFake, type MastodonFake } from './mastodon.testkit.js';
import { mastodonDestination, MastodonVerifyError, verifyMastodon } from './mastodon.js';

describe('Mastodon calls pass the address guard inside the socket', () => {
  let fake: MastodonFake;
  let viaName = '';
  beforeAll(async () => {
    fake = await startMastodonFake();
    // `localhost` resolves to 127.0.0.1 (or ::1): only the lookup made for the connection can tell.
    viaName = fake.url.replace('127.0.0.1', 'localhost');
  });
  afterAll(async () => fake?.close());

  it('verifying an account on a server whose name resolves to 127.0.0.1 is refused unless private addresses are allowed', async () => {
    const refused = await verifyMastodon(viaName, fake.token, 0, false).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(MastodonVerifyError);
    expect((refused as MastodonVerifyError).message).toMatch(/private, loopback or link-local/);
    expect(await verifyMastodon(viaName, fake.token, 0, true)).toMatchObject({ username: 'brand', maxCharacters: 500 });
  });

  it('a post to such a server fails for good, and no status reaches it', async () => {
    const settings = { serverUrl: viaName, maxCharacters: 500, maxMediaAttachments: 4, username: 'brand', accountUrl: null };
    const meta = { postId: 'p1', seriesId: 's1', position: 0, accountId: 'a1' };
    const calls = fake.statusCalls;
    const refused = await mastodonDestination(settings, fake.token, new ManualClock(), false).publish({ text: 'hello', images: [], idempotencyKey: 'k-1', meta });
    expect(refused).toMatchObject({ status: 'permanent', reason: expect.stringMatching(/private, loopback or link-local/) });
    expect(fake.statusCalls).toBe(calls);
    const allowed = await mastodonDestination(settings, fake.token, new ManualClock(), true).publish({ text: 'hello', images: [], idempotencyKey: 'k-2', meta });
    expect(allowed).toMatchObject({ status: 'published' });
  });
});
