/**
 * @module The populated world the fuzz tests attack: two workspaces (A and B) on one real app, each
 * with a contact, a list, a form, a segment, a journey, a template and a sent marketing email, so
 * requests reach real rows (and real tokens) rather than bouncing off empty tables.
 */
import { emailKit, receiptTemplate, type EmailKit } from '../../src/channels/email/test-kit.js';
import type { Tenant } from '../harness.js';
import type { DialectName } from '../../src/store/store.js';
import { workspaceSecret } from '../../src/tracking/tokens.js';
import { saveTemplates } from '../../src/templates/service.js';

export interface Resources {
  contactId: string;
  listId: string;
  formId: string;
  segmentId: string;
  journeyId: string;
  templateId: string;
  messageId: string;
  keyId: string;
  /** Path of the message's unsubscribe link, `/u/<token>`. */
  unsubscribePath: string;
}

export interface World {
  k: EmailKit;
  a: Tenant;
  b: Tenant;
  ra: Resources;
  rb: Resources;
  close(): Promise<void>;
}

const journey = (id: string) => ({
  id,
  name: `Journey ${id}`,
  trigger: { type: 'event', event: 'signed_up' },
  start: 'wait',
  nodes: [
    { id: 'wait', type: 'delay', duration: '1d' },
    { id: 'done', type: 'exit' },
  ],
  edges: [{ from: 'wait', to: 'done' }],
});

async function populate(k: EmailKit, t: Tenant, tag: string): Promise<Resources> {
  const call = async (method: 'POST' | 'PUT', url: string, payload: object) => {
    const res = await k.h.app.inject({ method, url, headers: t.admin, payload });
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  };
  const contact = await call('POST', '/api/contacts', { userId: `${tag}-user`, email: `${tag}@example.org`, attributes: { plan: 'pro' } });
  const list = await call('POST', '/api/lists', { name: `${tag} news` });
  const form = await call('POST', '/api/forms', { listId: list.id, name: `${tag} form` });
  const segment = await call('POST', '/api/segments', { id: `${tag}-pro`, name: 'Pro', conditions: { type: 'attribute', attribute: 'plan', op: 'equals', value: 'pro' } });
  const j = await call('POST', '/api/journeys', journey(`${tag}-journey`));
  const key = await call('POST', '/api/keys', { kind: 'write', name: `${tag} extra` });
  return {
    contactId: contact.id,
    listId: list.id,
    formId: form.id,
    segmentId: segment.id,
    journeyId: j.id ?? `${tag}-journey`,
    templateId: 'welcome-1',
    messageId: '',
    keyId: key.id,
    unsubscribePath: '',
  };
}

export async function createWorld(kind: DialectName): Promise<World> {
  const k = await emailKit(kind);
  const a = k.t;
  const b = await k.h.tenant();
  const ra = await populate(k, a, 'a');
  const rb = await populate(k, b, 'b');
  await saveTemplates(k.h.deps, b.workspaceId, [{ ...receiptTemplate, id: 'b-only' }], 'upsert');
  rb.templateId = 'b-only';
  // A real marketing email of A's, for real tracking and unsubscribe tokens.
  const contact = await k.contact('tokens@example.org');
  const sent = await k.send(contact, { template: 'welcome-1', key: 'fuzz:tokens' });
  if (sent.status !== 'sent') throw new Error(`seed send: ${JSON.stringify(sent)}`);
  const [mail] = await k.sink.waitFor(1);
  const header = mail!.raw.split('\r\n').find((l) => l.startsWith('List-Unsubscribe:'))!;
  ra.unsubscribePath = /<https:\/\/q\.example\.com(\/u\/[^>]+)>/.exec(header)![1]!;
  const row = await k.h.deps.store.db.selectFrom('messages').select('id').where('idempotency_key', '=', 'fuzz:tokens').executeTakeFirstOrThrow();
  ra.messageId = row.id;
  // Signing secrets exist before the fuzzing starts (they are created on first use, a legitimate write).
  await workspaceSecret(k.h.deps.store, a.workspaceId);
  await workspaceSecret(k.h.deps.store, b.workspaceId);
  return { k, a, b, ra, rb, close: () => k.close() };
}
