/**
 * @module Keeps the provider `primary` of a workspace's list in step with `PUT /api/email/provider`
 * (the single-provider settings, kept working): when the workspace has a provider list, saving the
 * old settings rewrites its `primary` entry (at the front when it had none). A workspace without a
 * list sends with the old settings alone, as before (./pool.ts). Imports nothing of ../settings.ts,
 * which calls it.
 */
import { toJson } from '../../../core/json.js';
import type { SecretBox } from '../../../secrets/secret-box.js';
import type { Db } from '../../../store/store.js';

export interface PrimaryProvider {
  kind: string;
  /** The kind's settings as the list stores them (smtp: `{ smtp }`). */
  settings: Record<string, unknown>;
  secrets: Record<string, string>;
}

export function sealListSecrets(box: SecretBox, secrets: Record<string, string>): string {
  return toJson({ sealed: box.seal(JSON.stringify(secrets)) });
}

export async function mirrorPrimary(trx: Db, box: SecretBox, workspaceId: string, primary: PrimaryProvider, now: number): Promise<void> {
  const list = await trx.selectFrom('email_provider_list').select(['id', 'position']).where('workspace_id', '=', workspaceId).execute();
  if (list.length === 0) return;
  const values = { kind: primary.kind, settings: toJson(primary.settings), secrets: sealListSecrets(box, primary.secrets), updated_at: now };
  if (list.some((r) => r.id === 'primary')) {
    await trx.updateTable('email_provider_list').set(values).where('workspace_id', '=', workspaceId).where('id', '=', 'primary').execute();
    return;
  }
  const first = Math.min(...list.map((r) => Number(r.position)));
  await trx
    .insertInto('email_provider_list')
    .values({ workspace_id: workspaceId, id: 'primary', name: 'primary', position: first - 1, ...values, created_at: now })
    .execute();
}
