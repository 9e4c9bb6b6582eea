/**
 * @module The one outbound HTTP call of the Lob provider: a multipart POST through node:http(s),
 * guarded like every connection a workspace configures (../../address-guard.ts): the host's every
 * address is checked inside the socket's lookup (an IP literal here), so a Lob `baseUrl` set to
 * loopback, the metadata service or the private network is refused unless the operator allows
 * private outbound connections. The FormData is serialised by the platform (`Response`), so the
 * multipart boundary and encoding are the standard ones. Answers are read up to 256 KB.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { guardedLookup, isPrivateAddress, PrivateAddressError } from '../../address-guard.js';

const MAX_ANSWER_BYTES = 256 * 1024;

export type PostAnswer = { kind: 'answer'; status: number; headers: http.IncomingHttpHeaders; body: string } | { kind: 'failure'; private: boolean; reason: string };

export async function postMultipart(url: URL, headers: Record<string, string>, form: FormData, o: { allowPrivateOutbound?: boolean | undefined; timeoutMs: number }): Promise<PostAnswer> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!o.allowPrivateOutbound && net.isIP(host) && isPrivateAddress(host))
    return { kind: 'failure', private: true, reason: new PrivateAddressError(host, host, 'QATRA_ALLOW_PRIVATE_OUTBOUND=1').message };
  const encoded = new Response(form);
  const body = Buffer.from(await encoded.arrayBuffer());
  return new Promise((resolve) => {
    let done = false;
    const finish = (a: PostAnswer) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(a);
    };
    const req = (url.protocol === 'https:' ? https : http).request(url, {
      method: 'POST',
      headers: { ...headers, 'content-type': encoded.headers.get('content-type')!, 'content-length': String(body.length) },
      ...(o.allowPrivateOutbound ? {} : { lookup: guardedLookup }),
    });
    const timer = setTimeout(() => req.destroy(new Error(`timeout after ${o.timeoutMs} ms`)), o.timeoutMs);
    req.on('error', (err: Error) => finish({ kind: 'failure', private: err instanceof PrivateAddressError || (err as { code?: string }).code === 'EPRIVATEADDR', reason: err.message }));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= MAX_ANSWER_BYTES) chunks.push(c);
      });
      res.on('end', () => finish({ kind: 'answer', status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (err: Error) => req.emit('error', err));
    });
    req.end(body);
  });
}
