/**
 * @module The start-up pass over every sealed column (the one list of them): seals what is still
 * plain and re-seals what an earlier key sealed, so that after one start nothing is stored in the
 * clear and a rotated-out key (QATRA_SECRET_KEY_PREVIOUS) can be dropped.
 *
 * Why at start-up and not only on the next write: a workspace that never saves its email settings
 * again would otherwise keep its SMTP password in plain text forever. Readers still accept plain
 * rows, because during a rolling upgrade an older process may write one after this pass ran; the
 * next start (or the row's next write) seals it.
 *
 * Each row is updated only if unchanged since it was read (same `updated_at`, which is left as it
 * is: the content did not change, so cached providers stay valid). Two processes starting at once
 * may both re-seal a row; either value opens to the same secrets.
 */
import type { Store } from '../store/store.js';
import { fromJson } from '../core/json.js';
import { openEmailSecrets, sealEmailSecrets } from '../channels/email/settings.js';
import type { SecretBox } from './secret-box.js';

export interface ResealCounts {
  emailProviders: number;
  /** Rows of the email provider list (migrations/000030.sql). */
  emailProviderList: number;
  channelProviders: number;
  assistantKeys: number;
  postAccounts: number;
}

export async function resealStoredSecrets(deps: { store: Store; secretBox: SecretBox }): Promise<ResealCounts> {
  const { store, secretBox: box } = deps;
  const counts: ResealCounts = { emailProviders: 0, emailProviderList: 0, channelProviders: 0, assistantKeys: 0, postAccounts: 0 };

  const email = await store.db.selectFrom('email_providers').select(['workspace_id', 'secrets', 'updated_at']).execute();
  for (const row of email) {
    const value = fromJson<{ sealed?: unknown } | null>(row.secrets);
    if (value && typeof value.sealed === 'string' && box.isCurrent(value.sealed)) continue;
    const sealed = sealEmailSecrets(box, openEmailSecrets(box, row.secrets));
    const r = await store.db.updateTable('email_providers').set({ secrets: sealed }).where('workspace_id', '=', row.workspace_id).where('updated_at', '=', row.updated_at).executeTakeFirst();
    counts.emailProviders += Number(r.numUpdatedRows);
  }

  const list = await store.db.selectFrom('email_provider_list').select(['workspace_id', 'id', 'secrets', 'updated_at']).execute();
  for (const row of list) {
    const value = fromJson<{ sealed?: unknown } | null>(row.secrets);
    if (value && typeof value.sealed === 'string' && box.isCurrent(value.sealed)) continue;
    const r = await store.db
      .updateTable('email_provider_list')
      .set({ secrets: sealEmailSecrets(box, openEmailSecrets(box, row.secrets)) })
      .where('workspace_id', '=', row.workspace_id)
      .where('id', '=', row.id)
      .where('updated_at', '=', row.updated_at)
      .executeTakeFirst();
    counts.emailProviderList += Number(r.numUpdatedRows);
  }

  const providers = await store.db.selectFrom('channel_providers').select(['id', 'secrets', 'updated_at']).execute();
  for (const row of providers) {
    if (box.isCurrent(row.secrets)) continue;
    // Not sealed at all: written by hand or by a tool that bypassed the store; seal it as it is.
    const plain = box.isSealed(row.secrets) ? box.open(row.secrets) : row.secrets;
    const r = await store.db
      .updateTable('channel_providers')
      .set({ secrets: box.seal(plain) })
      .where('id', '=', row.id)
      .where('updated_at', '=', row.updated_at)
      .executeTakeFirst();
    counts.channelProviders += Number(r.numUpdatedRows);
  }

  // The writing assistant's API key (src/assistant/settings.ts), one per workspace.
  const assistant = await store.db.selectFrom('assistant_settings').select(['workspace_id', 'api_key', 'updated_at']).where('api_key', 'is not', null).execute();
  for (const row of assistant) {
    const key = row.api_key!;
    if (box.isCurrent(key)) continue;
    const plain = box.isSealed(key) ? box.open(key) : key;
    const r = await store.db
      .updateTable('assistant_settings')
      .set({ api_key: box.seal(plain) })
      .where('workspace_id', '=', row.workspace_id)
      .where('updated_at', '=', row.updated_at)
      .executeTakeFirst();
    counts.assistantKeys += Number(r.numUpdatedRows);
  }

  // Tokens of post accounts (src/posts/accounts.ts): Mastodon, Telegram bots, webhook secrets.
  const postAccounts = await store.db.selectFrom('post_accounts').select(['workspace_id', 'id', 'secrets', 'updated_at']).execute();
  for (const row of postAccounts) {
    if (box.isCurrent(row.secrets)) continue;
    const plain = box.isSealed(row.secrets) ? box.open(row.secrets) : row.secrets;
    const r = await store.db
      .updateTable('post_accounts')
      .set({ secrets: box.seal(plain) })
      .where('workspace_id', '=', row.workspace_id)
      .where('id', '=', row.id)
      .where('updated_at', '=', row.updated_at)
      .executeTakeFirst();
    counts.postAccounts += Number(r.numUpdatedRows);
  }
  return counts;
}
