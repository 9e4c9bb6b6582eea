/**
 * @module fast-check arbitraries for hostile HTTP requests: malformed, oversize, wrongly typed,
 * deeply nested and non-UTF-8 bodies under assorted content types, junk or foreign path
 * parameters and query strings, and every kind of key (right, wrong, other workspace's, none).
 */
import fc from 'fast-check';
import type { Endpoint } from './endpoints.js';
import type { World } from './world.js';

export interface FuzzRequest {
  method: Endpoint['method'];
  url: string;
  headers: Record<string, string>;
  payload?: string | Buffer;
  /** What the body was, for the failure message. */
  label: string;
}

/** Field names the endpoints really read, so wrongly typed values reach the validators. */
export const FIELDS = [
  'userId',
  'anonymousId',
  'event',
  'properties',
  'traits',
  'context',
  'timestamp',
  'sentAt',
  'messageId',
  'type',
  'batch',
  'previousId',
  'groupId',
  'email',
  'phone',
  'timezone',
  'locale',
  'attributes',
  'name',
  'id',
  'kind',
  'status',
  'channel',
  'topic',
  'listId',
  'contactId',
  'contactIds',
  'conditions',
  'op',
  'value',
  'attribute',
  'nodes',
  'edges',
  'start',
  'trigger',
  'content',
  'subject',
  'body',
  'template',
  'templateId',
  'to',
  'data',
  'fields',
  'consentText',
  'consentTextVersion',
  'redirectUrl',
  'doubleOptIn',
  'provider',
  'smtp',
  'from',
  'address',
  'reason',
  'postalAddress',
  'allowPrivateWebhookTargets',
  'List-Unsubscribe',
  'scope',
  'answer',
  'topics',
  '__proto__',
  'constructor',
  'prototype',
];

const weird = fc.constantFrom(
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\uD800',
  '\uDFFF\uD800',
  '\u202Egnp.exe',
  '𝕏'.repeat(50),
  'ي'.repeat(100),
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  '{{ 7*7 }}',
  '{% raw %}',
  '../../etc/passwd',
  'null',
  'true',
  '-0',
  '1e309',
  'NaN',
  '9007199254740993',
  '2026-13-45T99:99:99Z',
  'x'.repeat(40_000),
);

const scalar = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  weird,
  fc.bigInt().map((b) => Number(b)),
);

/** A JSON value made mostly of plausible field names with values of the wrong type. */
const value: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.constantFrom(...FIELDS), fc.string({ maxLength: 8 })), tie('v'), { maxKeys: 6 }),
  ),
})).v;

const shapedObject = fc.dictionary(fc.constantFrom(...FIELDS), value, { minKeys: 1, maxKeys: 8 });

function nested(depth: number, array: boolean): string {
  return array ? '['.repeat(depth) + ']'.repeat(depth) : '{"properties":'.repeat(depth) + '1' + '}'.repeat(depth);
}

interface Body {
  payload: string | Buffer;
  type: string | undefined;
  label: string;
}

const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=iso-8859-1',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=zzz',
  'application/octet-stream',
  'text/html',
  'application/xml',
  undefined,
);

const json = (v: unknown) => JSON.stringify(v) ?? 'null';

const body: fc.Arbitrary<Body | null> = fc.oneof(
  fc.constant(null),
  fc.record({ v: shapedObject, type: contentType }).map(({ v, type }) => ({ payload: json(v), type, label: 'shaped' })),
  fc.record({ v: fc.array(shapedObject, { maxLength: 5 }), type: contentType }).map(({ v, type }) => ({ payload: json({ batch: v }), type, label: 'batch' })),
  fc.record({ v: fc.jsonValue({ maxDepth: 3 }), type: contentType }).map(({ v, type }) => ({ payload: json(v), type, label: 'json' })),
  fc.record({ d: fc.integer({ min: 200, max: 20_000 }), a: fc.boolean() }).map(({ d, a }) => ({ payload: nested(d, a), type: 'application/json', label: `nested ${d}` })),
  fc.record({ b: fc.uint8Array({ maxLength: 400 }), type: contentType }).map(({ b, type }) => ({ payload: Buffer.from(b), type, label: 'bytes' })),
  // Valid JSON framing with bytes that are not UTF-8 inside a string.
  fc.record({ b: fc.uint8Array({ minLength: 1, maxLength: 20 }).map((u) => Buffer.from(u.map((x) => x | 0x80))), field: fc.constantFrom(...FIELDS) }).map(({ b, field }) => ({
    payload: Buffer.concat([Buffer.from(`{"userId":"u1","event":"e","${field}":"`), b, Buffer.from('"}')]),
    type: 'application/json',
    label: 'non-utf8',
  })),
  fc.string({ maxLength: 200 }).map((s) => ({ payload: s, type: 'application/x-www-form-urlencoded', label: 'form' })),
  fc
    .dictionary(fc.constantFrom(...FIELDS), fc.string({ maxLength: 20 }), { maxKeys: 5 })
    .map((d) => ({ payload: new URLSearchParams(d).toString(), type: 'application/x-www-form-urlencoded', label: 'form-fields' })),
  fc.string({ maxLength: 60 }).map((s) => ({ payload: `--zzz\r\nContent-Disposition: form-data; name="${s}"\r\n\r\n${s}\r\n--zz`, type: 'multipart/form-data; boundary=zzz', label: 'multipart' })),
);

const junkParam = fc.oneof(
  fc.string({ maxLength: 40 }).map(encodeURIComponent),
  fc.constantFrom(
    '%FF',
    '%C0%AF',
    '%00',
    '%E2%82',
    '%F0%9F%92%A9',
    '..%2F..%2Fetc',
    '-1',
    '0',
    '99999999999999999999',
    'null',
    '%20',
    'x'.repeat(3000),
    'ct_00000000000000000000000000',
    'msg_zzzzzzzzzzzzzzzzzzzzzzzzzz',
  ),
);

function realParams(w: World, name: string): string[] {
  const { ra, rb } = w;
  const token = w.ra.unsubscribePath.slice(3);
  const tampered = token.slice(0, -1) + (token.endsWith('a') ? 'b' : 'a');
  const byName: Record<string, string[]> = {
    contactId: [ra.contactId, rb.contactId],
    listId: [ra.listId, rb.listId],
    formId: [ra.formId, rb.formId],
    segmentId: [ra.segmentId, rb.segmentId],
    journeyId: [ra.journeyId, rb.journeyId],
    templateId: [ra.templateId, rb.templateId],
    messageId: [ra.messageId],
    keyId: [ra.keyId, rb.keyId],
    version: ['1', '2', '0', '-1', '1.5', '1e3'],
    channel: ['email', 'sms', 'webhook', 'pigeon'],
    address: ['a%40example.org', 'nobody%40example.org'],
    token: [tampered, token.toUpperCase(), token.replace('.', '-')],
    openFile: [`${tampered}.gif`, 'x.gif', '.gif'],
    confirmToken: [`${ra.formId}.${ra.contactId}.0.AAAAAAAAAAAAAAAAAAAAAA`],
  };
  return byName[name] ?? [];
}

function param(w: World, name: string): fc.Arbitrary<string> {
  const real = realParams(w, name);
  return real.length ? fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...real) }, { weight: 1, arbitrary: junkParam }) : junkParam;
}

const query = fc.option(
  fc.dictionary(
    fc.constantFrom('limit', 'cursor', 'status', 'q', 'email', 'userId', 'after', 'format', 'kind', 'contactId'),
    fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('-1', '0', '1e309', '100000', 'abc')),
  ),
  { nil: undefined },
);

export type AuthChoice = 'own' | 'adminA' | 'writeA' | 'adminB' | 'none' | 'garbage' | 'basicGarbage';

function authHeader(w: World, endpoint: Endpoint, choice: AuthChoice): string | undefined {
  switch (choice) {
    case 'own':
      return endpoint.key === 'write' ? w.a.write.authorization : endpoint.key === 'admin' ? w.a.admin.authorization : undefined;
    case 'adminA':
      return w.a.admin.authorization;
    case 'writeA':
      return w.a.write.authorization;
    case 'adminB':
      return w.b.admin.authorization;
    case 'none':
      return undefined;
    case 'garbage':
      return 'Bearer qa_not-a-real-key';
    case 'basicGarbage':
      return `Basic ${Buffer.from('\u00ff\u0000:').toString('base64')}==`;
  }
}

export function fuzzRequest(w: World, endpoint: Endpoint): fc.Arbitrary<FuzzRequest> {
  const names = [...endpoint.path.matchAll(/:(\w+)/g)].map((m) => m[1]!);
  return fc
    .record({
      params: fc.tuple(...names.map((n) => param(w, n))),
      query,
      body,
      auth: fc.oneof({ weight: 6, arbitrary: fc.constant<AuthChoice>('own') }, { weight: 1, arbitrary: fc.constantFrom<AuthChoice>('adminA', 'writeA', 'adminB', 'none', 'garbage', 'basicGarbage') }),
    })
    .map(({ params, query: q, body: b, auth }) => {
      let i = 0;
      let url = endpoint.path.replace(/:(\w+)/g, () => params[i++]!);
      if (q)
        url += `?${Object.entries(q)
          .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
          .join('&')}`;
      const headers: Record<string, string> = {};
      const authorization = authHeader(w, endpoint, auth);
      if (authorization) headers.authorization = authorization;
      if (b?.type) headers['content-type'] = b.type;
      const sendsBody = b !== null && endpoint.method !== 'GET';
      return {
        method: endpoint.method,
        url,
        headers,
        ...(sendsBody ? { payload: b.payload } : {}),
        label: `${auth} ${sendsBody ? b.label : 'no body'}`,
      };
    });
}
