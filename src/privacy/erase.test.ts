import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { Readable } from 'node:stream';
import { importContacts } from '../contacts/import-writer.js';
import { readCsv } from '../contacts/import-readers.js';
import { findInDatabase } from './db-scan.testkit.js';
import { person, privacyKit, seedPerson, type Person, type PrivacyKit } from './test-seed.js';

const sha = (s: string) => `sha256:${createHash('sha256').update(s.trim().toLowerCase()).digest('hex')}`;
const needles = (p: Person) => [p.email, p.phone, p.userId, p.anonymousId, ...p.secrets];

describe.each(backends())('DELETE /api/contacts/:id?erase=true on %s', (kind) => {
  let k: PrivacyKit;
  beforeAll(async () => {
    k = await privacyKit(kind);
    // A journey that only a returning person triggers: it shows when marketing mail goes again.
    const res = await k.api('PUT', '/api/journeys/comeback', {
      id: 'comeback',
      name: 'Come back',
      status: 'live',
      trigger: { type: 'event', event: 'Came Back' },
      start: 'hello',
      nodes: [
        { id: 'hello', type: 'message', channel: 'email', template: 'welcome-1' },
        { id: 'done', type: 'exit' },
      ],
      edges: [{ from: 'hello', to: 'done' }],
    });
    expect(res.statusCode).toBeLessThan(300);
  });
  afterAll(async () => k?.close());

  const db = () => k.h.deps.store.db;
  const stats = async () => ({
    events: Number(
      (
        await db()
          .selectFrom('events')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('workspace_id', '=', k.t.workspaceId)
          .executeTakeFirstOrThrow()
      ).n,
    ),
    sentByTemplate: Number(
      (
        await db()
          .selectFrom('messages')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('workspace_id', '=', k.t.workspaceId)
          .where('template_id', '=', 'welcome-1')
          .where('status', '=', 'sent')
          .executeTakeFirstOrThrow()
      ).n,
    ),
    runs: Number(
      (
        await db()
          .selectFrom('journey_runs')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('journey_id', '=', 'welcome')
          .where('workspace_id', '=', k.t.workspaceId)
          .executeTakeFirstOrThrow()
      ).n,
    ),
  });
  const outboxTo = async (email: string) => (await k.api('GET', '/api/outbox?limit=500')).json().data.filter((m: { to: string }) => m.to === email);

  it('leaves no trace of the person in any column of any table, keeps the counts, ends their runs and keeps only hashes', async () => {
    const p = person('er1');
    const kept = person('er2');
    const id = await seedPerson(k, p);
    await seedPerson(k, kept);
    // The scan does find a person's data where it is (else it would prove nothing).
    for (const n of needles(p)) expect(await findInDatabase(k.h.deps.store, n), n).not.toEqual([]);
    const before = await stats();
    const mine = await db().selectFrom('events').select(['id', 'name', 'timestamp']).where('contact_id', '=', id).orderBy('id').execute();

    const res = await k.api('DELETE', `/api/contacts/${id}?erase=true`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ contactId: id, events: mine.length, messages: 1, journeyRuns: 1, runsEnded: 1, outboxDeleted: 1, suppressions: 2 });

    for (const n of needles(p)) expect(await findInDatabase(k.h.deps.store, n), n).toEqual([]);
    for (const n of needles(kept)) expect(await findInDatabase(k.h.deps.store, n), n).not.toEqual([]);

    expect(await stats()).toEqual(before);
    expect(await db().selectFrom('events').select(['id', 'name', 'timestamp']).where('contact_id', '=', id).orderBy('id').execute()).toEqual(mine);
    const message = await db().selectFrom('messages').selectAll().where('contact_id', '=', id).executeTakeFirstOrThrow();
    expect(message).toMatchObject({ status: 'sent', kind: 'marketing', template_id: 'welcome-1', journey_id: 'welcome', to_address: null, subject: null });
    const ledger = await db().selectFrom('consent_history').select(['status', 'source', 'ip', 'user_agent']).where('contact_id', '=', id).orderBy('id').execute();
    expect(ledger.map((c) => [c.ip, c.user_agent])).toEqual(ledger.map(() => [null, null]));
    expect(ledger.map((c) => c.status)).toEqual(['subscribed', 'unsubscribed']);
    const run = await db().selectFrom('journey_runs').selectAll().where('contact_id', '=', id).executeTakeFirstOrThrow();
    expect(run).toMatchObject({ status: 'exited', exit_reason: 'contact_erased', due_at: null });
    expect(run.ended_at).not.toBeNull();

    const suppressions = await db().selectFrom('suppressions').select(['address', 'reason', 'source']).where('workspace_id', '=', k.t.workspaceId).orderBy('address').execute();
    expect(suppressions).toEqual([sha(p.email), sha(p.phone)].sort().map((address) => ({ address, reason: 'unsubscribe_all', source: 'erasure' })));
    expect((await k.api('GET', `/api/contacts/${id}`)).statusCode).toBe(404);
    expect((await k.api('GET', `/api/contacts/${id}/export`)).statusCode).toBe(404);
    expect((await k.api('GET', '/api/contacts')).json().data.map((c: { id: string }) => c.id)).not.toContain(id);
    // Erasing again is allowed (a second scrub) and finds nothing left to clear.
    const again = await k.api('DELETE', `/api/contacts/${id}?erase=true`);
    expect(again.json()).toMatchObject({ contactId: id, erasedAt: res.json().erasedAt, runsEnded: 0, outboxDeleted: 0, suppressions: 0 });
    for (const n of needles(p)) expect(await findInDatabase(k.h.deps.store, n), n).toEqual([]);

    const audit = (await k.api('GET', `/api/audit?action=contact.erased&subject=${id}`)).json().data;
    expect(audit).toHaveLength(2);
    expect(audit[0]).toEqual({
      id: res.json().auditId,
      actor: expect.any(String),
      action: 'contact.erased',
      subject: id,
      details: expect.objectContaining({ events: mine.length, messages: 1 }),
      at: res.json().erasedAt,
    });
  }, 90_000); // reads every column of every table (~60 tables): 11 s alone on PostgreSQL, more beside other test files

  it('a re-identified address gets no marketing mail (transactional still goes) until new consent through the API lifts the entry', async () => {
    const p = person('er3');
    const id = await seedPerson(k, p);
    expect((await k.api('DELETE', `/api/contacts/${id}?erase=true`)).statusCode).toBe(200);

    const again = await k.ingest('identify', { userId: 'returning-er3', traits: { email: p.email.toUpperCase() } });
    expect(again.statusCode).toBe(200);
    expect((await k.ingest('track', { userId: 'returning-er3', event: 'Plan Chosen', properties: { plan: 'pro' } })).statusCode).toBe(200);
    await k.drain();
    const back = (await k.api('GET', `/api/contacts?email=${encodeURIComponent(p.email)}`)).json().data[0];
    expect(back.id).not.toBe(id);
    const skipped = await db().selectFrom('messages').select(['status', 'reason']).where('contact_id', '=', back.id).execute();
    expect(skipped).toEqual([{ status: 'skipped', reason: 'suppressed: erased (needs new consent)' }]);
    expect(await outboxTo(p.email)).toEqual([]);
    const receipt = await k.api('POST', '/api/messages/send', { templateId: 'receipt', email: p.email, data: { order: '7' } });
    expect(receipt.json().result.status).toBe('sent');

    // Re-importing or recreating does not lift it: only an explicit grant does.
    expect((await k.api('PATCH', `/api/contacts/${back.id}`, { attributes: { plan: 'pro' } })).statusCode).toBe(200);
    const grant = await k.api('PUT', `/api/contacts/${back.id}/consent/email`, { status: 'subscribed', source: 'account settings', textVersion: 'v2' });
    expect(grant.statusCode).toBe(200);
    expect((await k.api('GET', `/api/suppressions?address=${encodeURIComponent(p.email)}`)).json().data).toEqual([]);
    const lifted = (await k.api('GET', `/api/audit?action=suppression.erasure_lifted&subject=${back.id}`)).json().data;
    expect(lifted).toEqual([expect.objectContaining({ actor: expect.any(String), details: { channel: 'email', via: 'consent_api' } })]);

    expect((await k.ingest('track', { userId: 'returning-er3', event: 'Came Back' })).statusCode).toBe(200);
    await k.drain();
    const mails = await outboxTo(p.email);
    expect(mails.map((m: { subject: string }) => m.subject)).toEqual(expect.arrayContaining(['Welcome, there!']));
  });

  it('a contact created again through the API stays suppressed until a double opt-in confirmation', async () => {
    const p = person('er4');
    const created = await k.api('POST', '/api/contacts', { email: p.email, userId: p.userId, attributes: { first_name: p.secrets[0] } });
    expect(created.statusCode).toBe(201);
    expect((await k.api('DELETE', `/api/contacts/${created.json().id}?erase=true`)).statusCode).toBe(200);
    const back = (await k.api('POST', '/api/contacts', { email: p.email, userId: 'again-er4' })).json();

    const list = (await k.api('POST', '/api/lists', { name: 'Digest er4', doubleOptIn: true })).json();
    const form = (await k.api('POST', '/api/forms', { listId: list.id, name: 'digest-er4' })).json();
    const single = (await k.api('POST', '/api/lists', { name: 'Open er4' })).json();
    const open = (await k.api('POST', '/api/forms', { listId: single.id, name: 'open-er4' })).json();
    const post = (formId: string) => k.h.app.inject({ method: 'POST', url: `/f/${formId}`, headers: { 'content-type': 'application/json' }, payload: { email: p.email } });

    // Anyone can type an address into a single opt-in form: that is no proof, the entry stays.
    expect((await post(open.id)).json()).toEqual({ status: 'subscribed' });
    expect((await k.api('GET', `/api/suppressions?address=${encodeURIComponent(p.email)}`)).json().data).toHaveLength(1);

    expect((await post(form.id)).json()).toEqual({ status: 'pending' });
    const [confirmation] = await outboxTo(p.email);
    const raw = (await k.api('GET', `/api/outbox/${confirmation.id}/raw`)).body.replace(/=\r?\n/g, '');
    const token = /\/f\/confirm\/([A-Za-z0-9_.-]+)/.exec(raw)![1]!;
    expect((await k.h.app.inject({ method: 'POST', url: `/f/confirm/${token}` })).statusCode).toBe(200);
    expect((await k.api('GET', `/api/suppressions?address=${encodeURIComponent(p.email)}`)).json().data).toEqual([]);
    const lifted = (await k.api('GET', `/api/audit?action=suppression.erasure_lifted&subject=${back.id}`)).json().data;
    expect(lifted).toEqual([expect.objectContaining({ actor: null, details: { channel: 'email', via: 'double_opt_in' } })]);
  });

  it('a CSV import of the erased address (onto a subscribed list) gets no marketing mail either', async () => {
    const p = person('er8');
    const id = await seedPerson(k, p);
    expect((await k.api('DELETE', `/api/contacts/${id}?erase=true`)).statusCode).toBe(200);
    const list = (await k.api('POST', '/api/lists', { name: 'Imported er8' })).json();
    const csv = `email,user_id,first_name\n${p.email},imported-er8,${p.secrets[0]}\n`;
    const stats = await importContacts(k.h.deps, { workspaceId: k.t.workspaceId, rows: readCsv(Readable.from([csv])), listId: list.id, onFailure: () => {} });
    expect(stats).toMatchObject({ created: 1 });
    expect((await k.ingest('track', { userId: 'imported-er8', event: 'Came Back' })).statusCode).toBe(200);
    await k.drain();
    const back = (await k.api('GET', `/api/contacts?email=${encodeURIComponent(p.email)}`)).json().data[0];
    expect(await db().selectFrom('messages').select(['journey_id', 'status', 'reason']).where('contact_id', '=', back.id).execute()).toEqual([
      { journey_id: 'comeback', status: 'skipped', reason: 'suppressed: erased (needs new consent)' },
    ]);
  });

  it('keeps a hard bounce of the address blocking, hashed and without its detail, also after new consent', async () => {
    const p = person('er7');
    const id = (await k.api('POST', '/api/contacts', { email: p.email })).json().id;
    await k.api('POST', '/api/suppressions', { address: p.email, reason: 'hard_bounce', detail: `550 5.1.1 <${p.email}>: no such user` });
    expect((await k.api('DELETE', `/api/contacts/${id}?erase=true`)).json().suppressions).toBe(2);
    const rows = await db().selectFrom('suppressions').select(['address', 'reason', 'source', 'detail']).where('address', '=', sha(p.email)).orderBy('reason').execute();
    expect(rows).toEqual([
      { address: sha(p.email), reason: 'hard_bounce', source: 'api', detail: null },
      { address: sha(p.email), reason: 'unsubscribe_all', source: 'erasure', detail: null },
    ]);
    const back = (await k.api('POST', '/api/contacts', { email: p.email })).json();
    await k.api('PUT', `/api/contacts/${back.id}/consent/email`, { status: 'subscribed' });
    expect((await k.api('GET', `/api/suppressions?address=${encodeURIComponent(p.email)}`)).json().data).toEqual([expect.objectContaining({ reason: 'hard_bounce' })]);
    const receipt = await k.api('POST', '/api/messages/send', { templateId: 'receipt', email: p.email, data: { order: '8' } });
    expect(receipt.json().result).toEqual({ status: 'skipped', reason: 'suppressed: hard_bounce' });
  });

  it('is all-or-nothing: a failure in its last write leaves every row as it was', async () => {
    const p = person('er5');
    const id = await seedPerson(k, p);
    const hitsBefore = await Promise.all(needles(p).map((n) => findInDatabase(k.h.deps.store, n)));
    const store = k.h.deps.store;
    if (store.dialect === 'postgres') {
      await sql`CREATE FUNCTION qatra_test_fail() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$ LANGUAGE plpgsql`.execute(store.db);
      await sql`CREATE TRIGGER qatra_test_fail BEFORE UPDATE OF erased_at ON contacts FOR EACH ROW EXECUTE FUNCTION qatra_test_fail()`.execute(store.db);
    } else {
      await sql`CREATE TRIGGER qatra_test_fail BEFORE UPDATE OF erased_at ON contacts BEGIN SELECT RAISE(ABORT, 'injected failure'); END`.execute(store.db);
    }
    try {
      expect((await k.api('DELETE', `/api/contacts/${id}?erase=true`)).statusCode).toBe(500);
    } finally {
      await sql`DROP TRIGGER qatra_test_fail${sql.raw(store.dialect === 'postgres' ? ' ON contacts' : '')}`.execute(store.db);
    }
    expect(await Promise.all(needles(p).map((n) => findInDatabase(k.h.deps.store, n)))).toEqual(hitsBefore);
    expect((await db().selectFrom('journey_runs').select('status').where('contact_id', '=', id).executeTakeFirstOrThrow()).status).toBe('active');
    expect((await k.api('GET', `/api/audit?action=contact.erased&subject=${id}`)).json().data).toEqual([]);
    expect((await k.api('DELETE', `/api/contacts/${id}?erase=true`)).statusCode).toBe(200);
  });

  it('validates its input; 404s; a write key may not erase; the plain DELETE still deletes', async () => {
    const id = (await k.api('POST', '/api/contacts', { email: 'plain-er6@example.org' })).json().id;
    const bad = await k.api('DELETE', `/api/contacts/${id}?erase=yes`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.issues[0].path).toBe('querystring.erase');
    expect((await k.api('DELETE', '/api/contacts/ct_missing?erase=true')).statusCode).toBe(404);
    const stranger = await k.h.tenant();
    expect((await k.h.app.inject({ method: 'DELETE', url: `/api/contacts/${id}?erase=true`, headers: stranger.admin })).statusCode).toBe(404);
    expect((await k.h.app.inject({ method: 'DELETE', url: `/api/contacts/${id}?erase=true`, headers: k.t.write })).statusCode).toBe(403);
    expect((await k.api('DELETE', `/api/contacts/${id}?erase=false`)).statusCode).toBe(204);
    expect(await db().selectFrom('contacts').select('id').where('id', '=', id).executeTakeFirst()).toBeUndefined();
    const page = await k.api('GET', '/api/audit?cursor=nonsense');
    expect(page.statusCode).toBe(400);
  });
});
