/**
 * @module Providers of the channels other than email (`channel_providers`): several per workspace and
 * channel, tried in `priority` order (lowest first). `settings` are stored as given (validated by the
 * kind's schema, ./kinds.ts); `secrets` are validated the same way and stored sealed by the
 * SecretBox (src/secrets/), so the row never holds a credential in the clear.
 *
 * Updates: `settings`, when given, replace the stored ones (and are validated whole); `secrets` are
 * merged field by field: an omitted field keeps its stored value, null removes it, and the result
 * must still satisfy the kind's schema. The kind of a provider never changes (delete and create).
 * Every write runs in one transaction: a refused change leaves the row as it was.
 */
import type { Selectable } from 'kysely';
import type { ServiceDeps } from '../../core/deps.js';
import { ConflictError, NotFoundError, ValidationError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { fromJson, toJson } from '../../core/json.js';
import type { Db } from '../../store/store.js';
import type { SealingDeps, SecretBox } from '../../secrets/secret-box.js';
import type { ChannelProvidersTable } from '../tables.js';
import type { ProviderKind, ProviderKinds } from './kinds.js';

/** At most this many providers per workspace and channel (a failover list, not a catalogue). */
export const MAX_PROVIDERS_PER_CHANNEL = 20;

export interface ChannelProvider {
  id: string;
  workspaceId: string;
  channel: string;
  kind: string;
  name: string;
  priority: number;
  settings: Record<string, unknown>;
  /** Opened secrets: for the channel that sends, never for an API answer. */
  secrets: Record<string, string>;
  createdAt: number;
  updatedAt: number;
}

export interface ProviderInput {
  kind: string;
  name: string;
  priority?: number | undefined;
  settings: unknown;
  secrets?: Record<string, unknown> | undefined;
}

export interface ProviderPatch {
  name?: string | undefined;
  priority?: number | undefined;
  settings?: unknown;
  /** Omitted fields keep their stored value; null removes one. */
  secrets?: Record<string, unknown> | undefined;
}

export type ProviderDeps = ServiceDeps & SealingDeps & { providerKinds: ProviderKinds };

function toProvider(box: SecretBox, row: Selectable<ChannelProvidersTable>): ChannelProvider {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    channel: row.channel,
    kind: row.kind,
    name: row.name,
    priority: Number(row.priority),
    settings: fromJson<Record<string, unknown>>(row.settings),
    secrets: JSON.parse(box.open(row.secrets)) as Record<string, string>,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

/** The kind's schemas; an unknown channel is a 404, an unknown kind a 400 naming the known ones. */
export function kindOf(kinds: ProviderKinds, channel: string, kind: string): ProviderKind {
  const ofChannel = kinds[channel];
  if (!ofChannel) throw new NotFoundError('channel', channel);
  const found = Object.hasOwn(ofChannel, kind) ? ofChannel[kind] : undefined;
  if (!found) throw ValidationError.at('body.kind', `unknown ${channel} provider kind "${kind}"; known: ${Object.keys(ofChannel).join(', ') || 'none'}`);
  return found;
}

function parseWith(schema: ProviderKind['settings'], value: unknown, prefix: string): unknown {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new ValidationError(result.error.issues.map((i) => ({ path: [prefix, ...i.path.map(String)].join('.'), message: i.message })));
}

function parseSecrets(kind: ProviderKind, value: Record<string, unknown>): Record<string, string> {
  const parsed = parseWith(kind.secrets, value, 'body.secrets');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries((parsed ?? {}) as Record<string, unknown>)) {
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') throw ValidationError.at(`body.secrets.${k}`, 'a secret is a string');
    out[k] = v;
  }
  return out;
}

export async function listProviders(db: Db, box: SecretBox, workspaceId: string, channel: string): Promise<ChannelProvider[]> {
  const rows = await db.selectFrom('channel_providers').selectAll().where('workspace_id', '=', workspaceId).where('channel', '=', channel).orderBy('priority').orderBy('id').execute();
  return rows.map((r) => toProvider(box, r));
}

/**
 * A provider's workspace and opened secrets by its id alone, for the callbacks that name it in their
 * URL (`/hooks/sms/twilio/:providerId/…`); null when there is no such provider of that channel and kind.
 */
export async function channelProviderSecrets(db: Db, box: SecretBox, id: string, of: { channel: string; kind: string }): Promise<{ workspaceId: string; secrets: Record<string, string> } | null> {
  const row = await db.selectFrom('channel_providers').selectAll().where('id', '=', id).where('channel', '=', of.channel).where('kind', '=', of.kind).executeTakeFirst();
  return row ? { workspaceId: row.workspace_id, secrets: toProvider(box, row).secrets } : null;
}

export async function getProvider(db: Db, box: SecretBox, workspaceId: string, channel: string, id: string): Promise<ChannelProvider> {
  const row = await db.selectFrom('channel_providers').selectAll().where('id', '=', id).where('workspace_id', '=', workspaceId).where('channel', '=', channel).executeTakeFirst();
  if (!row) throw new NotFoundError('provider', id);
  return toProvider(box, row);
}

export async function createProvider(deps: ProviderDeps, workspaceId: string, channel: string, input: ProviderInput): Promise<ChannelProvider> {
  const kind = kindOf(deps.providerKinds, channel, input.kind);
  const settings = parseWith(kind.settings, input.settings, 'body.settings');
  const secrets = parseSecrets(kind, input.secrets ?? {});
  return deps.store.transaction(async (trx) => {
    const count = await trx
      .selectFrom('channel_providers')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('workspace_id', '=', workspaceId)
      .where('channel', '=', channel)
      .executeTakeFirstOrThrow();
    if (Number(count.n) >= MAX_PROVIDERS_PER_CHANNEL) throw new ConflictError(`a workspace has at most ${MAX_PROVIDERS_PER_CHANNEL} ${channel} providers`);
    const now = deps.clock.now();
    const row = {
      id: newId('prv', now),
      workspace_id: workspaceId,
      channel,
      kind: input.kind,
      name: input.name,
      priority: input.priority ?? 0,
      settings: toJson(settings),
      secrets: deps.secretBox.seal(JSON.stringify(secrets)),
      created_at: now,
      updated_at: now,
    };
    await trx.insertInto('channel_providers').values(row).execute();
    return { id: row.id, workspaceId, channel, kind: input.kind, name: input.name, priority: row.priority, settings: settings as Record<string, unknown>, secrets, createdAt: now, updatedAt: now };
  });
}

export async function updateProvider(deps: ProviderDeps, workspaceId: string, channel: string, id: string, patch: ProviderPatch): Promise<ChannelProvider> {
  if (!deps.providerKinds[channel]) throw new NotFoundError('channel', channel);
  return deps.store.transaction(async (trx) => {
    const locked = await deps.store.adapter
      .lockRows(trx.selectFrom('channel_providers').selectAll().where('id', '=', id).where('workspace_id', '=', workspaceId).where('channel', '=', channel))
      .executeTakeFirst();
    if (!locked) throw new NotFoundError('provider', id);
    const current = toProvider(deps.secretBox, locked);
    const kind = kindOf(deps.providerKinds, channel, current.kind);
    const settings = patch.settings === undefined ? current.settings : (parseWith(kind.settings, patch.settings, 'body.settings') as Record<string, unknown>);
    const merged: Record<string, unknown> = Object.assign(Object.create(null) as Record<string, unknown>, current.secrets);
    for (const [k, v] of Object.entries(patch.secrets ?? {})) {
      if (v === null) delete merged[k];
      else merged[k] = v;
    }
    const secrets = parseSecrets(kind, merged);
    // Strictly increasing, so that a cached provider built from the old row is seen to be stale.
    const now = Math.max(deps.clock.now(), current.updatedAt + 1);
    const name = patch.name ?? current.name;
    const priority = patch.priority ?? current.priority;
    await trx
      .updateTable('channel_providers')
      .set({ name, priority, settings: toJson(settings), secrets: deps.secretBox.seal(JSON.stringify(secrets)), updated_at: now })
      .where('id', '=', id)
      .execute();
    return { ...current, name, priority, settings, secrets, updatedAt: now };
  });
}

export async function deleteProvider(deps: ServiceDeps & { providerKinds: ProviderKinds }, workspaceId: string, channel: string, id: string): Promise<void> {
  if (!deps.providerKinds[channel]) throw new NotFoundError('channel', channel);
  const r = await deps.store.db.deleteFrom('channel_providers').where('id', '=', id).where('workspace_id', '=', workspaceId).where('channel', '=', channel).executeTakeFirst();
  if (Number(r.numDeletedRows) === 0) throw new NotFoundError('provider', id);
}
