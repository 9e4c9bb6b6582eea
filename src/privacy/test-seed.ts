/**
 * @module What the privacy tests share: a harness whose workspace mails through the outbox (the
 * default provider), and a person seeded only through the public API: identify (traits, phone,
 * anonymous id, context), track, consent, a list, a segment, a journey that sends them a marketing
 * email through the outbox and then waits (an open run), and an answer on the unsubscribe page.
 * Every personal value is distinctive, so a scan of the database can look for it.
 */
import pino from 'pino';
import { createHarness, type Harness, type Tenant } from '../../test/harness.js';
import type { DialectName } from '../store/store.js';
import { saveTemplates } from '../templates/service.js';
import { footerPartial, welcomeMjml } from '../templates/test-fixtures.js';
import { receiptTemplate } from '../channels/email/test-kit.js';
import { createRuntime, type JourneyRuntime } from '../journeys/runtime/runtime.js';
import { journeyTask } from '../journeys/runtime/scheduler.js';
import { Worker } from '../worker/worker.js';
import type { EmailChannel } from '../channels/email/index.js';

export interface Person {
  tag: string;
  email: string;
  phone: string;
  userId: string;
  anonymousId: string;
  /** Trait, property, user-agent and feedback values that only this person's data contains. */
  secrets: string[];
}

export function person(tag: string): Person {
  return {
    tag,
    email: `zenobia.${tag}@example.org`,
    // A number libphonenumber calls valid (identify refuses invalid ones): 201 is a New Jersey area code.
    phone: `+1201555${tag.replace(/\D/g, '').padStart(4, '0').slice(-4)}`,
    userId: `user-${tag}-8812`,
    anonymousId: `anon-${tag}-4471`,
    secrets: [
      `Zenobia${tag}`,
      `ultramarine-${tag}`,
      `pistachio-${tag}`,
      `UA-${tag}-5512`,
      `marmalade-${tag}`,
      `198.51.100.${100 + ([...tag].reduce((a, c) => a * 31 + c.charCodeAt(0), 7) % 150)}`,
      `Quayside ${tag} Lane`,
    ],
  };
}

type Res = Awaited<ReturnType<Harness['app']['inject']>>;

export interface PrivacyKit {
  h: Harness;
  t: Tenant;
  rt: JourneyRuntime;
  api(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: unknown, headers?: Record<string, string>): Promise<Res>;
  ingest(type: string, body: object): Promise<Res>;
  drain(): Promise<void>;
  close(): Promise<void>;
}

export async function privacyKit(kind: DialectName): Promise<PrivacyKit> {
  const h = await createHarness(kind);
  const t = await h.tenant();
  await saveTemplates(h.deps, t.workspaceId, [footerPartial, welcomeMjml, receiptTemplate], 'upsert');
  const rt = createRuntime(h.deps);
  const worker = new Worker([journeyTask(rt)], { pollIntervalMs: 10, shutdownTimeoutMs: 1000, log: pino({ level: 'silent' }) });
  const kit: PrivacyKit = {
    h,
    t,
    rt,
    api: async (method, url, payload, headers = {}) => h.app.inject({ method, url, headers: { ...t.admin, ...headers }, ...(payload === undefined ? {} : { payload: payload as object }) }),
    ingest: async (type, body) => h.app.inject({ method: 'POST', url: `/v1/${type}`, headers: t.write, payload: body }),
    async drain() {
      await worker.drain();
    },
    async close() {
      await (rt.channels.get('email') as EmailChannel | undefined)?.close();
      await h.close();
    },
  };
  const journey = await kit.api('PUT', '/api/journeys/welcome', {
    id: 'welcome',
    name: 'Welcome',
    status: 'live',
    trigger: { type: 'event', event: 'Plan Chosen' },
    start: 'hello',
    nodes: [
      { id: 'hello', type: 'message', channel: 'email', template: 'welcome-1' },
      { id: 'wait', type: 'delay', duration: '7d' },
      { id: 'done', type: 'exit' },
    ],
    edges: [
      { from: 'hello', to: 'wait' },
      { from: 'wait', to: 'done' },
    ],
  });
  if (journey.statusCode >= 300) throw new Error(`journey: ${journey.body}`);
  return kit;
}

async function ok(res: Res, what: string) {
  if (res.statusCode >= 300) throw new Error(`${what}: ${res.statusCode} ${res.body}`);
  return res;
}

/** Seeds `p` through the API; returns the contact id. */
export async function seedPerson(k: PrivacyKit, p: Person): Promise<string> {
  const [firstName, colour, plan, ua, answer, ip, street] = p.secrets as [string, string, string, string, string, string, string];
  await ok(await k.ingest('page', { anonymousId: p.anonymousId, name: 'Pricing', properties: { path: `/pricing?ref=${colour}` } }), 'page');
  await ok(
    await k.ingest('identify', {
      userId: p.userId,
      anonymousId: p.anonymousId,
      traits: { email: p.email, phone: p.phone, first_name: firstName, favourite_colour: colour, address: { name: firstName, street, city: 'Riyadh', postalCode: '12643', country: 'SA' } },
      context: { ip, userAgent: ua },
    }),
    'identify',
  );
  const contactId = (await ok(await k.api('GET', `/api/contacts?email=${encodeURIComponent(p.email)}`), 'find')).json().data[0].id as string;
  await ok(await k.api('PUT', `/api/contacts/${contactId}/consent/email`, { status: 'subscribed', source: 'privacy-test', textVersion: 'v1' }, { 'user-agent': ua }), 'consent');
  const list = await k.api('POST', '/api/lists', { name: `News ${p.tag}` });
  await ok(await k.api('POST', `/api/lists/${(await ok(list, 'list')).json().id}/members`, { contactIds: [contactId] }), 'join');
  await ok(
    await k.api('POST', '/api/segments', { id: `fans-${p.tag}`, name: `Fans ${p.tag}`, conditions: { type: 'attribute', attribute: 'favourite_colour', op: 'contains', value: `-${p.tag}` } }),
    'segment',
  );
  await ok(await k.ingest('track', { userId: p.userId, event: 'Plan Chosen', properties: { plan, note: `call ${p.phone}` } }), 'track');
  await k.drain();
  const outbox = (await ok(await k.api('GET', '/api/outbox'), 'outbox')).json().data.find((m: { to: string }) => m.to === p.email);
  if (!outbox) throw new Error('the journey sent no mail to the outbox');
  const unsubscribe = /<https?:\/\/[^/]+(\/u\/[^>]+)>/.exec(String(outbox.headers['List-Unsubscribe']))![1]!;
  const left = await k.h.app.inject({
    method: 'POST',
    url: unsubscribe,
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': ua },
    payload: `scope=topic&reason=${encodeURIComponent(answer)}`,
  });
  if (left.statusCode !== 200) throw new Error(`unsubscribe: ${left.body}`);
  return contactId;
}
