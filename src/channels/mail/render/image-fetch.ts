/**
 * @module How the print renderer's Chromium gets a template's images: Qatra fetches them itself,
 * through the guarded outbound client every outbound connection uses (../../outbound-http.ts), and hands the
 * bytes to the page. A template author (an editor) must not be able to make the server request its
 * own loopback, the cloud metadata service or the private network by placing
 * `<img src="http://169.254.169.254/…">` in a letter and printing a preview. Chromium's own network
 * stack would resolve names itself (a DNS answer could change between a check and its connection),
 * so the check and the connection are one here: the guarded lookup is the socket's lookup.
 *
 * Redirects are followed (at most 3), each hop through the same guard. An answer is bounded in size
 * and time. Private targets are allowed only with QATRA_ALLOW_PRIVATE_OUTBOUND (config).
 */
import { answerHeader, outboundRequest } from '../../outbound-http.js';

export interface FetchedImage {
  status: number;
  contentType: string;
  body: Buffer;
}

export const MAX_IMAGE_BYTES = 25 * 1024 * 1024;
const MAX_REDIRECTS = 3;
const TIMEOUT_MS = 15_000;

/** The image at `url` (http or https), refused when any address it resolves to is private. */
export async function fetchImage(url: string, redirects = MAX_REDIRECTS): Promise<FetchedImage> {
  const target = new URL(url);
  const answer = await outboundRequest(target, { method: 'GET', headers: { accept: 'image/*' } }, { timeoutMs: TIMEOUT_MS, maxAnswerBytes: MAX_IMAGE_BYTES, oversize: 'fail' });
  if (answer.kind !== 'answer') throw new Error(answer.kind === 'too_large' ? `image larger than ${MAX_IMAGE_BYTES} bytes` : answer.reason);
  const location = answerHeader(answer, 'location');
  if (answer.status >= 300 && answer.status < 400 && location) {
    if (redirects === 0) throw new Error('too many redirects');
    return fetchImage(new URL(location, target).toString(), redirects - 1);
  }
  return { status: answer.status, contentType: answerHeader(answer, 'content-type') ?? 'application/octet-stream', body: answer.body };
}
