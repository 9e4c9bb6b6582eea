import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../test/harness.js';
import { createContact } from '../contacts/contacts.js';
import { newId } from '../core/ids.js';
import { toJson } from '../core/json.js';
import { signToken, workspaceSecret } from '../tracking/tokens.js';
import { createSession } from '../users/sessions.js';
import { acceptInvite, createInvite } from '../users/users.js';
import type { Role } from '../users/tables.js';

describe.each(backends())("a sent message's content on %s", (kind) => {
  let h: Harness;
  let t: Tenant;
  let messageId: string;
  let unsub: string;
  beforeAll(async () => {
    h = await createHarness(kind);
    t = await h.tenant();
    const contact = await createContact(h.deps, t.workspaceId, { email: 'reader@example.org' });
    const now = h.clock.now();
    messageId = newId('msg', now);
    unsub = signToken(await workspaceSecret(h.deps.store, t.workspaceId), 'unsubscribe', { messageId });
    await h.deps.store.db
      .insertInto('messages')
      .values({
        id: messageId,
        workspace_id: t.workspaceId,
        contact_id: contact.id,
        channel: 'email',
        kind: 'marketing',
        idempotency_key: 'content-1',
        status: 'sent',
        subject: 'Hello',
        links: '[]',
        created_at: now,
        updated_at: now,
        sent_at: now,
      } as never)
      .execute();
    const html = `<p>Hi</p><a href="https://q.example.com/u/${unsub}">Unsubscribe</a>`;
    await h.deps.store.db
      .insertInto('outbox')
      .values({
        workspace_id: t.workspaceId,
        message_id: messageId,
        from_address: 'a@example.com',
        to_address: 'reader@example.org',
        subject: 'Hello',
        html_body: html,
        text_body: `Unsubscribe: https://q.example.com/u/${unsub}`,
        headers: toJson({}),
        raw: html,
        created_at: now,
      })
      .execute();
  });
  afterAll(async () => h?.close());

  const session = async (role: Role) => {
    const invite = await createInvite(h.deps, { workspaceId: t.workspaceId, role, email: `${role}-content@example.com` });
    const done = await acceptInvite(h.deps, { token: invite.token, password: 'correct horse battery' });
    const s = await createSession(h.deps, done.user.id, t.workspaceId);
    return { cookie: `qatra_session=${s.token}`, 'x-csrf-token': s.csrfToken };
  };

  it('shows a viewer the message with its token signatures redacted; an editor and an admin key see it as sent', async () => {
    const signature = unsub.slice(unsub.lastIndexOf('.') + 1);
    const url = `/api/messages/${messageId}/content`;
    const viewer = await h.app.inject({ method: 'GET', url, headers: await session('viewer') });
    expect(viewer.statusCode, viewer.body).toBe(200);
    expect(viewer.json().source).toBe('outbox');
    expect(viewer.body).not.toContain(signature);
    expect(viewer.json().html).toContain('.redacted');
    const editor = await h.app.inject({ method: 'GET', url, headers: await session('editor') });
    expect(editor.json().html).toContain(unsub);
    const key = await h.app.inject({ method: 'GET', url, headers: t.admin });
    expect(key.json().text).toContain(unsub);
  });
});
