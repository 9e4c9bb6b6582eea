import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { emailKit, PUBLIC_URL, type EmailKit } from '../channels/email/test-kit.js';
import { fromJson } from '../core/json.js';

const pathOf = (url: string) => url.slice(PUBLIC_URL.length);

describe.each(backends())('click and open tracking on %s', (kind) => {
  let k: EmailKit;
  let html: string;
  let text: string;
  let messageId: string;
  let contactId: string;

  const events = (name: string) => k.h.deps.store.db.selectFrom('events').selectAll().where('contact_id', '=', contactId).where('name', '=', name).orderBy('id').execute();

  beforeAll(async () => {
    k = await emailKit(kind);
    const c = await k.contact('clicker@example.org', { first_name: 'Cleo' });
    contactId = c.id;
    expect((await k.send(c, { template: 'welcome-1', key: 'track:1' })).status).toBe('sent');
    const [mail] = await k.sink.waitFor(1);
    html = String(mail!.parsed.html);
    text = String(mail!.parsed.text);
    messageId = (await k.h.deps.store.db.selectFrom('messages').select('id').where('idempotency_key', '=', 'track:1').executeTakeFirstOrThrow()).id;
  });
  afterAll(async () => k?.close());

  it('rewrites every content link through /c/ and each resolves to its own original target; unsubscribe links stay direct', async () => {
    const tracked = [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!).filter((u) => u.startsWith(`${PUBLIC_URL}/c/`));
    expect(tracked).toHaveLength(2);
    expect(html).not.toContain('href="https://app.example.com');
    expect(html).toMatch(new RegExp(`href="${PUBLIC_URL}/u/[0-9a-z.]+"`));
    const targets: string[] = [];
    for (const url of tracked) {
      const res = await k.h.app.inject({ method: 'GET', url: pathOf(url), headers: { 'user-agent': 'Mozilla/5.0 (Macintosh) Firefox/120.0' } });
      expect(res.statusCode).toBe(302);
      targets.push(String(res.headers.location));
    }
    expect(targets.sort()).toEqual([`https://app.example.com/docs`, `https://app.example.com/start?c=${contactId}`].sort());
    const clicks = await events('email.clicked');
    expect(clicks).toHaveLength(2);
    expect(fromJson<Record<string, unknown>>(clicks[0]!.properties)).toMatchObject({ messageId, templateId: 'welcome-1', journeyId: 'onboarding', channel: 'email' });
    const m = await k.h.deps.store.db.selectFrom('messages').selectAll().where('id', '=', messageId).executeTakeFirstOrThrow();
    expect(m.click_count).toBe(2);
    expect(m.first_clicked_at).toBe(k.h.clock.now());
  });

  it('the text part links through the same /c/ tokens as the HTML part; the unsubscribe link stays direct', async () => {
    const htmlTracked = new Set([...html.matchAll(/href="([^"]+\/c\/[^"]+)"/g)].map((m) => m[1]!));
    const textTracked = [...text.matchAll(/https?:\/\/\S+?\/c\/[0-9a-z.-]+/g)].map((m) => m[0]);
    expect(text).not.toContain('https://app.example.com');
    expect(textTracked.length).toBeGreaterThanOrEqual(2);
    for (const url of textTracked) expect(htmlTracked.has(url)).toBe(true);
    expect(text).toMatch(new RegExp(`${PUBLIC_URL}/u/[0-9a-z.]+`));
  });

  it('a repeated click within the same minute is one event, a click a minute later is another', async () => {
    const url = [...html.matchAll(/href="([^"]+\/c\/[^"]+)"/g)][0]![1]!;
    const before = (await events('email.clicked')).length;
    await k.h.app.inject({ method: 'GET', url: pathOf(url) });
    expect((await events('email.clicked')).length).toBe(before);
    k.h.clock.advance(60_000);
    await k.h.app.inject({ method: 'GET', url: pathOf(url) });
    expect((await events('email.clicked')).length).toBe(before + 1);
  });

  it('a tampered or unknown click token answers 404 and records nothing (no open redirect)', async () => {
    const url = pathOf([...html.matchAll(/href="([^"]+\/c\/[^"]+)"/g)][0]![1]!);
    const before = (await events('email.clicked')).length;
    const token = url.slice(3);
    const [body, sig] = token.split('.') as [string, string];
    const otherIndex = body.replace(/-(\d+)$/, (_, i: string) => `-${Number(i) + 5}`);
    const flipped = sig.slice(0, -1) + (sig.endsWith('a') ? 'b' : 'a');
    for (const bad of [`/c/${body}.${flipped}`, `/c/${otherIndex}.${sig}`, '/c/nonsense', `/c/${'0'.repeat(26)}-0.${'0'.repeat(16)}`]) {
      const res = await k.h.app.inject({ method: 'GET', url: bad });
      expect(res.statusCode, bad).toBe(404);
      expect(res.headers.location).toBeUndefined();
    }
    expect((await events('email.clicked')).length).toBe(before);
  });

  it('the open pixel answers a GIF and records email.opened; a proxy user agent is flagged as a machine open', async () => {
    const pixel = /src="([^"]+\/o\/[^"]+\.gif)"/.exec(html)![1]!;
    k.h.clock.advance(10 * 60_000);
    const human = await k.h.app.inject({ method: 'GET', url: pathOf(pixel), headers: { 'user-agent': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Thunderbird/115.0' } });
    expect(human.statusCode).toBe(200);
    expect(human.headers['content-type']).toBe('image/gif');
    expect(human.rawPayload.subarray(0, 6).toString()).toBe('GIF89a');
    k.h.clock.advance(60_000);
    await k.h.app.inject({ method: 'GET', url: pathOf(pixel), headers: { 'user-agent': 'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)' } });
    k.h.clock.advance(60_000);
    await k.h.app.inject({ method: 'GET', url: pathOf(pixel), headers: { 'user-agent': 'Mozilla/5.0' } });
    const opens = (await events('email.opened')).map((e) => fromJson<{ machine: boolean }>(e.properties).machine);
    expect(opens).toEqual([false, true, true]);
    const m = await k.h.deps.store.db.selectFrom('messages').selectAll().where('id', '=', messageId).executeTakeFirstOrThrow();
    expect(m.open_count).toBe(3);
    expect(m.first_opened_at).not.toBeNull();
  });

  it('an open within seconds of delivery counts as a machine open (scanner prefetch)', async () => {
    const c = await k.contact('fast@example.org');
    k.sink.clear();
    await k.send(c, { template: 'welcome-1', key: 'track:fast' });
    const [mail] = await k.sink.waitFor(1);
    const pixel = /src="([^"]+\/o\/[^"]+\.gif)"/.exec(String(mail!.parsed.html))![1]!;
    await k.h.app.inject({ method: 'GET', url: pathOf(pixel), headers: { 'user-agent': 'Mozilla/5.0 (Windows NT 10.0) Chrome/120.0' } });
    const e = await k.h.deps.store.db.selectFrom('events').selectAll().where('contact_id', '=', c.id).where('name', '=', 'email.opened').executeTakeFirstOrThrow();
    expect(fromJson<{ machine: boolean }>(e.properties).machine).toBe(true);
  });

  it('a tampered pixel token answers 404 and records nothing', async () => {
    const before = (await events('email.opened')).length;
    const res = await k.h.app.inject({ method: 'GET', url: `/o/${messageId.slice(4)}.${'a'.repeat(16)}.gif` });
    expect(res.statusCode).toBe(404);
    // A click token is not an open token.
    const click = pathOf([...html.matchAll(/href="([^"]+\/c\/[^"]+)"/g)][0]![1]!).slice(3);
    expect((await k.h.app.inject({ method: 'GET', url: `/o/${click}.gif` })).statusCode).toBe(404);
    expect((await events('email.opened')).length).toBe(before);
  });
});
