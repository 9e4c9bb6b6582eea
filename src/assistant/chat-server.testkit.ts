/**
 * @module A local HTTP server speaking the OpenAI chat-completions API (`POST /v1/chat/completions`)
 * on 127.0.0.1, for the writing assistant's tests: it records each request and answers what the test
 * scripted, errors included (a refused key, rate limiting, a server error, a hang, a huge or broken body).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ChatCall {
  path: string;
  authorization: string | undefined;
  body: { model?: string; messages?: Array<{ role: string; content: string }>; [k: string]: unknown };
}

/** What the server answers next: the assistant's text, or a raw status and body. */
export type Reply = { content: string } | { status: number; body: string; headers?: Record<string, string> } | { hang: true };

export interface ChatServer {
  /** `http://127.0.0.1:<port>/v1`, the base URL a workspace configures. */
  baseUrl: string;
  calls: ChatCall[];
  /** Queue the next answers (the last one repeats when the queue runs out). */
  reply(...replies: Reply[]): void;
  close(): Promise<void>;
}

export const completion = (content: string, model = 'local-test') =>
  JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion', created: 0, model, choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }] });

export async function startChatServer(): Promise<ChatServer> {
  const calls: ChatCall[] = [];
  let queue: Reply[] = [{ content: '{"suggestions": []}' }];
  const hung = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found"}}');
        return;
      }
      let body: ChatCall['body'] = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        res.writeHead(400).end('{"error":{"message":"bad json"}}');
        return;
      }
      calls.push({ path: req.url, authorization: req.headers.authorization, body });
      const next = queue.length > 1 ? queue.shift()! : queue[0]!;
      if ('hang' in next) {
        hung.add(res);
        return;
      }
      if ('content' in next) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(completion(next.content, body.model));
        return;
      }
      res.writeHead(next.status, { 'content-type': 'application/json', ...next.headers }).end(next.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    calls,
    reply: (...replies) => {
      queue = replies;
    },
    close: async () => {
      for (const res of hung) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
