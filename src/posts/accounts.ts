/**
 * @module Post accounts: connect (validate, verify with the service, seal the secret), list, read,
 * delete, and open one as a Destination for publishing. Secrets are sealed with the SecretBox and
 * never leave this file except into a Destination; the API shows `<name>Set` flags only.
 */
import { z } from 'zod';
import { newId } from '../core/ids.js';
import { fromJson, toJson, type JsonObject } from '../core/json.js';
import { ConflictError, NotFoundError, ValidationError } from '../core/errors.js';
import { parseOrThrow } from '../core/parse.js';
import { privateTargetOf } from '../channels/address-guard.js';
import type { PostsDeps } from './deps.js';
import type { PostAccountKind } from './tables.js';
import type { Destination } from './destination.js';
import { MastodonVerifyError, mastodonDestination, verifyMastodon, type MastodonSettings } from './mastodon.js';
import { TELEGRAM_API_ROOT, TelegramVerifyError, telegramDestination, verifyTelegram, type TelegramSettings } from './telegram.js';
import { webhookDestination } from './webhook.js';
import { privateAllowed } from './guard.js';

const httpUrl = z
  .string()
  .max(2000)
  .refine((u) => {
    try {
      return ['http:', 'https:'].includes(new URL(u).protocol);
    } catch {
      return false;
    }
  }, 'must be an http(s) URL');

export const accountInput = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('mastodon'),
      name: z.string().trim().min(1).max(200),
      settings: z.object({ serverUrl: httpUrl }).strict(),
      secrets: z.object({ accessToken: z.string().min(1).max(2000) }).strict(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('telegram_channel'),
      name: z.string().trim().min(1).max(200),
      settings: z.object({ channel: z.string().regex(/^(@[A-Za-z][A-Za-z0-9_]{3,31}|-100\d{5,15})$/, 'must be a channel @name or a chat id such as -1001234567890') }).strict(),
      secrets: z.object({ botToken: z.string().regex(/^\d{1,20}:[A-Za-z0-9_-]{20,100}$/, 'must be a bot token as BotFather gives it (123456:ABC…)') }).strict(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('webhook'),
      name: z.string().trim().min(1).max(200),
      settings: z.object({ url: httpUrl }).strict(),
      secrets: z.object({ signingSecret: z.string().min(16).max(500) }).strict(),
    })
    .strict(),
]);
export type AccountInput = z.output<typeof accountInput>;

export interface PostAccount {
  id: string;
  kind: PostAccountKind;
  name: string;
  settings: JsonObject;
  /** `<name>Set: true` for each stored secret; never the value. */
  secrets: Record<string, boolean>;
  createdAt: number;
  updatedAt: number;
}

const SECRET_NAMES: Record<PostAccountKind, string> = { mastodon: 'accessToken', telegram_channel: 'botToken', webhook: 'signingSecret' };

function show(row: { id: string; kind: PostAccountKind; name: string; settings: unknown; created_at: number; updated_at: number }): PostAccount {
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    settings: fromJson<JsonObject>(row.settings),
    secrets: { [`${SECRET_NAMES[row.kind]}Set`]: true },
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

/** Verifies the credentials with the service and returns the settings to keep. */
async function verify(deps: PostsDeps, workspaceId: string, input: AccountInput): Promise<JsonObject> {
  const allowPrivate = await privateAllowed(deps, workspaceId);
  const url = input.kind === 'mastodon' ? input.settings.serverUrl : input.kind === 'webhook' ? input.settings.url : null;
  if (url && !allowPrivate) {
    const refused = await privateTargetOf(new URL(url).hostname);
    if (refused) throw ValidationError.at(input.kind === 'mastodon' ? 'body.settings.serverUrl' : 'body.settings.url', refused.message);
  }
  try {
    switch (input.kind) {
      case 'mastodon': {
        const serverUrl = input.settings.serverUrl.replace(/\/+$/, '');
        const found = await verifyMastodon(serverUrl, input.secrets.accessToken, deps.clock.now(), allowPrivate);
        return { serverUrl, ...found } satisfies MastodonSettings as unknown as JsonObject;
      }
      case 'telegram_channel':
        return (await verifyTelegram(input.secrets.botToken, input.settings.channel, deps.telegramApiRoot ?? TELEGRAM_API_ROOT)) as unknown as JsonObject;
      case 'webhook':
        return { url: input.settings.url };
    }
  } catch (err) {
    if (err instanceof MastodonVerifyError || err instanceof TelegramVerifyError) throw ValidationError.at(`body.${err.field}`, err.message);
    throw err;
  }
}

export async function connectAccount(deps: PostsDeps, workspaceId: string, body: unknown): Promise<PostAccount> {
  const input = parseOrThrow(accountInput, body, 'body');
  const settings = await verify(deps, workspaceId, input);
  const secret = Object.values(input.secrets)[0] as string;
  const now = deps.clock.now();
  const row = {
    workspace_id: workspaceId,
    id: newId('pacc', now),
    kind: input.kind,
    name: input.name,
    settings: toJson(settings),
    secrets: deps.secretBox.seal(secret),
    created_at: now,
    updated_at: now,
  };
  await deps.store.db.insertInto('post_accounts').values(row).execute();
  return show({ ...row, settings });
}

export async function listAccounts(deps: Pick<PostsDeps, 'store'>, workspaceId: string): Promise<PostAccount[]> {
  const rows = await deps.store.db.selectFrom('post_accounts').select(['id', 'kind', 'name', 'settings', 'created_at', 'updated_at']).where('workspace_id', '=', workspaceId).orderBy('id').execute();
  return rows.map(show);
}

export async function getAccount(deps: Pick<PostsDeps, 'store'>, workspaceId: string, id: string): Promise<PostAccount> {
  const row = await deps.store.db
    .selectFrom('post_accounts')
    .select(['id', 'kind', 'name', 'settings', 'created_at', 'updated_at'])
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw new NotFoundError('post account', id);
  return show(row);
}

export async function deleteAccount(deps: Pick<PostsDeps, 'store'>, workspaceId: string, id: string): Promise<void> {
  await getAccount(deps, workspaceId, id);
  const series = await deps.store.db.selectFrom('post_series').select(['id', 'account_ids']).where('workspace_id', '=', workspaceId).execute();
  const using = series.find((s) => fromJson<string[]>(s.account_ids).includes(id));
  if (using) throw new ConflictError(`post account ${id} is used by series ${using.id}; remove it from the series first`);
  await deps.store.db.deleteFrom('post_accounts').where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
}

/** The account as a Destination, its secret opened. */
export async function openDestination(deps: PostsDeps, workspaceId: string, id: string): Promise<Destination> {
  const row = await deps.store.db.selectFrom('post_accounts').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  if (!row) throw new NotFoundError('post account', id);
  return destinationOf(deps, row.kind, fromJson<JsonObject>(row.settings), deps.secretBox.open(row.secrets), await privateAllowed(deps, workspaceId));
}

export function destinationOf(deps: PostsDeps, kind: PostAccountKind, settings: JsonObject, secret: string, allowPrivate: boolean): Destination {
  switch (kind) {
    case 'mastodon': {
      const s = settings as unknown as MastodonSettings;
      return mastodonDestination(s, secret, deps.clock, allowPrivate);
    }
    case 'telegram_channel':
      return telegramDestination(settings as unknown as TelegramSettings, secret, deps.telegramApiRoot ?? TELEGRAM_API_ROOT);
    case 'webhook':
      return webhookDestination(settings as unknown as { url: string }, secret, deps.clock, allowPrivate);
  }
}
