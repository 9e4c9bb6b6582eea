/**
 * Generated strings (any UTF-16 code units, lone surrogates included), numbers, nesting and sizes at
 * every public HTTP endpoint, in bodies, query strings and the session cookie: no route answers 5xx,
 * every error body is under 10 KB, and no answer takes more than a second (an answer over a second
 * is sent again once, so that a GC pause or a busy CI machine does not count; the repeat must be
 * under a second too).
 *
 * Size: QATRA_FUZZ_BOUNDS_RUNS requests on SQLite (default 400), a fifth of that on PostgreSQL.
 * A run prints its fast-check seed on failure; QATRA_FUZZ_SEED replays it.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../backends.js';
import { ENDPOINTS, type Endpoint } from './endpoints.js';
import { createWorld, type World } from './world.js';
import { FIELDS } from './requests.js';

const RUNS = Number(process.env.QATRA_FUZZ_BOUNDS_RUNS ?? 400);
const SEED = process.env.QATRA_FUZZ_SEED ? Number(process.env.QATRA_FUZZ_SEED) : undefined;
const MAX_ERROR_BYTES = 10_000;
const MAX_MS = 1_000;

/** Any UTF-16 code unit: lone surrogates, controls, noncharacters. */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
const short = fc.oneof(
  fc.string({ unit: codeUnit, maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('\ud83dx', '\udc00', 'a\ud800', '\ud83d\ude00', '2026-02-30T10:00:00Z', '2026-02-29', '2024-02-29T24:00:00Z', '0000-00-00', '+275760-09-13T00:00:00Z', '%E0%A4%A'),
);
const text = fc.oneof({ weight: 4, arbitrary: short }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 200_000 }).map((n) => 'x'.repeat(n)) });
const number = fc.oneof(fc.integer(), fc.double(), fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(Number), fc.constantFrom(0, -0, 1e308, -1e308, 5e-324, 2 ** 53 + 1, -1));
const smallScalar = fc.oneof(short, number, fc.boolean(), fc.constant(null));
const scalar = fc.oneof(text, number, fc.boolean(), fc.constant(null));
const smallItem = fc.dictionary(fc.constantFrom(...FIELDS), smallScalar, { minKeys: 1, maxKeys: 6 });
const item = fc.dictionary(fc.constantFrom(...FIELDS), scalar, { minKeys: 1, maxKeys: 6 });

/** Wraps `inner` in `depth` arrays or objects: nesting up to and past the parser's bound of 64. */
const nest = (inner: unknown, depth: number, array: boolean): unknown => {
  let v = inner;
  for (let i = 0; i < depth; i++) v = array ? [v] : { properties: v };
  return v;
};

const body: fc.Arbitrary<{ value: unknown; label: string }> = fc.oneof(
  item.map((v) => ({ value: v, label: 'fields' })),
  fc
    .record({ v: smallItem, field: fc.constantFrom(...FIELDS), depth: fc.integer({ min: 1, max: 70 }), array: fc.boolean() })
    .map(({ v, field, depth, array }) => ({ value: { ...v, [field]: nest(v, depth, array) }, label: `nested ${depth}` })),
  fc
    .record({ field: fc.constantFrom(...FIELDS), of: smallScalar, n: fc.integer({ min: 1, max: 60_000 }) })
    .map(({ field, of, n }) => ({ value: { [field]: new Array(n).fill(of) }, label: `${field}: ${n} scalars` })),
  fc.record({ of: smallItem, n: fc.integer({ min: 1, max: 20_000 }) }).map(({ of, n }) => ({ value: { batch: new Array(n).fill(of) }, label: `batch of ${n}` })),
  fc
    .record({ field: fc.constantFrom(...FIELDS), n: fc.integer({ min: 1, max: 30_000 }) })
    .map(({ field, n }) => ({ value: { userId: 'u', event: 'e', [field]: Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i])) }, label: `${field}: ${n} keys` })),
  fc.record({ field: fc.constantFrom(...FIELDS), v: item }).map(({ field, v }) => ({ value: { [field]: [v, v, v] }, label: 'array of items' })),
);

/** Percent-encodes the UTF-16 code units as they come (a lone surrogate as a raw `%ED%A0%80`). */
function percent(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c >= 0xd800 && c <= 0xdfff) out += `%ED%${(0xa0 + ((c >> 6) & 0x1f)).toString(16).toUpperCase()}%${(0x80 + (c & 0x3f)).toString(16).toUpperCase()}`;
    else out += encodeURIComponent(ch);
  }
  return out;
}

interface Request {
  endpoint: Endpoint;
  url: string;
  headers: Record<string, string>;
  payload?: string;
  label: string;
}

function request(w: World, endpoint: Endpoint): fc.Arbitrary<Request> {
  const key = endpoint.key === 'write' ? w.a.write : endpoint.key === 'admin' ? w.a.admin : {};
  return fc
    .record({
      params: fc.array(fc.oneof(text, number.map(String)), { minLength: 5, maxLength: 5 }),
      query: fc.option(fc.dictionary(fc.constantFrom('limit', 'cursor', 'status', 'q', 'email', 'from', 'to', 'after', 'kind'), fc.oneof(text, number.map(String)), { maxKeys: 3 }), {
        nil: undefined,
      }),
      body,
      cookie: fc.option(fc.oneof(text.map(percent), text, fc.constantFrom('%E0%A4%A', '%', '%%', '%ED%A0%80')), { nil: undefined }),
      withKey: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    })
    .map(({ params, query, body: b, cookie, withKey }) => {
      let i = 0;
      let url = endpoint.path.replace(/:(\w+)/g, () => percent(params[i++]!.slice(0, 2000)) || 'x');
      if (query)
        url += `?${Object.entries(query)
          .map(([k, v]) => `${k}=${percent(v.slice(0, 2000))}`)
          .join('&')}`;
      const headers: Record<string, string> = { 'content-type': 'application/json', ...(withKey || !cookie ? key : {}) };
      // Header values must be latin-1; what a browser could not send is sent percent-encoded.
      if (cookie) headers.cookie = `qatra_session=${/^[\x20-\x7e]*$/.test(cookie) ? cookie : percent(cookie)}`;
      const payload = endpoint.method === 'GET' ? undefined : JSON.stringify(b.value);
      return { endpoint, url, headers, ...(payload === undefined ? {} : { payload }), label: `${b.label}${cookie ? ' +cookie' : ''}` };
    });
}

describe.each(backends())('bounded answers to generated input on %s', (kind) => {
  let w: World;
  const statuses = new Map<number, number>();
  let slowest = 0;
  let largestError = 0;

  beforeAll(async () => {
    w = await createWorld(kind);
  }, 120_000);
  afterAll(async () => w?.close());

  async function timed(r: Request) {
    const started = performance.now();
    const res = await w.k.h.app.inject({ method: r.endpoint.method, url: r.url, headers: r.headers, ...(r.payload === undefined ? {} : { payload: r.payload }) });
    return { res, ms: performance.now() - started };
  }

  async function check(r: Request): Promise<void> {
    let { res, ms } = await timed(r);
    if (ms > MAX_MS) ({ res, ms } = await timed(r));
    statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
    const bytes = Buffer.byteLength(res.body);
    const what = `${r.endpoint.method} ${r.url.slice(0, 120)} [${r.label}, ${r.payload?.length ?? 0} chars] -> ${res.statusCode} in ${ms.toFixed(0)} ms, ${bytes} bytes: ${res.body.slice(0, 300)}`;
    expect(res.statusCode, what).toBeLessThan(500);
    expect(ms, what).toBeLessThan(MAX_MS);
    slowest = Math.max(slowest, ms);
    if (res.statusCode >= 400) {
      largestError = Math.max(largestError, bytes);
      expect(bytes, what).toBeLessThan(MAX_ERROR_BYTES);
    }
  }

  it(`answers ${kind === 'sqlite' ? RUNS : Math.ceil(RUNS / 5)} generated requests without a 5xx, with error bodies under 10 KB, each within a second`, async () => {
    const numRuns = kind === 'sqlite' ? RUNS : Math.ceil(RUNS / 5);
    const arbitrary = fc.constantFrom(...ENDPOINTS).chain((e) => request(w, e));
    await fc.assert(fc.asyncProperty(arbitrary, check), { numRuns, endOnFailure: true, ...(SEED === undefined ? {} : { seed: SEED }) });
    expect((await w.k.h.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    console.log(
      `[fuzz bounds ${kind}] ${numRuns} requests, statuses ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}, slowest ${slowest.toFixed(0)} ms, largest error body ${largestError} bytes`,
    );
  }, 600_000);
});
