/**
 * @module The HTTP transport under grammY's `Api` (its `fetch` option): one keep-alive POST per call
 * on node:http(s), for the JSON bodies the channel's calls send (sendMessage, setWebhook). Measured
 * on this 2-core machine (load 20, so noisy) against the local Bot API server, 100 in flight:
 * grammY over its default node-fetch 110-127 sendMessage/s, over this transport 127-263/s, this
 * transport alone 317-456/s. grammY still builds the payload, parses the answer and raises its
 * typed errors (its own overhead, timers and abort wiring, is the rest of the gap). A body that is not a string (a file upload's form stream) is refused:
 * the channel sends none.
 */
import http from 'node:http';
import https from 'node:https';

export interface MinimalResponse {
  ok: boolean;
  status: number;
  json(): Promise<unknown>;
}

export type MinimalFetch = (url: string | URL, init: { method?: string; headers?: Record<string, string>; body?: unknown; signal?: AbortSignal }) => Promise<MinimalResponse>;

export function keepAliveFetch(agent: http.Agent | https.Agent): MinimalFetch {
  return (url, init) =>
    new Promise((resolve, reject) => {
      const target = new URL(String(url));
      if (init.body !== undefined && typeof init.body !== 'string') return reject(new Error('only JSON bodies are sent by this transport'));
      const body = (init.body as string | undefined) ?? '';
      const lib = target.protocol === 'https:' ? https : http;
      const req = lib.request(target, { method: init.method ?? 'POST', agent, headers: { ...(init.headers ?? {}), 'content-length': String(Buffer.byteLength(body)) } });
      const abort = () => req.destroy(new Error('aborted'));
      if (init.signal?.aborted) return abort();
      init.signal?.addEventListener('abort', abort, { once: true });
      req.on('error', (err) => {
        init.signal?.removeEventListener('abort', abort);
        reject(err);
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          init.signal?.removeEventListener('abort', abort);
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          resolve({ ok: status >= 200 && status < 300, status, json: async () => JSON.parse(text) as unknown });
        });
      });
      req.end(body);
    });
}
