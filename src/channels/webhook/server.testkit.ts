/**
 * @module A real HTTP server on 127.0.0.1 for webhook tests: records every request, verifies its
 * HMAC signature, and answers with the status a test asks for (per call, e.g. 500, 500, 200).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { signBody } from './webhook.js';

export interface ReceivedWebhook {
  body: { contact: { id: string; userId: string | null; email: string | null }; context: Record<string, unknown>; idempotencyKey: string };
  headers: http.IncomingHttpHeaders;
  signatureValid: boolean;
}

export interface WebhookServer {
  url: string;
  received: ReceivedWebhook[];
  /** Statuses to answer with, in order; when empty, `fallbackStatus` (200). */
  statuses: number[];
  fallbackStatus: number;
  /** When set, decides the status from the request body (overrides `statuses`). */
  respond: ((body: ReceivedWebhook['body']) => number) | null;
  close(): Promise<void>;
}

export async function startWebhookServer(secret: string): Promise<WebhookServer> {
  const state = { received: [] as ReceivedWebhook[], statuses: [] as number[], fallbackStatus: 200, respond: null as ((body: ReceivedWebhook['body']) => number) | null };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const body = JSON.parse(raw) as ReceivedWebhook['body'];
      state.received.push({ body, headers: req.headers, signatureValid: req.headers['x-qatra-signature'] === signBody(raw, secret) });
      const status = state.respond ? state.respond(body) : state.statuses.length > 0 ? state.statuses.shift()! : state.fallbackStatus;
      res.writeHead(status, { 'content-type': 'application/json', 'x-message-id': `m${state.received.length}` });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    get received() {
      return state.received;
    },
    get statuses() {
      return state.statuses;
    },
    set statuses(v: number[]) {
      state.statuses = v;
    },
    get fallbackStatus() {
      return state.fallbackStatus;
    },
    set fallbackStatus(v: number) {
      state.fallbackStatus = v;
    },
    get respond() {
      return state.respond;
    },
    set respond(v) {
      state.respond = v;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
