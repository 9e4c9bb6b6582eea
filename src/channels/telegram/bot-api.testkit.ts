/**
 * @module A test server that speaks the Telegram Bot API (https://core.telegram.org/bots/api) on
 * 127.0.0.1 (a real `http.createServer`), errors included, in the documented shapes:
 * `POST /bot<token>/<method>` with a JSON (or form) body, answered `{ ok: true, result }` or
 * `{ ok: false, error_code, description, parameters?: { retry_after } }`.
 *
 *  - `getMe`, `sendMessage` (text ≤ 4096 characters, `parse_mode` HTML checked against the tags
 *    Telegram allows, `reply_markup.inline_keyboard` of url buttons), `setWebhook` (url and
 *    `secret_token`, kept in `webhook`);
 *  - 401 Unauthorized for a token that is not the bot's; 403 "Forbidden: bot was blocked by the
 *    user" for chats in `blocked`; 400 "Bad Request: chat not found" for chats not in `chats`
 *    (unless `anyChat`);
 *  - Telegram's limits ENFORCED: more than `globalPerSecond` messages in one second (default 30;
 *    `paidPerSecond`, default 1000, for messages sent with `allow_paid_broadcast`, Telegram's paid
 *    broadcasts), or more than `perChatPerSecond` to one chat in one second (default 1), answers 429
 *    "Too Many Requests: retry after N" with `parameters.retry_after`, counted in `tooMany`. The
 *    limits are configurable so that a benchmark can scale them (both sides alike).
 *
 * `postUpdate` delivers an update to a webhook the way Telegram does: a JSON POST with the
 * `X-Telegram-Bot-Api-Secret-Token` header set by `setWebhook` (or one given).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { htmlProblem, visibleLength } from './html.js';

export interface SentTelegram {
  chatId: string;
  text: string;
  parseMode: string | null;
  buttons: { text: string; url: string }[];
  messageId: number;
  at: number;
  /** Sent with `allow_paid_broadcast` (Telegram charges Stars for it). */
  paid: boolean;
}

export interface BotApiServerOptions {
  token?: string;
  username?: string;
  globalPerSecond?: number;
  /** The overall limit of messages sent with `allow_paid_broadcast` (Telegram: 1000). */
  paidPerSecond?: number;
  perChatPerSecond?: number;
}

export interface BotApiTestServer {
  /** Give this as the provider's `apiRoot`. */
  apiRoot: string;
  token: string;
  username: string;
  /** Chats that exist (ids as strings); `anyChat` accepts every id. */
  chats: Set<string>;
  anyChat: boolean;
  /** Chats whose user blocked the bot. */
  blocked: Set<string>;
  /** Messages accepted. */
  sent: SentTelegram[];
  /** Bodies of every sendMessage received (accepted or not), as sent. */
  bodies: string[];
  /** 429 answers given. */
  readonly tooMany: number;
  webhook: { url: string; secretToken: string | null } | null;
  limits: { globalPerSecond: number; paidPerSecond: number; perChatPerSecond: number };
  postUpdate(url: string, update: object, secretToken?: string | null): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

function parseBody(raw: string, type: string | undefined): Record<string, unknown> {
  if (raw === '') return {};
  if (type?.includes('application/json')) return JSON.parse(raw) as Record<string, unknown>;
  return Object.fromEntries(new URLSearchParams(raw));
}

export async function startBotApiServer(options: BotApiServerOptions = {}): Promise<BotApiTestServer> {
  const token = options.token ?? '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
  const username = options.username ?? 'qatra_test_bot';
  let tooMany = 0;
  let nextMessageId = 1;
  // Messages accepted per second (epoch second), overall and per chat: only the current second is kept.
  let second = -1;
  let overall = 0;
  const perChat = new Map<string, number>();

  const state: Omit<BotApiTestServer, 'apiRoot' | 'postUpdate' | 'close' | 'tooMany'> = {
    token,
    username,
    chats: new Set(),
    anyChat: false,
    blocked: new Set(),
    sent: [],
    bodies: [],
    webhook: null,
    limits: { globalPerSecond: options.globalPerSecond ?? 30, paidPerSecond: options.paidPerSecond ?? 1000, perChatPerSecond: options.perChatPerSecond ?? 1 },
  };

  const fail = (code: number, description: string, retryAfter?: number) => ({
    status: code,
    body: { ok: false, error_code: code, description, ...(retryAfter !== undefined ? { parameters: { retry_after: retryAfter } } : {}) },
  });

  function sendMessage(p: Record<string, unknown>): { status: number; body: object } {
    const chatId = String(p.chat_id ?? '');
    const text = typeof p.text === 'string' ? p.text : '';
    if (!chatId) return fail(400, 'Bad Request: chat_id is empty');
    if (text.trim() === '') return fail(400, 'Bad Request: message text is empty');
    const parseMode = typeof p.parse_mode === 'string' ? p.parse_mode : null;
    if (visibleLength(text, parseMode === 'HTML') > 4096) return fail(400, 'Bad Request: message is too long');
    if (state.blocked.has(chatId)) return fail(403, 'Forbidden: bot was blocked by the user');
    if (!state.anyChat && !state.chats.has(chatId)) return fail(400, 'Bad Request: chat not found');
    if (parseMode !== null && parseMode !== 'HTML') return fail(400, `Bad Request: unsupported parse_mode ${parseMode}`);
    if (parseMode === 'HTML') {
      const problem = htmlProblem(text);
      if (problem) return fail(400, `Bad Request: can't parse entities: ${problem}`);
    }
    const markup = typeof p.reply_markup === 'string' ? (JSON.parse(p.reply_markup) as Record<string, unknown>) : (p.reply_markup as Record<string, unknown> | undefined);
    const buttons: { text: string; url: string }[] = [];
    for (const row of (markup?.inline_keyboard as unknown[][] | undefined) ?? []) {
      for (const b of row as { text?: unknown; url?: unknown }[]) {
        if (typeof b.text !== 'string' || b.text === '' || typeof b.url !== 'string' || !/^(https?|tg):\/\//.test(b.url)) return fail(400, 'Bad Request: BUTTON_URL_INVALID');
        buttons.push({ text: b.text, url: b.url });
      }
    }
    // The limits, counted over calendar seconds of arrival.
    const now = Date.now();
    const s = Math.floor(now / 1000);
    if (s !== second) {
      second = s;
      overall = 0;
      perChat.clear();
    }
    const chatCount = perChat.get(chatId) ?? 0;
    const paid = p.allow_paid_broadcast === true || p.allow_paid_broadcast === 'true';
    if (overall >= (paid ? state.limits.paidPerSecond : state.limits.globalPerSecond) || chatCount >= state.limits.perChatPerSecond) {
      tooMany++;
      return fail(429, 'Too Many Requests: retry after 1', 1);
    }
    overall++;
    perChat.set(chatId, chatCount + 1);
    const messageId = nextMessageId++;
    state.sent.push({ chatId, text, parseMode, buttons, messageId, at: now, paid });
    return { status: 200, body: { ok: true, result: { message_id: messageId, date: Math.floor(now / 1000), chat: { id: Number(chatId), type: 'private' }, text } } };
  }

  function handle(method: string, p: Record<string, unknown>): { status: number; body: object } {
    switch (method) {
      case 'getMe':
        return { status: 200, body: { ok: true, result: { id: Number(token.split(':')[0]), is_bot: true, first_name: 'Qatra test', username } } };
      case 'sendMessage':
        return sendMessage(p);
      case 'setWebhook': {
        const url = typeof p.url === 'string' ? p.url : '';
        const secretToken = typeof p.secret_token === 'string' ? p.secret_token : null;
        if (secretToken !== null && !/^[A-Za-z0-9_-]{1,256}$/.test(secretToken)) return fail(400, 'Bad Request: secret token contains unallowed characters');
        state.webhook = url ? { url, secretToken } : null;
        return { status: 200, body: { ok: true, result: true, description: url ? 'Webhook was set' : 'Webhook was deleted' } };
      }
      default:
        return fail(404, 'Not Found');
    }
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const m = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(req.url ?? '');
      let answer: { status: number; body: object };
      if (!m) answer = fail(404, 'Not Found');
      else if (decodeURIComponent(m[1]!) !== token) answer = fail(401, 'Unauthorized');
      else {
        const raw = Buffer.concat(chunks).toString('utf8');
        if (m[2] === 'sendMessage') state.bodies.push(raw);
        try {
          answer = handle(m[2]!, parseBody(raw, req.headers['content-type']));
        } catch {
          answer = fail(400, 'Bad Request: invalid request body');
        }
      }
      const json = JSON.stringify(answer.body);
      res.writeHead(answer.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
      res.end(json);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  const api = Object.assign(state, {
    apiRoot: `http://127.0.0.1:${port}`,
    async postUpdate(url: string, update: object, secretToken?: string | null) {
      const secret = secretToken === undefined ? (state.webhook?.secretToken ?? null) : secretToken;
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(secret !== null ? { 'x-telegram-bot-api-secret-token': secret } : {}) },
        body: JSON.stringify(update),
      });
      return { status: res.status, body: await res.text() };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
  // A getter (Object.assign would copy the count once).
  Object.defineProperty(api, 'tooMany', { get: () => tooMany, enumerable: true });
  return api as BotApiTestServer;
}
