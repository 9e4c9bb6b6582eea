/**
 * @module A posts fixture for tests: a harness (real app, real database of the given backend,
 * manual clock), a workspace allowed to reach 127.0.0.1, the local Mastodon and Telegram fakes,
 * accounts connected to them, and the posts runtime pointed at them.
 */
import { createHarness, type Harness, type Tenant } from '../../test/harness.js';
import type { DialectName } from '../store/store.js';
import { fromJson, toJson, type JsonObject } from '../core/json.js';
import { startMastodonFake, type MastodonFake } from './mastodon.testkit.js';
import { startTelegramFake, type TelegramFake } from './telegram.testkit.js';
import { connectAccount } from './accounts.js';
import { createPostsRuntime } from './task.js';
import type { PostsRuntime } from './runtime.js';
import type { PostsDeps } from './deps.js';

export interface PostsFixture {
  h: Harness;
  t: Tenant;
  mastodon: MastodonFake;
  telegram: TelegramFake;
  deps: PostsDeps;
  mastodonId: string;
  telegramId: string;
  runtime(options?: Partial<PostsRuntime>): PostsRuntime;
  close(): Promise<void>;
}

export async function postsFixture(kind: DialectName): Promise<PostsFixture> {
  const h = await createHarness(kind, { allowPrivateOutbound: true, publicUrl: 'https://q.example' });
  const t = await h.tenant();
  const row = await h.deps.store.db.selectFrom('workspaces').select('settings').where('id', '=', t.workspaceId).executeTakeFirstOrThrow();
  const settings = fromJson<JsonObject | null>(row.settings) ?? {};
  await h.deps.store.db
    .updateTable('workspaces')
    .set({ settings: toJson({ ...settings, allowPrivateWebhookTargets: true }) })
    .where('id', '=', t.workspaceId)
    .execute();
  const mastodon = await startMastodonFake();
  const telegram = await startTelegramFake();
  const deps: PostsDeps = { ...h.deps, telegramApiRoot: telegram.apiRoot };
  const m = await connectAccount(deps, t.workspaceId, { kind: 'mastodon', name: 'Brand on Mastodon', settings: { serverUrl: mastodon.url }, secrets: { accessToken: mastodon.token } });
  const tg = await connectAccount(deps, t.workspaceId, { kind: 'telegram_channel', name: 'Brand news', settings: { channel: '@brandnews' }, secrets: { botToken: telegram.token } });
  return {
    h,
    t,
    mastodon,
    telegram,
    deps,
    mastodonId: m.id,
    telegramId: tg.id,
    runtime: (options = {}) => createPostsRuntime(h.deps, { telegramApiRoot: telegram.apiRoot, ...options }),
    async close() {
      await mastodon.close();
      await telegram.close();
      await h.close();
    },
  };
}
