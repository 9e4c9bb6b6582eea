import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness } from '../../test/harness.js';
import { eraseContact } from '../privacy/erase.js';
import { recordContent, reserveMessage } from './records.js';

describe.each(backends())('message records on %s', (kind) => {
  let h: Harness;
  let ws: string;
  beforeAll(async () => {
    h = await createHarness(kind);
    ws = (await h.tenant()).workspaceId;
  });
  afterAll(async () => h?.close());

  const db = () => h.deps.store.db;
  const content = { provider: 'outbox', to: 'kim@example.com', subject: 'Hello Kim', links: ['https://example.com/kim'], headerMessageId: '<m@example.com>', templateVersion: 1 };
  async function contactWithMessage(name: string) {
    const now = h.clock.now();
    await db()
      .insertInto('contacts')
      .values({ id: `ct_${name}`, workspace_id: ws, user_id: name, email: `${name}@example.com`, phone: null, timezone: null, locale: null, attributes: '{}', created_at: now, updated_at: now })
      .execute();
    const { message } = await reserveMessage(db(), { workspaceId: ws, contactId: `ct_${name}`, channel: 'email', kind: 'marketing', idempotencyKey: `k-${name}`, to: null }, now);
    return message.id;
  }
  const row = (id: string) => db().selectFrom('messages').select(['to_address', 'subject', 'links', 'provider']).where('id', '=', id).executeTakeFirstOrThrow();

  it('recordContent writes the content of a live contact', async () => {
    const id = await contactWithMessage('live');
    expect(await recordContent(db(), id, content, h.clock.now())).toBe(true);
    expect(await row(id)).toMatchObject({ to_address: 'kim@example.com', subject: 'Hello Kim', provider: 'outbox' });
  });

  it("recordContent refuses to write an erased contact's address and subject back", async () => {
    const id = await contactWithMessage('gone');
    await eraseContact(h.deps, ws, 'ct_gone', null);
    expect(await recordContent(db(), id, content, h.clock.now())).toBe(false);
    const after = await row(id);
    expect(after.to_address).toBeNull();
    expect(after.subject).toBeNull();
    expect(after.provider).toBeNull();
  });
});
