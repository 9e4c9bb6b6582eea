/**
 * A `qatra worker` SIGKILLed in the middle of a batch of SMS sends, on both stores: QATRA_FAULT_SMS
 * contacts (default 200) enter a journey with one SMS step, sent through the Twilio provider to the
 * local Twilio test server, which holds each answer 100–1,500 ms so that at the kill some messages
 * are recorded `sent` and others are at the server, unanswered. A new worker then finishes.
 *
 * What is proved: every run completed; Qatra holds exactly one message per contact, `sent`, with the
 * id the server gave (none lost, none doubled in Qatra's records); every contact reached the server
 * (none lost); and the only numbers the server saw twice are ones whose request was at the server
 * without Qatra having recorded `sent` when the worker died. Twilio's Messages API takes no
 * idempotency key, so such an in-flight request is sent again after its lease expires: at-least-once
 * at the provider, bounded by what was in flight at the kill. A message whose `sent` was recorded is
 * never sent again (docs/sms.md, "A worker killed mid-send").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../backends.js';
import type { Child } from '../process.js';
import { newId } from '../../src/core/ids.js';
import { toJson } from '../../src/core/json.js';
import { ManualClock } from '../../src/core/clock.js';
import { saveTemplates } from '../../src/templates/service.js';
import { applyJourney } from '../../src/journeys/journeys.js';
import { enrollContacts } from '../../src/journeys/runtime/manual.js';
import { JourneyCatalog } from '../../src/journeys/runtime/catalog.js';
import { providerKinds } from '../../src/channels/providers/kinds.js';
import { createProvider } from '../../src/channels/providers/providers.js';
import { startTwilioServer, type TwilioTestServer } from '../../src/channels/sms/providers/twilio/server.testkit.js';
import { faultWorld, runCounts, size, spawnWorker, stopChild, waitUntil, type FaultWorld } from './kit.js';

const CONTACTS = size('QATRA_FAULT_SMS', 200);
const phoneOf = (i: number) => `+966500${String(i).padStart(6, '0')}`;

describe.each(backends())('a worker killed mid-batch of SMS sends on %s', (kind) => {
  let w: FaultWorld;
  let twilio: TwilioTestServer;
  const children: Child[] = [];
  beforeAll(async () => {
    w = await faultWorld(kind);
    twilio = await startTwilioServer();
    const deps = w.deps;
    await createProvider({ ...deps, providerKinds }, w.workspaceId, 'sms', {
      kind: 'twilio',
      name: 'Local Twilio',
      settings: { accountSid: twilio.accountSid, baseUrl: twilio.baseUrl, from: '+15005550006' },
      secrets: { authToken: twilio.authToken },
    });
    // Transactional: the step must not wait for Riyadh's promotional window or the quiet hours of
    // whenever the test runs (the send path is otherwise the same as a marketing SMS's).
    await saveTemplates(deps, w.workspaceId, [{ id: 'code', name: 'Code', channel: 'sms', kind: 'transactional', content: { body: 'رمزك {{ contact.user_id }}', defaultLocale: 'ar' } }], 'upsert');
  });
  afterAll(async () => {
    for (const c of children) await stopChild(c, 'SIGKILL');
    await twilio?.close();
    await w?.close();
  });

  it(`${CONTACTS} contacts, one SMS each, the worker SIGKILLed mid-batch: none lost, none doubled in Qatra, repeats at the SMSC only among the in-flight`, async () => {
    const now = Date.now();
    const ids: string[] = [];
    const rows = Array.from({ length: CONTACTS }, (_, i) => {
      const id = newId('ct', now);
      ids.push(id);
      const at = { created_at: now, updated_at: now };
      return { id, workspace_id: w.workspaceId, user_id: `u${i}`, email: null, phone: phoneOf(i), timezone: null, locale: 'ar', attributes: toJson({}), ...at };
    });
    await w.deps.store.db.insertInto('contacts').values(rows).execute();
    await applyJourney({ ...w.deps, templateExists: async () => true }, w.workspaceId, {
      id: 'codes',
      name: 'codes',
      status: 'live',
      trigger: { type: 'manual' },
      start: 'sms',
      nodes: [
        { id: 'sms', type: 'message', channel: 'sms', kind: 'transactional', template: 'code' },
        { id: 'done', type: 'exit' },
      ],
      edges: [{ from: 'sms', to: 'done' }],
    });
    const report = await enrollContacts({ ...w.deps, clock: new ManualClock(Date.now()) }, new JourneyCatalog(), w.workspaceId, 'codes', { contactIds: ids });
    expect(report.enrolled).toHaveLength(CONTACTS);

    twilio.delayMs = () => 100 + Math.floor(Math.random() * 1400);
    const db = w.deps.store.db;
    const sentInQatra = async () =>
      (await db.selectFrom('messages').select(['to_address', 'provider_message_id']).where('workspace_id', '=', w.workspaceId).where('channel', '=', 'sms').where('status', '=', 'sent').execute()).map(
        (m) => m.to_address!,
      );
    const unanswered = () => twilio.received.filter((r) => r.answeredAt === null).length;

    const started = Date.now();
    const env = { QATRA_WORKER_BATCH: '50' };
    const victim = spawnWorker(w, env);
    children.push(victim);
    await victim.waitFor(/worker running/, 60_000);
    // Mid-batch: some sends recorded, others at the server and not answered yet.
    await waitUntil('a batch half done', async () => (await sentInQatra()).length >= CONTACTS / 8 && unanswered() >= 5, 120_000, 20);
    victim.proc.kill('SIGKILL');
    expect((await victim.exited()).signal).toBe('SIGKILL');

    const sentAtKill = new Set(await sentInQatra());
    const receivedAtKill = twilio.received.length;
    const atServerAtKill = new Set(twilio.received.map((r) => r.params.To!));
    // At the server but not recorded sent: the requests the kill caught in flight.
    const inFlight = new Set([...atServerAtKill].filter((to) => !sentAtKill.has(to)));
    const answeredNotRecorded = twilio.received.filter((r) => r.answeredAt !== null && !sentAtKill.has(r.params.To!)).length;
    expect(sentAtKill.size).toBeGreaterThan(0);
    expect(sentAtKill.size).toBeLessThan(CONTACTS);
    expect(inFlight.size).toBeGreaterThan(0);

    const finisher = spawnWorker(w, env);
    children.push(finisher);
    await waitUntil('every run to end', async () => (await runCounts(w, 'codes')).open === 0, 240_000, 200);
    const seconds = (Date.now() - started) / 1000;
    expect((await stopChild(finisher)).code).toBe(0);

    expect(await runCounts(w, 'codes')).toEqual({ open: 0, completed: CONTACTS, other: 0 });
    // Qatra's records: one message per contact, sent, with the sid the server answered for it.
    const messages = await db.selectFrom('messages').select(['contact_id', 'to_address', 'status', 'provider_message_id']).where('workspace_id', '=', w.workspaceId).execute();
    expect(messages).toHaveLength(CONTACTS);
    expect(new Set(messages.map((m) => m.contact_id)).size).toBe(CONTACTS);
    expect(messages.filter((m) => m.status !== 'sent')).toEqual([]);
    const sids = new Map(twilio.received.map((r) => [r.sid, r.params.To]));
    for (const m of messages) expect(sids.get(m.provider_message_id), m.to_address!).toBe(m.to_address);

    // The server: every number reached, the expected body; repeats only among the in-flight.
    const transmissions = new Map<string, number>();
    for (const r of twilio.received) transmissions.set(r.params.To!, (transmissions.get(r.params.To!) ?? 0) + 1);
    const bodies = new Map(twilio.received.map((r) => [r.params.To!, r.params.Body]));
    const repeated: string[] = [];
    for (let i = 0; i < CONTACTS; i++) {
      const to = phoneOf(i);
      expect(transmissions.get(to) ?? 0, to).toBeGreaterThanOrEqual(1);
      expect(bodies.get(to)).toBe(`رمزك u${i}`);
      if (sentAtKill.has(to)) expect(transmissions.get(to), `${to} was recorded sent before the kill`).toBe(1);
      if (transmissions.get(to)! > 1) repeated.push(to);
    }
    expect(transmissions.size).toBe(CONTACTS);
    for (const to of repeated) expect(inFlight.has(to), `${to} repeated but was not in flight at the kill`).toBe(true);
    for (const to of repeated) expect(transmissions.get(to)).toBe(2);
    expect(repeated.length).toBeLessThanOrEqual(inFlight.size);
    console.log(
      JSON.stringify({
        test: 'sms-worker-killed',
        backend: kind,
        contacts: CONTACTS,
        sentAtKill: sentAtKill.size,
        receivedAtKill,
        inFlightAtKill: inFlight.size,
        answeredNotRecordedAtKill: answeredNotRecorded,
        repeatedAtServer: repeated.length,
        transmissions: twilio.received.length,
        seconds,
      }),
    );
  });
});
