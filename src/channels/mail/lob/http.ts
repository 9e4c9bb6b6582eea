/**
 * @module The one outbound HTTP call of the Lob provider: a multipart POST through the guarded
 * outbound client (../../outbound-http.ts), like every connection a workspace configures, so a Lob
 * `baseUrl` set to loopback, the metadata service or the private network is refused unless the
 * operator allows private outbound connections. The FormData is serialised by the platform
 * (`Response`), so the multipart boundary and encoding are the standard ones. Answers are read up
 * to 256 KB.
 */
import type http from 'node:http';
import { answerText, outboundRequest } from '../../outbound-http.js';

const MAX_ANSWER_BYTES = 256 * 1024;

export type PostAnswer = { kind: 'answer'; status: number; headers: http.IncomingHttpHeaders; body: string } | { kind: 'failure'; private: boolean; reason: string };

export async function postMultipart(url: URL, headers: Record<string, string>, form: FormData, o: { allowPrivateOutbound?: boolean | undefined; timeoutMs: number }): Promise<PostAnswer> {
  const encoded = new Response(form);
  const body = Buffer.from(await encoded.arrayBuffer());
  const answer = await outboundRequest(
    url,
    { method: 'POST', headers: { ...headers, 'content-type': encoded.headers.get('content-type')! }, body },
    { allowPrivate: o.allowPrivateOutbound, allowedBy: 'QATRA_ALLOW_PRIVATE_OUTBOUND=1', timeoutMs: o.timeoutMs, maxAnswerBytes: MAX_ANSWER_BYTES },
  );
  if (answer.kind === 'answer') return { kind: 'answer', status: answer.status, headers: answer.headers, body: answerText(answer) };
  return { kind: 'failure', private: answer.kind === 'private', reason: answer.reason };
}
