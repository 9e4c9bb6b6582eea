/**
 * @module A Mastodon server for tests: real HTTP on 127.0.0.1 speaking the documented shapes of the
 * endpoints Qatra calls (https://docs.joinmastodon.org/methods/): `GET /api/v1/accounts/verify_credentials`,
 * `GET /api/v2/instance` (configuration.statuses.max_characters), `POST /api/v2/media` (202, then
 * `GET /api/v1/media/:id` once processed, as masto polls),
 * `POST /api/v1/statuses` and `GET /api/v1/statuses/:id`. Errors as a server gives them: 401
 * `{"error":"The access token is invalid"}`, 422 `{"error":"Validation failed: Text character limit
 * of 500 exceeded"}`, 429 with `X-RateLimit-Reset`. `Idempotency-Key` is honoured as Mastodon does:
 * the same key (for the same token) answers the status it made the first time.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeStatus {
  id: string;
  text: string;
  mediaIds: string[];
  idempotencyKey: string | null;
  favourites: number;
  reblogs: number;
  replies: number;
}

export interface FakeAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface MastodonFake {
  url: string;
  token: string;
  maxCharacters: number;
  statuses: FakeStatus[];
  media: Array<{ id: string; bytes: number }>;
  /** Answers the next `POST /api/v1/statuses` calls take instead of a status, in order. */
  statusAnswers: FakeAnswer[];
  /** Every `POST /api/v1/statuses` received (including refused ones). */
  statusCalls: number;
  close(): Promise<void>;
}

function read(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startMastodonFake(options: { token?: string; maxCharacters?: number } = {}): Promise<MastodonFake> {
  const byKey = new Map<string, FakeStatus>();
  let nextId = 100;
  const state = {
    token: options.token ?? 'mastodon-token-1',
    maxCharacters: options.maxCharacters ?? 500,
    statuses: [] as FakeStatus[],
    media: [] as Array<{ id: string; bytes: number }>,
    statusAnswers: [] as FakeAnswer[],
    statusCalls: 0,
  };
  let base = '';
  const statusJson = (s: FakeStatus) => ({
    id: s.id,
    created_at: new Date().toISOString(),
    content: `<p>${s.text}</p>`,
    url: `${base}/@brand/${s.id}`,
    uri: `${base}/users/brand/statuses/${s.id}`,
    visibility: 'public',
    favourites_count: s.favourites,
    reblogs_count: s.reblogs,
    replies_count: s.replies,
    media_attachments: s.mediaIds.map((id) => ({ id, type: 'image' })),
  });
  const server = http.createServer((req, res) => {
    void (async () => {
      const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
        res.end(JSON.stringify(body));
      };
      const body = await read(req);
      const url = new URL(req.url ?? '/', base);
      if (req.headers.authorization !== `Bearer ${state.token}`) return send(401, { error: 'The access token is invalid' });
      if (req.method === 'GET' && url.pathname === '/api/v1/accounts/verify_credentials') {
        return send(200, { id: '1', username: 'brand', acct: 'brand', display_name: 'Brand', url: `${base}/@brand`, followers_count: 10 });
      }
      if (req.method === 'GET' && url.pathname === '/api/v2/instance') {
        return send(200, {
          domain: new URL(base).host,
          title: 'Fake Mastodon',
          version: '4.3.0',
          configuration: { statuses: { max_characters: state.maxCharacters, max_media_attachments: 4, characters_reserved_per_url: 23 } },
        });
      }
      if (req.method === 'POST' && url.pathname === '/api/v2/media') {
        const id = String(nextId++);
        state.media.push({ id, bytes: body.length });
        // As documented: 202 while the server processes the file (url null); GET /api/v1/media/:id then gives it.
        return send(202, { id, type: 'image', url: null, preview_url: null, description: null });
      }
      const media = /^\/api\/v1\/media\/(\w+)$/.exec(url.pathname);
      if (req.method === 'GET' && media) {
        return state.media.some((m) => m.id === media[1])
          ? send(200, { id: media[1], type: 'image', url: `${base}/media/${media[1]}`, preview_url: null, description: null })
          : send(404, { error: 'Record not found' });
      }
      if (req.method === 'POST' && url.pathname === '/api/v1/statuses') {
        state.statusCalls++;
        const key = typeof req.headers['idempotency-key'] === 'string' ? req.headers['idempotency-key'] : null;
        const seen = key ? byKey.get(key) : undefined;
        if (seen) return send(200, statusJson(seen));
        const answer = state.statusAnswers.shift();
        if (answer) return send(answer.status, answer.body, answer.headers);
        const params = JSON.parse(body.toString('utf8') || '{}') as { status?: string; media_ids?: string[] };
        const text = params.status ?? '';
        if ([...text].length > state.maxCharacters) return send(422, { error: `Validation failed: Text character limit of ${state.maxCharacters} exceeded` });
        const s: FakeStatus = { id: String(nextId++), text, mediaIds: params.media_ids ?? [], idempotencyKey: key, favourites: 0, reblogs: 0, replies: 0 };
        state.statuses.push(s);
        if (key) byKey.set(key, s);
        return send(200, statusJson(s));
      }
      const one = /^\/api\/v1\/statuses\/(\w+)$/.exec(url.pathname);
      if (req.method === 'GET' && one) {
        const s = state.statuses.find((x) => x.id === one[1]);
        return s ? send(200, statusJson(s)) : send(404, { error: 'Record not found' });
      }
      return send(404, { error: 'Not found' });
    })().catch(() => {
      res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(state, {
    url: base,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
