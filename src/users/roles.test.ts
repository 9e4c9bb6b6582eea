import { describe, expect, it } from 'vitest';
import { allows, permissionFor } from './roles.js';

describe('the role table', () => {
  it('treats reads and storing-nothing POSTs as reads', () => {
    expect(permissionFor('GET', '/api/keys')).toBe('read');
    expect(permissionFor('POST', '/api/templates/:id/preview')).toBe('read');
    expect(permissionFor('POST', '/api/segments/preview')).toBe('read');
    expect(permissionFor('POST', '/api/journeys/validate')).toBe('read');
  });

  it("keeps a person's full data export and the audit log for admins, though they are reads", () => {
    expect(permissionFor('GET', '/api/contacts/:id/export')).toBe('admin');
    expect(permissionFor('GET', '/api/audit')).toBe('admin');
    expect(permissionFor('GET', '/api/contacts/:id')).toBe('read');
    expect(permissionFor('GET', '/api/outbox/:id/raw')).toBe('edit');
    expect(permissionFor('GET', '/api/outbox')).toBe('read');
  });

  it('lets editors change content and send tests, and keeps the rest for admins', () => {
    expect(permissionFor('PUT', '/api/journeys/:id')).toBe('edit');
    expect(permissionFor('POST', '/api/templates')).toBe('edit');
    expect(permissionFor('POST', '/api/messages/send')).toBe('edit');
    expect(permissionFor('POST', '/api/journeysx')).toBe('admin');
    expect(permissionFor('POST', '/api/keys')).toBe('admin');
    expect(permissionFor('PATCH', '/api/contacts/:id')).toBe('admin');
    expect(permissionFor('POST', '/api/users/invites')).toBe('admin');
    expect(permissionFor('POST', '/api/broadcasts/:id/schedule')).toBe('edit');
    expect(permissionFor('POST', '/api/broadcasts/:id/unschedule')).toBe('edit');
    expect(permissionFor('PUT', '/api/scoring/rules/:id')).toBe('edit');
    expect(permissionFor('POST', '/api/contacts/imports')).toBe('edit');
    expect(permissionFor('PUT', '/api/contacts/imports/:id/file')).toBe('edit');
    expect(permissionFor('GET', '/api/contacts/:id/timeline')).toBe('read');
    expect([
      permissionFor('POST', '/api/post-series'),
      permissionFor('PUT', '/api/post-series/:id'),
      permissionFor('DELETE', '/api/post-series/:id'),
      permissionFor('POST', '/api/post-images'),
    ]).toEqual(['edit', 'edit', 'edit', 'edit']);
    expect([permissionFor('POST', '/api/post-accounts'), permissionFor('DELETE', '/api/post-accounts/:id'), permissionFor('GET', '/api/post-series')]).toEqual(['admin', 'admin', 'read']);
    // Workspace management checks the role in the workspace it names (src/workspaces/workspaces.routes.ts).
    expect(permissionFor('POST', '/api/workspaces')).toBe('member');
    expect(permissionFor('POST', '/api/workspaces/:id/archive')).toBe('member');
    expect(permissionFor('POST', '/api/workspacesx')).toBe('admin');
    expect([allows('viewer', 'edit'), allows('editor', 'edit'), allows('editor', 'admin'), allows('admin', 'admin')]).toEqual([false, true, false, true]);
  });
});
