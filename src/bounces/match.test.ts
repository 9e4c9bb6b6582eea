/**
 * A provider event names a message by the provider's id or by its Message-ID header: it is found
 * through the index of that column, and only within the workspace the event came to, however many
 * messages the workspace holds.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../test/harness.js';
import { explain, numbers } from '../../test/plans.js';
import { findWorkspaceMessage, workspaceMessageQuery } from './match.js';

const MESSAGES = 3000;

describe.each(backends())('finding the message of a provider event on %s', (kind) => {
  let h: Harness;
  let a: Tenant;
  let b: Tenant;
  beforeAll(async () => {
    h = await createHarness(kind);
    a = await h.tenant();
    b = await h.tenant();
    const db = h.deps.store.db;
    for (const t of [a, b]) {
      const tag = t === a ? 'a' : 'b';
      await db
        .insertInto('contacts')
        .values({ id: `ct_${tag}`, workspace_id: t.workspaceId, user_id: null, email: `${tag}@example.org`, phone: null, timezone: null, locale: null, attributes: '{}', created_at: 0, updated_at: 0 })
        .execute();
      await sql`INSERT INTO messages (id, workspace_id, contact_id, channel, kind, idempotency_key, status, provider_message_id, header_message_id, links, created_at, updated_at)
        SELECT ${`msg_${tag}_`} || n, ${t.workspaceId}, ${`ct_${tag}`}, 'email', 'marketing', ${`k_${tag}_`} || n, 'sent',
          ${`prov-${tag}-`} || n, ${`<hdr-${tag}-`} || n || '@news.example.com>', '[]', n, n FROM (${numbers(kind, MESSAGES)}) AS s`.execute(db);
    }
  });
  afterAll(async () => h?.close());

  it('probes the provider-id and Message-ID indexes, not the workspace index', async () => {
    const text = await explain(h.deps.store.db, kind, workspaceMessageQuery(h.deps.store.db, ['<prov-a-7>', 'prov-a-7']).compile());
    expect(text).toContain('messages_provider_message_id');
    expect(text).toContain('messages_header_message_id');
    expect(text).not.toMatch(/Seq Scan|messages_workspace|SCAN messages(?! USING)/);
  });

  it("finds a message by provider id or Message-ID, in the event's workspace only", async () => {
    expect((await findWorkspaceMessage(h.deps.store.db, a.workspaceId, { providerMessageId: 'prov-a-42' }))?.id).toBe('msg_a_42');
    expect((await findWorkspaceMessage(h.deps.store.db, a.workspaceId, { providerMessageId: 'hdr-a-43@news.example.com' }))?.id).toBe('msg_a_43');
    expect((await findWorkspaceMessage(h.deps.store.db, a.workspaceId, { providerMessageId: '<hdr-a-44@news.example.com>' }))?.id).toBe('msg_a_44');
    expect(await findWorkspaceMessage(h.deps.store.db, a.workspaceId, { providerMessageId: 'prov-b-42' })).toBeUndefined();
    expect((await findWorkspaceMessage(h.deps.store.db, b.workspaceId, { providerMessageId: 'prov-b-42' }))?.id).toBe('msg_b_42');
  });
});
