/**
 * @module Row types of the users tables (migrations/000012.sql).
 */
import type { Generated } from 'kysely';

export type Role = 'owner' | 'admin' | 'editor' | 'viewer';

export interface UsersTable {
  id: string;
  email: string;
  name: string;
  password_hash: string;
  created_at: number;
}

export interface WorkspaceMembersTable {
  workspace_id: string;
  user_id: string;
  role: Role;
  created_at: number;
}

export interface UserSessionsTable {
  token_hash: string;
  user_id: string;
  workspace_id: string;
  csrf_token: string;
  created_at: number;
  expires_at: number;
}

export interface UserInvitesTable {
  token_hash: string;
  workspace_id: string;
  role: Role;
  email: string | null;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export interface LoginFailuresTable {
  id: Generated<number>;
  subject: string;
  at: number;
}
