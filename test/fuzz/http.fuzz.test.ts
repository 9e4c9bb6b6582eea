/**
 * Thousands of hostile requests at every public HTTP endpoint: the server never answers 5xx (nor
 * crashes), every refusal is a 4xx with a clear body, and a refused request leaves the database
 * exactly as it was (a fingerprint of every table, before and after).
 *
 * Size: QATRA_FUZZ_RUNS requests on SQLite (default 1500, about 20 s), a fifth of that on PostgreSQL.
 * A run prints its fast-check seed on failure; QATRA_FUZZ_SEED replays it.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../backends.js';
import { ENDPOINTS } from './endpoints.js';
import { fingerprint, tableNames, type Fingerprint } from './fingerprint.js';
import { fuzzRequest, type FuzzRequest } from './requests.js';
import { createWorld, type World } from './world.js';

const RUNS = Number(process.env.QATRA_FUZZ_RUNS ?? 1500);
const SEED = process.env.QATRA_FUZZ_SEED ? Number(process.env.QATRA_FUZZ_SEED) : undefined;

function changed(before: Fingerprint, after: Fingerprint): string {
  return (
    Object.keys(after.counts)
      .filter((t) => after.counts[t] !== before.counts[t])
      .map((t) => `${t}: ${before.counts[t]} -> ${after.counts[t]}`)
      .join(', ') || 'row contents changed'
  );
}

describe.each(backends())('hostile HTTP requests on %s', (kind) => {
  let w: World;
  let tables: string[];
  let last: Fingerprint;
  const statuses = new Map<number, number>();

  beforeAll(async () => {
    w = await createWorld(kind);
    tables = await tableNames(w.k.h.deps.store);
    last = await fingerprint(w.k.h.deps.store, tables);
  }, 120_000);
  afterAll(async () => w?.close());

  /** Sends one request and checks the answer and, when refused, that nothing was stored. */
  async function attack(r: FuzzRequest): Promise<void> {
    const res = await w.k.h.app.inject({ method: r.method, url: r.url, headers: r.headers, ...(r.payload === undefined ? {} : { payload: r.payload }) });
    statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
    const what = `${r.method} ${r.url.slice(0, 120)} [${r.label}] -> ${res.statusCode} ${res.body.slice(0, 300)}`;
    expect(res.statusCode, what).toBeLessThan(500);
    const now = await fingerprint(w.k.h.deps.store, tables);
    if (res.statusCode >= 400) {
      expect(res.body.length, what).toBeGreaterThan(0);
      if (String(res.headers['content-type']).startsWith('application/json')) {
        const b = res.json() as { error?: { code?: string; message?: string } };
        expect(typeof b.error?.code, what).toBe('string');
        expect(typeof b.error?.message, what).toBe('string');
      }
      expect(now.hash, `${what}\nstored by a refused request: ${changed(last, now)}`).toBe(last.hash);
    }
    last = now;
  }

  it('every endpoint on the list is a route of the app', () => {
    const listed = new Set(ENDPOINTS.map((e) => `${e.method} ${e.path.replace(/:\w+/g, ':p')}`));
    for (const e of ENDPOINTS) expect(w.k.h.app.hasRoute({ method: e.method, url: e.path }), `${e.method} ${e.path}`).toBe(true);
    expect(listed.size).toBe(ENDPOINTS.length);
  });

  it(`answers ${kind === 'sqlite' ? RUNS : Math.ceil(RUNS / 5)} hostile requests with 2xx/3xx or a clear 4xx, never 5xx, and stores nothing it refused`, async () => {
    const numRuns = kind === 'sqlite' ? RUNS : Math.ceil(RUNS / 5);
    const request = fc.constantFrom(...ENDPOINTS).chain((e) => fuzzRequest(w, e));
    await fc.assert(fc.asyncProperty(request, attack), { numRuns, endOnFailure: true, ...(SEED === undefined ? {} : { seed: SEED }) });
    const health = await w.k.h.app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(200);
    console.log(`[fuzz ${kind}] ${numRuns} requests, statuses ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}`);
  }, 600_000);

  it('oversize and deeply nested bodies at every endpoint that takes one are a 4xx and store nothing', async () => {
    const big = JSON.stringify({ userId: 'u', event: 'e', properties: { blob: 'x'.repeat(1_100_000) } });
    const deep = '{"properties":'.repeat(50_000) + '1' + '}'.repeat(50_000);
    for (const e of ENDPOINTS.filter((x) => x.method !== 'GET')) {
      const url = e.path.replace(/:(\w+)/g, 'x');
      const headers = { 'content-type': 'application/json', ...(e.key === 'public' ? {} : e.key === 'write' ? w.a.write : w.a.admin) };
      for (const [label, payload] of [
        ['1.1 MB', big],
        ['nested 50,000', deep],
      ] as const) {
        await attack({ method: e.method, url, headers, payload, label });
        expect(statuses.size).toBeGreaterThan(0);
      }
    }
  }, 300_000);
});
