/**
 * @module Row types of the lists and list memberships tables (migrations/000001.sql), for Kysely.
 */

export interface ListsTable {
  id: string;
  workspace_id: string;
  name: string;
  description: string | null;
  double_opt_in: number;
  created_at: number;
  updated_at: number;
}

export type MembershipStatus = 'subscribed' | 'pending' | 'unsubscribed';

export interface ListMembershipsTable {
  list_id: string;
  contact_id: string;
  workspace_id: string;
  status: MembershipStatus;
  source: string | null;
  created_at: number;
  updated_at: number;
}
