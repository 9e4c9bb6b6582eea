/**
 * @module A Telegram Bot API server for tests of channel posts: real HTTP on 127.0.0.1 answering
 * `POST /bot<token>/<method>` as https://core.telegram.org/bots/api documents (`{ ok, result }`, or
 * `{ ok: false, error_code, description, parameters }`), for getMe, getChat, sendMessage, sendPhoto
 * and sendMediaGroup (2-10 photos as `attach://<part>` references to multipart files, a caption of
 * at most 1024 per item; JSON or multipart bodies, as grammY sends them). Errors: 401 Unauthorized (bad token),
 * 400 chat not found / message is too long / caption too long, 403 when the bot is not in the
 * channel, and queued answers (429 with `retry_after`, …) a test asks for.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TelegramFakeMessage {
  chatId: number;
  messageId: number;
  text: string | null;
  caption: string | null;
  photoBytes: number | null;
  /** The message id of the album's first message, for a photo of a media group. */
  groupOf?: number | undefined;
}

export interface TelegramFake {
  apiRoot: string;
  token: string;
  /** Channels the bot administers, by `@name`. */
  channels: Map<string, { id: number; title: string }>;
  messages: TelegramFakeMessage[];
  /** Answers the next send calls take instead, in order (e.g. a 429). */
  sendAnswers: Array<{ error_code: number; description: string; parameters?: { retry_after?: number } }>;
  sendCalls: number;
  close(): Promise<void>;
}

/** The parts of a multipart/form-data body (grammY's uploads). */
function multipart(body: Buffer, boundary: string): Array<{ name: string; filename: string | null; data: Buffer }> {
  const out: Array<{ name: string; filename: string | null; data: Buffer }> = [];
  const delimiter = Buffer.from(`--${boundary}`);
  let at = body.indexOf(delimiter);
  while (at >= 0) {
    const start = at + delimiter.length;
    const next = body.indexOf(delimiter, start);
    if (next < 0) break;
    const chunk = body.subarray(start, next);
    const split = chunk.indexOf('\r\n\r\n');
    if (split >= 0) {
      const head = chunk.subarray(0, split).toString('utf8');
      const name = /name="([^"]*)"/.exec(head)?.[1];
      // grammY writes `filename=<name>` unquoted; browsers quote it.
      const filename = /filename="?([^"\r\n;]*)/.exec(head)?.[1] ?? null;
      // The part's data ends before the CRLF that precedes the next delimiter.
      if (name !== undefined) out.push({ name, filename, data: chunk.subarray(split + 4, chunk.length - 2) });
    }
    at = next;
  }
  return out;
}

export async function startTelegramFake(options: { token?: string } = {}): Promise<TelegramFake> {
  const state = {
    token: options.token ?? '123456:AAFakeTokenForTestsOnly_abcdefghij',
    channels: new Map<string, { id: number; title: string }>([['@brandnews', { id: -1001234567890, title: 'Brand news' }]]),
    messages: [] as TelegramFakeMessage[],
    sendAnswers: [] as TelegramFake['sendAnswers'],
    sendCalls: 0,
  };
  let nextMessage = 1;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const ok = (result: unknown) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ ok: true, result }));
        };
        const fail = (code: number, description: string, parameters?: unknown) => {
          res.writeHead(code, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ ok: false, error_code: code, description, ...(parameters ? { parameters } : {}) }));
        };
        const m = /^\/bot([^/]+)\/(\w+)$/.exec(req.url ?? '');
        if (!m) return fail(404, 'Not Found');
        if (m[1] !== state.token) return fail(401, 'Unauthorized');
        const raw = Buffer.concat(chunks);
        const type = String(req.headers['content-type'] ?? '');
        const params: Record<string, unknown> = {};
        let photoBytes: number | null = null;
        const files = new Map<string, number>();
        if (type.startsWith('multipart/form-data')) {
          const boundary = /boundary=("?)([^";]+)\1/.exec(type)?.[2] ?? '';
          for (const part of multipart(raw, boundary)) {
            if (part.filename !== null) {
              photoBytes = part.data.length;
              files.set(part.name, part.data.length);
            } else params[part.name] = part.data.toString('utf8');
          }
        } else if (raw.length > 0) Object.assign(params, JSON.parse(raw.toString('utf8')) as Record<string, unknown>);
        const chatOf = (id: unknown) => [...state.channels.values()].find((c) => String(c.id) === String(id)) ?? state.channels.get(String(id));
        switch (m[2]) {
          case 'getMe':
            return ok({ id: 123456, is_bot: true, first_name: 'Brand', username: 'brand_bot' });
          case 'getChat': {
            const chat = chatOf(params.chat_id);
            if (!chat) return fail(400, 'Bad Request: chat not found');
            return ok({ id: chat.id, type: 'channel', title: chat.title, username: [...state.channels.entries()].find(([, c]) => c === chat)?.[0].slice(1) });
          }
          case 'sendMessage':
          case 'sendPhoto': {
            state.sendCalls++;
            const answer = state.sendAnswers.shift();
            if (answer) return fail(answer.error_code, answer.description, answer.parameters);
            const chat = chatOf(params.chat_id);
            if (!chat) return fail(403, 'Forbidden: bot is not a member of the channel chat');
            const text = typeof params.text === 'string' ? params.text : null;
            const caption = typeof params.caption === 'string' ? params.caption : null;
            if (m[2] === 'sendMessage' && (text ?? '').length > 4096) return fail(400, 'Bad Request: message is too long');
            if ((caption ?? '').length > 1024) return fail(400, 'Bad Request: message caption is too long');
            const msg: TelegramFakeMessage = { chatId: chat.id, messageId: nextMessage++, text, caption, photoBytes };
            state.messages.push(msg);
            return ok({
              message_id: msg.messageId,
              date: Math.floor(Date.now() / 1000),
              chat: { id: chat.id, type: 'channel', title: chat.title },
              ...(text ? { text } : {}),
              ...(caption ? { caption } : {}),
            });
          }
          case 'sendMediaGroup': {
            state.sendCalls++;
            const answer = state.sendAnswers.shift();
            if (answer) return fail(answer.error_code, answer.description, answer.parameters);
            const chat = chatOf(params.chat_id);
            if (!chat) return fail(403, 'Forbidden: bot is not a member of the channel chat');
            const media = (typeof params.media === 'string' ? JSON.parse(params.media) : params.media) as Array<{ type?: unknown; media?: unknown; caption?: unknown }>;
            if (!Array.isArray(media) || media.length < 2 || media.length > 10) return fail(400, 'Bad Request: wrong number of media in the group: 2 to 10 are allowed');
            const items: TelegramFakeMessage[] = [];
            for (const item of media) {
              const ref = typeof item.media === 'string' ? /^attach:\/\/(.+)$/.exec(item.media)?.[1] : undefined;
              if (item.type !== 'photo' || ref === undefined || !files.has(ref)) return fail(400, 'Bad Request: wrong file identifier/HTTP URL specified');
              const caption = typeof item.caption === 'string' ? item.caption : null;
              if ((caption ?? '').length > 1024) return fail(400, 'Bad Request: message caption is too long');
              items.push({ chatId: chat.id, messageId: 0, text: null, caption, photoBytes: files.get(ref)! });
            }
            const first = nextMessage;
            for (const msg of items) {
              msg.messageId = nextMessage++;
              msg.groupOf = first;
              state.messages.push(msg);
            }
            return ok(
              items.map((msg) => ({
                message_id: msg.messageId,
                media_group_id: String(first),
                date: Math.floor(Date.now() / 1000),
                chat: { id: chat.id, type: 'channel', title: chat.title },
                photo: [{ file_id: `f${msg.messageId}`, file_unique_id: `u${msg.messageId}`, width: 1, height: 1 }],
                ...(msg.caption ? { caption: msg.caption } : {}),
              })),
            );
          }
          default:
            return fail(404, 'Not Found: method not found');
        }
      })().catch(() => {
        res.writeHead(500);
        res.end();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(state, {
    apiRoot: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
