/**
 * @module API keys: `write` keys for ingestion (/v1), `admin` keys for the management API (/api).
 * Only a SHA-256 of the secret is stored; the secret is shown once, at creation.
 */
import { createHash } from 'node:crypto';
import type { ServiceDeps } from '../core/deps.js';
import { newId, newSecret } from '../core/ids.js';
import { ConflictError, NotFoundError, ValidationError } from '../core/errors.js';
import type { Db } from '../store/store.js';
import { fromJson, toJson } from '../core/json.js';
import { normalizeOrigins } from './origins.js';

export type KeyKind = 'write' | 'admin';

export interface ApiKey {
  id: string;
  workspaceId: string;
  kind: KeyKind;
  name: string;
  prefix: string;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
  /** Origins a browser may use the key from (./origins.ts); null: any. */
  allowedOrigins: string[] | null;
}

export interface CreatedKey extends ApiKey {
  /** The secret itself; returned only here and never stored. */
  secret: string;
}

export interface KeyPrincipal {
  keyId: string;
  workspaceId: string;
  kind: KeyKind;
  /** The key's browser origins (./origins.ts); null or absent: any. */
  allowedOrigins?: string[] | null;
  /** The workspace is archived (docs/workspaces.md): ingestion refuses its keys. */
  workspaceArchived?: boolean;
  /** The workspace's own ingestion rate (src/events/rate-limit.ts); null or absent: the server's default. */
  ingestRatePerSecond?: number | null;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

const SECRET_PREFIX: Record<KeyKind, string> = { admin: 'qa_', write: 'qw_' };

export async function createKey(
  deps: ServiceDeps,
  input: { workspaceId: string; kind: KeyKind; name?: string; allowedOrigins?: readonly string[] | null },
  db: Db = deps.store.db,
): Promise<CreatedKey> {
  const now = deps.clock.now();
  const origins = originsFor(input.kind, input.allowedOrigins);
  const secret = SECRET_PREFIX[input.kind] + newSecret(24);
  const row = {
    id: newId('key', now),
    workspace_id: input.workspaceId,
    kind: input.kind,
    name: input.name ?? `${input.kind} key`,
    prefix: secret.slice(0, 8),
    hash: hashSecret(secret),
    created_at: now,
    last_used_at: null,
    revoked_at: null,
    allowed_origins: origins === null ? null : toJson(origins),
  };
  await db.insertInto('api_keys').values(row).execute();
  return { ...toKey(row), secret };
}

export async function listKeys(deps: ServiceDeps, workspaceId: string): Promise<ApiKey[]> {
  const rows = await deps.store.db.selectFrom('api_keys').selectAll().where('workspace_id', '=', workspaceId).orderBy('id').execute();
  return rows.map(toKey);
}

/**
 * Revokes a key of the workspace; revoking twice keeps the first revocation time. The workspace's
 * last live admin key cannot be revoked: nothing could manage the workspace (or make a new key)
 * afterwards. The workspace row is locked so two revocations racing for the last two admin keys
 * cannot both pass the count (SQLite's BEGIN IMMEDIATE already serialises them).
 */
export async function revokeKey(deps: ServiceDeps, workspaceId: string, keyId: string): Promise<ApiKey> {
  const now = deps.clock.now();
  const { store } = deps;
  return store.transaction(async (trx) => {
    await store.adapter.lockRows(trx.selectFrom('workspaces').select('id').where('id', '=', workspaceId)).execute();
    const key = await trx.selectFrom('api_keys').select(['kind', 'revoked_at']).where('id', '=', keyId).where('workspace_id', '=', workspaceId).executeTakeFirst();
    if (!key) throw new NotFoundError('key', keyId);
    if (key.kind === 'admin' && key.revoked_at === null) {
      const live = await trx
        .selectFrom('api_keys')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('workspace_id', '=', workspaceId)
        .where('kind', '=', 'admin')
        .where('revoked_at', 'is', null)
        .executeTakeFirstOrThrow();
      if (Number(live.n) <= 1) throw new ConflictError('the last admin key of a workspace cannot be revoked; create another admin key first', 'id');
    }
    const row = await trx
      .updateTable('api_keys')
      .set((eb) => ({ revoked_at: eb.fn.coalesce('revoked_at', eb.val(now)) }))
      .where('id', '=', keyId)
      .where('workspace_id', '=', workspaceId)
      .returningAll()
      .executeTakeFirstOrThrow();
    return toKey(row);
  });
}

/** Only write keys work from browsers, so only they have origins. */
function originsFor(kind: KeyKind, origins: readonly string[] | null | undefined): string[] | null {
  const list = normalizeOrigins(origins);
  if (list !== null && kind !== 'write') throw ValidationError.at('allowedOrigins', 'only write keys have origins: admin keys never work from browsers');
  return list;
}

/** Sets (or, with null or [], clears; with undefined, keeps) the browser origins of a write key of the workspace. */
export async function setKeyOrigins(deps: ServiceDeps, workspaceId: string, keyId: string, origins: readonly string[] | null | undefined): Promise<ApiKey> {
  const key = await deps.store.db.selectFrom('api_keys').selectAll().where('id', '=', keyId).where('workspace_id', '=', workspaceId).executeTakeFirst();
  if (!key) throw new NotFoundError('key', keyId);
  if (origins === undefined) return toKey(key);
  const list = originsFor(key.kind, origins);
  const row = await deps.store.db
    .updateTable('api_keys')
    .set({ allowed_origins: list === null ? null : toJson(list) })
    .where('id', '=', keyId)
    .where('workspace_id', '=', workspaceId)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toKey(row);
}

/**
 * "Last used" is written at most once per this interval per key: ingestion authenticates on every
 * request, and a write per request would double its database writes for a figure read in minutes.
 */
export const LAST_USED_RESOLUTION_MS = 60_000;

/** Resolves a presented secret to its key, or null when unknown or revoked; notes when it was used. */
export async function authenticate(deps: ServiceDeps, secret: string): Promise<KeyPrincipal | null> {
  // The workspace's archive mark and ingestion rate come with the key: ingestion checks both on every
  // request, and a join on the workspace's primary key costs less than a second query.
  const row = await deps.store.db
    .selectFrom('api_keys as k')
    .innerJoin('workspaces as w', 'w.id', 'k.workspace_id')
    .select(['k.id', 'k.workspace_id', 'k.kind', 'k.revoked_at', 'k.allowed_origins', 'k.last_used_at', 'w.archived_at', 'w.ingest_rate_per_second'])
    .where('k.hash', '=', hashSecret(secret))
    .executeTakeFirst();
  if (!row || row.revoked_at !== null) return null;
  await touchLastUsed(deps, row.id, row.last_used_at);
  return {
    keyId: row.id,
    workspaceId: row.workspace_id,
    kind: row.kind,
    allowedOrigins: originsOf(row.allowed_origins),
    workspaceArchived: row.archived_at !== null,
    ingestRatePerSecond: row.ingest_rate_per_second === null ? null : Number(row.ingest_rate_per_second),
  };
}

/**
 * Writes `last_used_at` when the stored value is older than LAST_USED_RESOLUTION_MS (read with the
 * key, so a fresh value costs no query). The condition is repeated in the UPDATE so that concurrent
 * requests racing past the read still write once.
 */
async function touchLastUsed(deps: ServiceDeps, keyId: string, lastUsedAt: number | null): Promise<void> {
  const now = deps.clock.now();
  const stale = now - LAST_USED_RESOLUTION_MS;
  if (lastUsedAt !== null && Number(lastUsedAt) > stale) return;
  await deps.store.db
    .updateTable('api_keys')
    .set({ last_used_at: now })
    .where('id', '=', keyId)
    .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<=', stale)]))
    .execute();
}

function originsOf(value: unknown): string[] | null {
  return value === null || value === undefined ? null : fromJson<string[]>(value);
}

function toKey(row: {
  id: string;
  workspace_id: string;
  kind: KeyKind;
  name: string;
  prefix: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
  allowed_origins: unknown;
}): ApiKey {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    kind: row.kind,
    name: row.name,
    prefix: row.prefix,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
    allowedOrigins: originsOf(row.allowed_origins),
  };
}
