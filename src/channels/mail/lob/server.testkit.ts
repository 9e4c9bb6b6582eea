/**
 * @module A local HTTP server on 127.0.0.1 speaking Lob's letters and postcards API as published
 * (github.com/lob/lob-openapi) for the Lob provider's tests: HTTP Basic with the API key,
 * `multipart/form-data` bodies (parsed with the platform's own FormData parser), the required
 * fields checked as Lob does (422 `invalid` with Lob's error object), `Idempotency-Key` honoured
 * (the same key answers the same piece, created once), and forced answers (`statuses`: 500, 429)
 * for the retry paths, and an answer lost after the piece was created (`loseNextAnswer`). Records every created piece with its fields and files.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHmac, randomBytes } from 'node:crypto';

export interface LobCreated {
  id: string;
  resource: 'letters' | 'postcards';
  idempotencyKey: string | null;
  fields: Record<string, string>;
  files: Record<string, { name: string; type: string; bytes: Uint8Array }>;
}

export interface TestLobServer {
  url: string;
  apiKey: string;
  created: LobCreated[];
  /** Statuses to answer with before handling, in order (then normal handling). */
  statuses: number[];
  requests: number;
  /** Create the next piece, then cut the connection instead of answering (an answer lost on the way). */
  loseNextAnswer: boolean;
  close(): Promise<void>;
}

const err = (status: number, code: string, message: string) => ({ status, body: { error: { message, status_code: status, code } } });

async function handle(state: TestLobServer, keys: Map<string, { status: number; body: unknown }>, req: http.IncomingMessage, raw: Buffer): Promise<{ status: number; body: unknown }> {
  const forced = state.statuses.shift();
  if (forced) return err(forced, forced === 429 ? 'rate_limit_exceeded' : 'internal_server_error', 'forced by the test');
  const resource = /^\/v1\/(letters|postcards)$/.exec(req.url ?? '')?.[1] as 'letters' | 'postcards' | undefined;
  if (req.method !== 'POST' || !resource) return err(404, 'unrecognized_endpoint', 'unrecognized endpoint');
  if (req.headers.authorization !== `Basic ${Buffer.from(`${state.apiKey}:`).toString('base64')}`) return err(401, 'unauthorized', 'Your API key is not valid.');
  const key = typeof req.headers['idempotency-key'] === 'string' ? req.headers['idempotency-key'] : null;
  if (key && key.length > 256) return err(422, 'invalid', 'idempotency_key must be at most 256 characters');
  const seen = key ? keys.get(`${resource}:${key}`) : undefined;
  if (seen) return seen;
  let form: FormData;
  try {
    form = await new Request('http://lob.test/', { method: 'POST', headers: { 'content-type': String(req.headers['content-type'] ?? '') }, body: new Uint8Array(raw) }).formData();
  } catch {
    return err(422, 'invalid', 'body must be multipart/form-data');
  }
  const fields: Record<string, string> = {};
  const files: LobCreated['files'] = {};
  for (const [name, value] of form) {
    if (typeof value === 'string') fields[name] = value;
    else files[name] = { name: value.name, type: value.type, bytes: new Uint8Array(await value.arrayBuffer()) };
  }
  for (const f of ['to[address_line1]', 'to[address_city]', 'to[address_country]', 'from[address_line1]']) if (!fields[f]) return err(422, 'invalid', `${f.replace(/\[(\w+)\]/, '.$1')} is required`);
  if (!fields['to[name]'] && !fields['to[company]']) return err(422, 'invalid', 'to.name or to.company is required');
  if (fields['to[address_country]'] === 'US' && !fields['to[address_zip]']) return err(422, 'invalid', 'to.address_zip is required');
  if (!['marketing', 'operational'].includes(fields.use_type ?? '')) return err(422, 'invalid', 'use_type must be one of [marketing, operational]');
  const pdfs = resource === 'letters' ? ['file'] : ['front', 'back'];
  if (resource === 'letters' && !['true', 'false'].includes(fields.color ?? '')) return err(422, 'invalid', 'color is required');
  for (const p of pdfs) {
    const f = files[p];
    if (!f || Buffer.from(f.bytes.subarray(0, 5)).toString('latin1') !== '%PDF-') return err(422, 'invalid', `${p} must be a PDF file`);
  }
  const id = `${resource === 'letters' ? 'ltr' : 'psc'}_${randomBytes(8).toString('hex')}`;
  state.created.push({ id, resource, idempotencyKey: key, fields, files });
  const answer = {
    status: 200,
    body: {
      id,
      object: resource === 'letters' ? 'letter' : 'postcard',
      expected_delivery_date: '2026-01-12',
      tracking_number: null,
      use_type: fields.use_type,
      description: fields.description ?? null,
    },
  };
  if (key) keys.set(`${resource}:${key}`, answer);
  return answer;
}

export async function startLobServer(apiKey = 'test_0123456789abcdef'): Promise<TestLobServer> {
  const keys = new Map<string, { status: number; body: unknown }>();
  const state: TestLobServer = { url: '', apiKey, created: [], statuses: [], requests: 0, loseNextAnswer: false, close: async () => {} };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      state.requests++;
      void handle(state, keys, req, Buffer.concat(chunks)).then(({ status, body }) => {
        if (state.loseNextAnswer && status === 200) {
          state.loseNextAnswer = false;
          return void req.socket.destroy();
        }
        res.writeHead(status, { 'content-type': 'application/json', ...(status === 429 ? { 'retry-after': '2' } : {}) });
        res.end(JSON.stringify(body));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return state;
}

/**
 * The headers Lob sends with a webhook event, signed as Lob's webhook documentation describes and
 * written here independently of ../lob/signature.ts: `Lob-Signature-Timestamp` is the send time in
 * epoch milliseconds, `Lob-Signature` the lower-case hex HMAC-SHA256 under the webhook's secret of
 * the timestamp, a `.`, and the raw JSON body.
 */
export function lobWebhookHeaders(secret: string, rawBody: string, at: number): Record<string, string> {
  const timestamp = String(at);
  return {
    'content-type': 'application/json',
    'lob-signature-timestamp': timestamp,
    'lob-signature': createHmac('sha256', secret).update(`${timestamp}.${rawBody}`, 'utf8').digest('hex'),
  };
}
