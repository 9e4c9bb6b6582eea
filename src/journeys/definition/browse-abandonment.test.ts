import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../test/backends.js';
import { emailKit, type EmailKit } from '../../channels/email/test-kit.js';
import type { EmailChannel } from '../../channels/email/index.js';
import { saveTemplates } from '../../templates/service.js';
import { createContact } from '../../contacts/contacts.js';
import { Worker } from '../../worker/worker.js';
import { createRuntime, type JourneyRuntime } from '../runtime/runtime.js';
import { journeyTask } from '../runtime/scheduler.js';
import { applyJourney } from '../journeys.js';
import { loadExample } from './examples.js';

const MIN = 60_000;
const START = Date.UTC(2026, 3, 14, 9, 0, 0);
const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
const GOOGLEBOT = 'Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; Googlebot/2.1; +http://www.google.com/bot.html) Chrome/126.0.0.0 Safari/537.36';

/** The template of docs/browse-abandonment.md: the product from the page view that started the run. */
export const browseReminder = {
  id: 'browse-reminder',
  name: 'Browse reminder',
  kind: 'marketing' as const,
  content: {
    subject: 'Still thinking about {{ trigger.name | default: trigger.title }}?',
    body: `<html><body>
<p>You were looking at <a href="{{ trigger.url }}">{{ trigger.name | default: trigger.title }}</a>.</p>
{% if trigger.image_url %}<img src="{{ trigger.image_url }}" alt="{{ trigger.name }}" width="300">{% endif %}
<p>{{ workspace.postal_address }} · <a href="{{ unsubscribe_url }}">Unsubscribe</a></p>
</body></html>`,
  },
};

const product = { name: 'Red Shoe', url: 'https://shop.example.com/products/red-shoe', path: '/products/red-shoe', image_url: 'https://cdn.example.com/red-shoe.jpg', title: 'Red Shoe | Shop' };

describe.each(backends())('browse abandonment, the worked example, on %s', (kind) => {
  let kit: EmailKit;
  let rt: JourneyRuntime;
  let worker: Worker;
  let seq = 0;

  const post = async (type: 'page' | 'track', body: Record<string, unknown>) => {
    const res = await kit.h.app.inject({ method: 'POST', url: `/v1/${type}`, headers: kit.t.write, payload: { messageId: `ba-${++seq}`, ...body } });
    expect(res.statusCode, res.body).toBe(200);
  };
  /** A page view, then the worker drains (as its poll loop would at once). */
  const view = async (userId: string, userAgent = CHROME, properties: Record<string, unknown> = product) => {
    await post('page', { userId, name: 'Product', properties, context: { userAgent } });
    await worker.drain();
  };
  const advance = async (ms: number) => {
    kit.h.clock.advance(ms);
    await worker.drain();
  };
  const runsOf = async (userId: string) => {
    const contact = await kit.h.deps.store.db.selectFrom('contacts').select('id').where('workspace_id', '=', kit.t.workspaceId).where('user_id', '=', userId).executeTakeFirstOrThrow();
    return kit.h.deps.store.db.selectFrom('journey_runs').selectAll().where('journey_id', '=', 'browse-abandonment').where('contact_id', '=', contact.id).execute();
  };
  const mailsTo = (address: string) => kit.sink.mails.filter((m) => m.envelope.rcptTo.includes(address));

  beforeAll(async () => {
    kit = await emailKit(kind);
    kit.h.clock.set(START);
    rt = createRuntime(kit.h.deps);
    worker = new Worker([journeyTask(rt)], { pollIntervalMs: 10, shutdownTimeoutMs: 1000, log: pino({ level: 'silent' }) });
    await saveTemplates(kit.h.deps, kit.t.workspaceId, [browseReminder], 'upsert');
    await applyJourney(kit.h.deps, kit.t.workspaceId, loadExample('browse-abandonment.yaml'));
    for (const who of ['buyer', 'browser', 'twice', 'crawled', 'about']) await createContact(kit.h.deps, kit.t.workspaceId, { userId: who, email: `${who}@example.com` });
  });
  afterAll(async () => {
    await (rt?.channels.get('email') as EmailChannel | undefined)?.close();
    await kit?.close();
  });

  it('viewed and bought within the hour: no email, the run converts', async () => {
    await view('buyer');
    await advance(20 * MIN);
    await post('track', { userId: 'buyer', event: 'Order Completed', properties: { total: 89 } });
    await advance(2 * 60 * MIN);
    const [run, ...more] = await runsOf('buyer');
    expect(more).toEqual([]);
    expect(run).toMatchObject({ status: 'converted', exit_reason: 'goal' });
    expect(mailsTo('buyer@example.com')).toEqual([]);
  });

  it('viewed and not bought: exactly one email naming the product, after 1 h and not before', async () => {
    await view('browser');
    await advance(59 * MIN);
    expect(mailsTo('browser@example.com')).toEqual([]);
    await advance(2 * MIN);
    await kit.sink.waitFor(1);
    const [mail, ...others] = mailsTo('browser@example.com');
    expect(others).toEqual([]);
    expect(mail!.parsed.subject).toBe('Still thinking about Red Shoe?');
    expect(mail!.parsed.html).toContain('https://cdn.example.com/red-shoe.jpg');
    expect(mail!.parsed.text).toContain('Red Shoe');
    await advance(3 * 60 * MIN);
    expect(mailsTo('browser@example.com')).toHaveLength(1);
    expect(await runsOf('browser')).toMatchObject([{ status: 'completed' }]);
  });

  it('viewed twice: one run and one email (at most one live run; re-entry after 7 days from entry)', async () => {
    await view('twice');
    await advance(10 * MIN);
    await view('twice', CHROME, { ...product, name: 'Blue Shoe', path: '/products/blue-shoe' });
    await advance(2 * 60 * MIN);
    expect(await runsOf('twice')).toHaveLength(1);
    const mails = mailsTo('twice@example.com');
    expect(mails).toHaveLength(1);
    expect(mails[0]!.parsed.subject).toBe('Still thinking about Red Shoe?');
    // The run has ended; a view 3 days later still does not start another (7 days from entry).
    await advance(3 * 24 * 60 * MIN);
    await view('twice');
    await advance(2 * 60 * MIN);
    expect(await runsOf('twice')).toHaveLength(1);
  });

  it("a crawler's view of the same page is stored, marked, and starts no journey", async () => {
    await view('crawled', GOOGLEBOT);
    await advance(2 * 60 * MIN);
    expect(await runsOf('crawled')).toEqual([]);
    expect(mailsTo('crawled@example.com')).toEqual([]);
    const stored = await kit.h.deps.store.db.selectFrom('events').select(['type', 'bot', 'page_path']).where('message_id', '=', `ba-${seq}`).executeTakeFirstOrThrow();
    expect({ ...stored, bot: Number(stored.bot) }).toEqual({ type: 'page', bot: 1, page_path: '/products/red-shoe' });
  });

  it('a page outside the pattern starts nothing', async () => {
    await view('about', CHROME, { path: '/about', url: 'https://shop.example.com/about', title: 'About us' });
    await advance(2 * 60 * MIN);
    expect(await runsOf('about')).toEqual([]);
  });
});
