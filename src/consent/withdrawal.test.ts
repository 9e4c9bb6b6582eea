import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { emailKit, type EmailKit } from '../channels/email/test-kit.js';
import type { EmailChannel } from '../channels/email/index.js';
import { createContact } from '../contacts/contacts.js';
import type { Contact } from '../contacts/contact.js';
import { fromJson } from '../core/json.js';
import { applyFeedback } from '../bounces/apply.js';
import { findMessage } from '../messages/records.js';
import { signToken, workspaceSecret } from '../tracking/tokens.js';
import { unsubscribeByMail } from '../unsubscribe/mailto.js';
import { saveTemplates } from '../templates/service.js';
import { applyJourney } from '../journeys/journeys.js';
import { loadExample } from '../journeys/definition/examples.js';
import { createRuntime, type JourneyRuntime } from '../journeys/runtime/runtime.js';
import { journeyTask } from '../journeys/runtime/scheduler.js';
import { Worker } from '../worker/worker.js';
import { setConsent } from './consent.js';

const DAY = 24 * 3600_000;
const FOOTER = '<p>{{ workspace.postal_address }} · <a href="{{ unsubscribe_url }}">Unsubscribe</a></p>';

describe.each(backends())('every consent withdrawal records the unsubscribed event on %s', (kind) => {
  let k: EmailKit;
  let rt: JourneyRuntime;
  let worker: Worker;
  beforeAll(async () => {
    k = await emailKit(kind);
    await k.h.app.inject({ method: 'PATCH', url: '/api/workspace', headers: k.t.admin, payload: { postalAddress: '1 Main St, Springfield' } });
    await saveTemplates(
      k.h.deps,
      k.t.workspaceId,
      ['welcome-tips', 'welcome-customer', 'welcome-offer'].map((id) => ({ id, name: id, kind: 'marketing' as const, content: { subject: id, body: `<p>${id}</p>${FOOTER}` } })),
      'upsert',
    );
    rt = createRuntime(k.h.deps);
    worker = new Worker([journeyTask(rt)], { pollIntervalMs: 10, shutdownTimeoutMs: 1000, log: pino({ level: 'silent' }) });
  });
  afterAll(async () => {
    await (rt?.channels.get('email') as EmailChannel | undefined)?.close();
    await k?.close();
  });

  const events = async (contactId: string) =>
    (await k.h.deps.store.db.selectFrom('events').selectAll().where('contact_id', '=', contactId).where('name', '=', 'unsubscribed').orderBy('id').execute()).map((e) =>
      fromJson<Record<string, unknown>>(e.properties),
    );

  /** Sends a marketing email (optionally on a topic) and returns its message id. */
  async function sent(c: Contact, key: string, topic?: string): Promise<string> {
    const r = await k.send(c, { template: 'welcome-1', key, ...(topic ? { topic } : {}) });
    if (r.status !== 'sent') throw new Error(`not sent: ${JSON.stringify(r)}`);
    const row = await k.h.deps.store.db.selectFrom('messages').select('id').where('contact_id', '=', c.id).orderBy('created_at', 'desc').executeTakeFirstOrThrow();
    return row.id;
  }
  const tokenFor = async (messageId: string, purpose: 'unsubscribe' | 'preferences') => signToken(await workspaceSecret(k.h.deps.store, k.t.workspaceId), purpose, { messageId });
  const form = { 'content-type': 'application/x-www-form-urlencoded' };

  it("docs/journeys.md's welcome series, as written, ends the run when the contact unsubscribes with the one-click link of its first email", async () => {
    const applied = await applyJourney(k.h.deps, k.t.workspaceId, loadExample('welcome-series.yaml'));
    expect(applied.status).toBe('live');
    const c = await createContact(k.h.deps, k.t.workspaceId, { userId: 'wanda', email: 'wanda@example.org' });
    k.sink.clear();
    const tracked = await k.h.app.inject({ method: 'POST', url: '/v1/track', headers: k.t.write, payload: { userId: 'wanda', event: 'signed_up', messageId: 'wanda-signup' } });
    expect(tracked.statusCode).toBe(200);
    await worker.drain();
    const [welcome] = await k.sink.waitFor(1);
    const header = welcome!.raw.split('\r\n').find((l) => l.startsWith('List-Unsubscribe:'))!;
    const path = /<https:\/\/q\.example\.com(\/u\/[^>]+)>/.exec(header)![1]!;

    expect((await k.h.app.inject({ method: 'POST', url: path, headers: form, payload: 'List-Unsubscribe=One-Click' })).statusCode).toBe(200);
    await worker.drain();
    const run = await k.h.deps.store.db.selectFrom('journey_runs').selectAll().where('journey_id', '=', 'welcome-series').where('contact_id', '=', c.id).executeTakeFirstOrThrow();
    expect(run.status).toBe('exited');
    expect(run.exit_reason).toBe('exit_event:unsubscribed');
    expect(await events(c.id)).toEqual([{ channel: 'email', source: 'one_click' }]);

    // A week on: nothing more was sent or even attempted for this run.
    k.h.clock.advance(7 * DAY);
    await worker.drain();
    const messages = await k.h.deps.store.db.selectFrom('messages').select('template_id').where('contact_id', '=', c.id).execute();
    expect(messages.map((m) => m.template_id)).toEqual(['welcome-1']);
    expect(k.sink.mails).toHaveLength(1);
  });

  it('the unsubscribe page, the preference centre, the mailto address, a complaint and the consent API each record one event with their source; re-stating a withdrawal records none', async () => {
    const page = await k.contact('page@example.org');
    const m1 = await sent(page, 'w:page', 'news');
    await k.h.app.inject({ method: 'POST', url: `/u/${await tokenFor(m1, 'unsubscribe')}`, headers: form, payload: 'scope=topic' });
    await k.h.app.inject({ method: 'POST', url: `/u/${await tokenFor(m1, 'unsubscribe')}`, headers: form, payload: 'scope=topic' });
    expect(await events(page.id)).toEqual([{ channel: 'email', topic: 'news', source: 'page' }]);

    const prefs = await k.contact('prefs@example.org');
    const m2 = await sent(prefs, 'w:prefs');
    expect((await k.h.app.inject({ method: 'POST', url: `/p/${await tokenFor(m2, 'preferences')}`, headers: form, payload: '' })).statusCode).toBe(200);
    expect(await events(prefs.id)).toEqual([{ channel: 'email', source: 'preferences' }]);

    const mail = await k.contact('mailto@example.org');
    const m3 = await sent(mail, 'w:mailto');
    expect(await unsubscribeByMail(k.h.deps, `unsubscribe+${await tokenFor(m3, 'unsubscribe')}@bounces.example.com`)).not.toBeNull();
    expect(await events(mail.id)).toEqual([{ channel: 'email', source: 'mailto' }]);

    const angry = await k.contact('angry@example.org');
    const m4 = (await findMessage(k.h.deps.store.db, await sent(angry, 'w:complaint')))!;
    await k.h.deps.store.transaction((trx) =>
      applyFeedback({ store: k.h.deps.store, clock: k.h.clock, signals: k.h.deps.signals, softBounceLimit: 3 }, trx, m4, { type: 'complained', feedbackType: 'abuse' }, { source: 'smtp' }),
    );
    expect(await events(angry.id)).toEqual([{ channel: 'email', source: 'complaint' }]);

    const api = await k.contact('api@example.org');
    const put = (status: string) => k.h.app.inject({ method: 'PUT', url: `/api/contacts/${api.id}/consent/sms`, headers: k.t.admin, payload: { status, source: 'crm-sync' } });
    expect((await put('unsubscribed')).statusCode).toBe(200);
    expect((await put('unsubscribed')).statusCode).toBe(200);
    expect(await events(api.id)).toEqual([{ channel: 'sms', source: 'api' }]);
    // Consent given again and withdrawn again is a new withdrawal.
    await setConsent(k.h.deps, k.t.workspaceId, api.id, { channel: 'sms', status: 'subscribed', source: 'crm-sync' });
    expect((await put('unsubscribed')).statusCode).toBe(200);
    expect(await events(api.id)).toHaveLength(2);
  });

  it('a withdrawal that rolls back leaves no event', async () => {
    const c = await k.contact('rollback@example.org');
    await expect(
      k.h.deps.store.transaction(async (trx) => {
        await setConsent(k.h.deps, k.t.workspaceId, c.id, { channel: 'email', status: 'unsubscribed', source: 'one-click' }, trx);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await events(c.id)).toEqual([]);
  });
});
