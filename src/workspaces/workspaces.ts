/**
 * @module Workspaces: the tenant every row belongs to. A default workspace, with one admin and one
 * write key, is created on first start.
 */
import type { ServiceDeps } from '../core/deps.js';
import type { Db } from '../store/store.js';
import { toJson } from '../core/json.js';
import { newId } from '../core/ids.js';
import { createKey, type CreatedKey } from '../keys/keys.js';

export const DEFAULT_WORKSPACE_ID = 'ws_default';

export interface BootstrapResult {
  /** True only on the very first start; the keys are then shown once. */
  created: boolean;
  workspaceId: string;
  adminKey?: CreatedKey;
  writeKey?: CreatedKey;
}

/** Creates the default workspace and its first keys if it does not exist yet (safe under races). */
export async function bootstrap(deps: ServiceDeps): Promise<BootstrapResult> {
  return deps.store.transaction(async (trx) => {
    const inserted = await trx
      .insertInto('workspaces')
      .values({ id: DEFAULT_WORKSPACE_ID, name: 'Default', settings: toJson({}), created_at: deps.clock.now() })
      .onConflict((oc) => oc.column('id').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!inserted) return { created: false, workspaceId: DEFAULT_WORKSPACE_ID };
    const adminKey = await createKey(deps, { workspaceId: DEFAULT_WORKSPACE_ID, kind: 'admin', name: 'first admin key' }, trx);
    const writeKey = await createKey(deps, { workspaceId: DEFAULT_WORKSPACE_ID, kind: 'write', name: 'first write key' }, trx);
    return { created: true, workspaceId: DEFAULT_WORKSPACE_ID, adminKey, writeKey };
  });
}

/** Creates another workspace (tests and multi-tenant set-ups). */
export async function createWorkspace(deps: ServiceDeps, input: { name: string; timezone?: string; postalAddress?: string }, db: Db = deps.store.db): Promise<{ id: string; name: string }> {
  const id = newId('ws', deps.clock.now());
  // The postal address marketing email shows (src/workspaces/postal-address.ts); later set with PATCH /api/workspace.
  const settings = input.postalAddress ? { postalAddress: input.postalAddress } : {};
  await db
    .insertInto('workspaces')
    .values({ id, name: input.name, timezone: input.timezone ?? 'UTC', settings: toJson(settings), created_at: deps.clock.now() })
    .execute();
  return { id, name: input.name };
}

/** A workspace's fallback time zone. */
export async function workspaceZone(db: Db, workspaceId: string): Promise<string> {
  const row = await db.selectFrom('workspaces').select('timezone').where('id', '=', workspaceId).executeTakeFirst();
  return row?.timezone ?? 'UTC';
}
