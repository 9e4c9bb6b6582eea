/**
 * @module What each role may do through /api, in one table, applied by src/api/auth.ts to every
 * request made with a session cookie (API keys are not users and keep their own rules):
 *  - viewer: reads only (GET, and POSTs that compute without storing: previews, validation and
 *    journey simulation),
 *    except a contact's full data export and the audit log, which are admin reads, and an outbox
 *    message's raw MIME (its tokens unsubscribe or confirm the recipient), an editor read; the
 *    outbox list shows viewers the messages with those tokens redacted.
 *  - editor: also changes journeys, templates, segments, lists, forms, broadcasts, post series
 *    (with their images; connecting the accounts they go to stays an admin's) and scoring rules,
 *    imports contacts from CSV, asks the writing assistant for suggestions, and sends test emails
 *    (POST /api/messages/send; an editor's journeys mail everyone anyway).
 *  - admin: everything in the workspace, users included, except ownership.
 *  - owner: everything.
 * Workspace management (`/api/workspaces…`, docs/workspaces.md) acts on workspaces other than the
 * session's, so it passes here for every member ('member') and its routes check the person's role in
 * the workspace they name (src/workspaces/workspaces.routes.ts).
 */
import type { Role } from './tables.js';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** POST routes that store nothing: allowed to viewers. */
const READ_ONLY_POSTS = [/\/preview$/, /^\/api\/journeys\/validate$/, /^\/api\/journeys\/:id\/simulate$/];

/** Route prefixes an editor may change. */
const EDITOR_AREAS = [
  '/api/journeys',
  '/api/gallery',
  '/api/templates',
  '/api/segments',
  '/api/lists',
  '/api/forms',
  '/api/messages/send',
  '/api/broadcasts',
  '/api/scoring',
  '/api/contacts/imports',
  '/api/assistant/suggest',
  '/api/post-series',
  '/api/post-images',
];

/** Reads only admins may make: everything held about one person (GDPR export) and the audit log. */
const ADMIN_READS = [/^\/api\/contacts\/:id\/export$/, /^\/api\/audit(\/|$)/];

/** Reads that need an editor: a stored message's raw MIME holds live unsubscribe/confirmation tokens; a print batch's pieces and files hold postal addresses. */
const EDITOR_READS = [/^\/api\/outbox\/:id\/raw$/, /^\/api\/mail\/batches\/:id\/(pieces|:file)$/];

/** Routes that check the role in the workspace they act on themselves. */
const SELF_CHECKED = /^\/api\/workspaces(\/|$)/;

export type Permission = 'read' | 'edit' | 'admin' | 'member';

/** The permission a request needs, from its method and route pattern (e.g. `/api/journeys/:id`). */
export function permissionFor(method: string, route: string): Permission {
  if (SELF_CHECKED.test(route)) return 'member';
  if (READ_METHODS.has(method)) return ADMIN_READS.some((re) => re.test(route)) ? 'admin' : EDITOR_READS.some((re) => re.test(route)) ? 'edit' : 'read';
  if (method === 'POST' && READ_ONLY_POSTS.some((re) => re.test(route))) return 'read';
  if (EDITOR_AREAS.some((p) => route === p || route.startsWith(`${p}/`))) return 'edit';
  return 'admin';
}

const GRANTS: Record<Role, readonly Permission[]> = {
  owner: ['member', 'read', 'edit', 'admin'],
  admin: ['member', 'read', 'edit', 'admin'],
  editor: ['member', 'read', 'edit'],
  viewer: ['member', 'read'],
};

export function allows(role: Role, permission: Permission): boolean {
  return GRANTS[role].includes(permission);
}
