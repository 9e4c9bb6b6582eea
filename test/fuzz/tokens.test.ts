/**
 * Signed links are refused when tampered with, re-purposed, signed by another workspace or expired:
 * tracking (open pixel, click), unsubscribe and preference links, and double opt-in confirmations.
 * Every refusal is a 4xx and records nothing.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../backends.js';
import { confirmToken, CONFIRM_TTL_MS } from '../../src/forms/confirm-token.js';
import { signToken, workspaceSecret } from '../../src/tracking/tokens.js';
import { fingerprint, tableNames, type Fingerprint } from './fingerprint.js';
import { createWorld, type World } from './world.js';

const RUNS = Number(process.env.QATRA_FUZZ_RUNS ?? 1500) / 5;

describe.each(backends())('signed tokens on %s', (kind) => {
  let w: World;
  let tables: string[];
  let base: Fingerprint;
  let links: { open: string; click: string; unsubscribe: string; preferences: string; confirm: string };

  beforeAll(async () => {
    w = await createWorld(kind);
    const html = w.k.sink.mails[0]!.parsed.html || '';
    const click = /https:\/\/q\.example\.com(\/c\/[0-9a-z.-]+)/.exec(html)?.[1];
    const open = /https:\/\/q\.example\.com(\/o\/[0-9a-z.-]+\.gif)/.exec(html)?.[1];
    if (!click || !open) throw new Error(`no tracked link or pixel in the seed mail:\n${html}`);
    const secret = await workspaceSecret(w.k.h.deps.store, w.a.workspaceId);
    links = {
      open,
      click,
      unsubscribe: w.ra.unsubscribePath,
      preferences: `/p/${signToken(secret, 'preferences', { messageId: w.ra.messageId })}`,
      confirm: `/f/confirm/${confirmToken(secret, w.ra.formId, w.ra.contactId, w.k.h.clock.now())}`,
    };
    tables = await tableNames(w.k.h.deps.store);
    base = await fingerprint(w.k.h.deps.store, tables);
  }, 120_000);
  afterAll(async () => w?.close());

  const get = (url: string) => w.k.h.app.inject({ method: 'GET', url });
  const post = (url: string) => w.k.h.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' });

  async function refused(url: string): Promise<void> {
    for (const res of [await get(url), await post(url)]) {
      expect(res.statusCode, `${res.raw.req.method} ${url}: ${res.statusCode} ${res.body.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, url).toBeLessThan(500);
    }
    expect((await fingerprint(w.k.h.deps.store, tables)).hash, `${url} recorded something`).toBe(base.hash);
  }

  it('the untouched links work (the control for everything below)', async () => {
    for (const url of [links.unsubscribe, links.preferences, links.confirm]) expect((await get(url)).statusCode, url).toBe(200);
    expect((await get(links.click)).statusCode).toBe(302);
    expect((await get(links.open)).statusCode).toBe(200);
    // GETs of these links record nothing but opens and clicks, which are real records: start over.
    base = await fingerprint(w.k.h.deps.store, tables);
  });

  it('any single changed, dropped or added character makes a link invalid', async () => {
    const kinds = ['unsubscribe', 'preferences', 'confirm'] as const;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...kinds), fc.nat(), fc.constantFrom('a', 'z', '0', '9', '-', '_', '.', 'A'), fc.constantFrom('replace', 'drop', 'insert'), async (k, at, ch, how) => {
        const url = links[k];
        const prefix = url.slice(0, url.indexOf('/', 1) + 1 + (k === 'confirm' ? 'confirm/'.length : 0));
        const token = url.slice(prefix.length);
        const i = at % token.length;
        if (how === 'replace' && token[i]!.toLowerCase() === ch.toLowerCase()) return; // not a change (tokens are case-insensitive base32)
        const changed = how === 'replace' ? token.slice(0, i) + ch + token.slice(i + 1) : how === 'drop' ? token.slice(0, i) + token.slice(i + 1) : token.slice(0, i) + ch + token.slice(i);
        if (changed === token) return;
        await refused(prefix + changed);
      }),
      { numRuns: RUNS },
    );
  });

  it('tampered open and click tokens count nothing', async () => {
    for (const url of [links.open, links.click]) {
      const tampered = url.replace(/\.([0-9a-z]{3})/, (_m, s: string) => `.${s.split('').reverse().join('') === s ? 'zzz' : s.split('').reverse().join('')}`);
      expect(tampered).not.toBe(url);
      const res = await get(tampered);
      expect(res.statusCode, tampered).toBe(404);
    }
    expect((await fingerprint(w.k.h.deps.store, tables)).hash).toBe(base.hash);
  });

  it('a token signed for another purpose or by another workspace is refused', async () => {
    const secretA = await workspaceSecret(w.k.h.deps.store, w.a.workspaceId);
    const secretB = await workspaceSecret(w.k.h.deps.store, w.b.workspaceId);
    const target = { messageId: w.ra.messageId };
    await refused(`/u/${signToken(secretA, 'preferences', target)}`);
    await refused(`/p/${signToken(secretA, 'unsubscribe', target)}`);
    await refused(`/u/${signToken(secretB, 'unsubscribe', target)}`);
    await refused(`/f/confirm/${confirmToken(secretB, w.ra.formId, w.ra.contactId, w.k.h.clock.now())}`);
    expect((await get(`/c/${signToken(secretA, 'open', { messageId: w.ra.messageId, linkIndex: 0 })}`)).statusCode).toBe(404);
    expect((await get(`/c/${signToken(secretB, 'click', { messageId: w.ra.messageId, linkIndex: 0 })}`)).statusCode).toBe(404);
    expect((await fingerprint(w.k.h.deps.store, tables)).hash).toBe(base.hash);
  });

  it('an expired confirmation link answers 410 and confirms nothing', async () => {
    const secret = await workspaceSecret(w.k.h.deps.store, w.a.workspaceId);
    const old = `/f/confirm/${confirmToken(secret, w.ra.formId, w.ra.contactId, w.k.h.clock.now() - CONFIRM_TTL_MS - 60_000)}`;
    for (const res of [await get(old), await post(old)]) expect(res.statusCode).toBe(410);
    expect((await fingerprint(w.k.h.deps.store, tables)).hash).toBe(base.hash);
  });
});
