/**
 * @module Users and their workspace roles. People join through one-time setup links (invites): the
 * first start makes one for the owner (./owner.ts); owners and admins invite the others. A link is
 * a 256-bit random token, stored as SHA-256, valid 7 days and spent on use.
 */
import type { ServiceDeps } from '../core/deps.js';
import { newId, newSecret } from '../core/ids.js';
import { ConflictError, ForbiddenError, NotFoundError, TooManyRequestsError, ValidationError } from '../core/errors.js';
import { hashSecret } from '../keys/keys.js';
import { checkPasswordStrength, hashPassword } from './passwords.js';
import type { Role } from './tables.js';
import { emailKey, parseEmailAddress } from '../core/email-address.js';
import { inviteIdOf } from './invites.js';
import { checkPassword } from './login.js';

export const ROLES: readonly Role[] = ['owner', 'admin', 'editor', 'viewer'];
export const INVITE_TTL_MS = 7 * 24 * 3600_000;

export interface User {
  id: string;
  email: string;
  name: string;
  createdAt: number;
}

export interface Member extends User {
  role: Role;
}

export interface Invite {
  /** Names the invitation in listings (./invites.ts). */
  id: string;
  token: string;
  workspaceId: string;
  role: Role;
  email: string | null;
  expiresAt: number;
}

/** A user's address as stored and looked up: the same key as a contact's (src/core/email-address.ts). */
export function normaliseEmail(email: string): string {
  return emailKey(email);
}

export async function createInvite(deps: ServiceDeps, input: { workspaceId: string; role: Role; email?: string | null }): Promise<Invite> {
  const now = deps.clock.now();
  const token = newSecret(32);
  const email = input.email ? normaliseEmail(input.email) : null;
  await deps.store.db
    .insertInto('user_invites')
    .values({ token_hash: hashSecret(token), workspace_id: input.workspaceId, role: input.role, email, created_at: now, expires_at: now + INVITE_TTL_MS, used_at: null })
    .execute();
  return { id: inviteIdOf(hashSecret(token)), token, workspaceId: input.workspaceId, role: input.role, email, expiresAt: now + INVITE_TTL_MS };
}

/** What a setup link is for, without spending it (the setup screen shows it). */
export async function inspectInvite(deps: ServiceDeps, token: string): Promise<{ role: Role; email: string | null; workspaceId: string }> {
  const row = await deps.store.db.selectFrom('user_invites').selectAll().where('token_hash', '=', hashSecret(token)).executeTakeFirst();
  if (!row || row.used_at !== null || row.expires_at <= deps.clock.now()) throw new NotFoundError('setup link', 'given');
  return { role: row.role, email: row.email, workspaceId: row.workspace_id };
}

/**
 * Spends a setup link: creates the user and the membership, or, for an address that already has an
 * account (a person joining a second workspace), adds the membership once the account's password is
 * given (checked like a sign-in, rate limits included, so a link for someone else's address signs
 * nobody in). Spending and joining happen in one transaction, so a link works once.
 */
export async function acceptInvite(
  deps: ServiceDeps,
  input: { token: string; email?: string | undefined; name?: string | undefined; password: string; ip?: string | undefined },
): Promise<{ user: User; workspaceId: string; role: Role; joined: 'new_account' | 'existing_account' }> {
  const invite = await inspectInvite(deps, input.token);
  const email = invite.email ?? (input.email ? normaliseEmail(input.email) : '');
  if (!parseEmailAddress(email).ok) throw ValidationError.at('email', 'one email address is required, like name@example.com');
  const existing = await deps.store.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
  let passwordHash: string | null = null;
  if (existing) {
    const check = await checkPassword(deps, { email, password: input.password, ip: input.ip ?? 'setup' }, false);
    if (check.outcome === 'rate_limited') throw new TooManyRequestsError(`too many failed sign-ins; try again in ${check.retryAfterSeconds} s`, check.retryAfterSeconds);
  } else {
    checkPasswordStrength(input.password);
    passwordHash = await hashPassword(input.password);
  }
  return deps.store.transaction(async (trx) => {
    const now = deps.clock.now();
    const spent = await trx
      .updateTable('user_invites')
      .set({ used_at: now })
      .where('token_hash', '=', hashSecret(input.token))
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .returningAll()
      .executeTakeFirst();
    if (!spent) throw new NotFoundError('setup link', 'given');
    let row = await trx.selectFrom('users').select(['id', 'email', 'name', 'created_at']).where('email', '=', email).executeTakeFirst();
    if (!row) {
      // Created meanwhile by a concurrent setup: its password was not checked here.
      if (existing || passwordHash === null) throw new ConflictError(`the account ${email} changed meanwhile; try again`, 'email');
      row = { id: newId('usr', now), email, name: input.name?.trim() || email.split('@')[0]!, created_at: now };
      await trx
        .insertInto('users')
        .values({ ...row, password_hash: passwordHash })
        .execute();
    } else if (!existing) throw new ConflictError(`a user with the address ${email} exists; sign in instead`, 'email');
    const member = await trx.selectFrom('workspace_members').select('role').where('workspace_id', '=', spent.workspace_id).where('user_id', '=', row.id).executeTakeFirst();
    if (member) throw new ConflictError(`${email} is already a member of this workspace (as ${member.role}); sign in instead`, 'email');
    await trx.insertInto('workspace_members').values({ workspace_id: spent.workspace_id, user_id: row.id, role: spent.role, created_at: now }).execute();
    return { user: toUser(row), workspaceId: spent.workspace_id, role: spent.role, joined: existing ? ('existing_account' as const) : ('new_account' as const) };
  });
}

export async function listMembers(deps: ServiceDeps, workspaceId: string): Promise<Member[]> {
  const rows = await deps.store.db
    .selectFrom('workspace_members as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['u.id', 'u.email', 'u.name', 'u.created_at', 'm.role'])
    .where('m.workspace_id', '=', workspaceId)
    .orderBy('u.id')
    .execute();
  return rows.map((r) => ({ ...toUser(r), role: r.role }));
}

export async function roleOf(deps: ServiceDeps, workspaceId: string, userId: string): Promise<Role | null> {
  const row = await deps.store.db.selectFrom('workspace_members').select('role').where('workspace_id', '=', workspaceId).where('user_id', '=', userId).executeTakeFirst();
  return row?.role ?? null;
}

/** Only an owner grants or takes away ownership, and the last owner stays. */
export async function setRole(deps: ServiceDeps, workspaceId: string, actor: Role | 'key', userId: string, role: Role | null): Promise<void> {
  const current = await roleOf(deps, workspaceId, userId);
  if (!current) throw new NotFoundError('member', userId);
  if ((role === 'owner' || current === 'owner') && actor !== 'owner') throw new ForbiddenError('only an owner can grant or remove ownership');
  if (current === 'owner' && role !== 'owner') {
    const owners = (await listMembers(deps, workspaceId)).filter((m) => m.role === 'owner');
    if (owners.length === 1) throw new ConflictError('the workspace needs at least one owner', 'role');
  }
  const q = deps.store.db;
  if (role === null) await q.deleteFrom('workspace_members').where('workspace_id', '=', workspaceId).where('user_id', '=', userId).execute();
  else await q.updateTable('workspace_members').set({ role }).where('workspace_id', '=', workspaceId).where('user_id', '=', userId).execute();
  // A changed role takes effect at once: roles are read per request, sessions carry none.
}

function toUser(r: { id: string; email: string; name: string; created_at: number }): User {
  return { id: r.id, email: r.email, name: r.name, createdAt: Number(r.created_at) };
}
