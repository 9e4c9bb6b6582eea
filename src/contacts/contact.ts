/**
 * @module The Contact: a person a workspace markets to. `userId` is the workspace's own id for them
 * (Segment's userId); `anonymousIds` are pre-identification ids merged into them.
 */
import { parseEmailAddress } from '../core/email-address.js';
import { ValidationError } from '../core/errors.js';
import { fromJson, type JsonObject } from '../core/json.js';
import type { ContactsTable } from './tables.js';
import type { Selectable } from 'kysely';
import type { PostalAddress } from './postal-address.js';

export interface Contact {
  id: string;
  workspaceId: string;
  userId: string | null;
  email: string | null;
  phone: string | null;
  timezone: string | null;
  locale: string | null;
  attributes: JsonObject;
  /** Where direct mail goes (docs/mail.md); null or absent (a contact made up outside the store, as simulations do): none. */
  address?: PostalAddress | null;
  createdAt: number;
  updatedAt: number;
}

export function toContact(row: Selectable<ContactsTable>): Contact {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    userId: row.user_id,
    email: row.email,
    phone: row.phone,
    timezone: row.timezone,
    locale: row.locale,
    attributes: fromJson<JsonObject>(row.attributes) ?? {},
    address: fromJson<PostalAddress>(row.postal_address) ?? null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * The stored form of a contact's email: exactly one mailbox (src/core/email-address.ts), lower-cased
 * (emails are unique per workspace case-insensitively). Anything else is refused with a
 * ValidationError at `path` (`email`, `traits.email`, …), so no caller can store a list or a header.
 */
export function normalizeEmail(email: string, path = 'email'): string {
  const parsed = parseEmailAddress(email);
  if (!parsed.ok) throw ValidationError.at(path, parsed.reason);
  return parsed.value.key;
}

/** A contact row as identity resolution reads it (src/contacts/by-keys.ts, src/events/lookup.ts). */
export type ContactRow = {
  id: string;
  user_id: string | null;
  email: string | null;
  phone: string | null;
  timezone: string | null;
  locale: string | null;
  attributes: unknown;
  created_at: number;
};

/** Why an identify call's `traits.email` cannot be stored (the issue's path is `email` inside traits), or null. */
export function traitsEmailIssue(traits: Readonly<Record<string, unknown>>): string | null {
  const email = traits.email;
  if (typeof email !== 'string' || email.trim() === '') return null;
  const parsed = parseEmailAddress(email);
  return parsed.ok ? null : parsed.reason;
}
