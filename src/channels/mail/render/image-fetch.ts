/**
 * @module How the print renderer's Chromium gets a template's images: Qatra fetches them itself,
 * through the address guard every outbound connection uses (../../address-guard.ts), and hands the
 * bytes to the page. A template author (an editor) must not be able to make the server request its
 * own loopback, the cloud metadata service or the private network by placing
 * `<img src="http://169.254.169.254/…">` in a letter and printing a preview. Chromium's own network
 * stack would resolve names itself (a DNS answer could change between a check and its connection),
 * so the check and the connection are one here: the guarded lookup is the socket's lookup.
 *
 * Redirects are followed (at most 3), each hop through the same guard. An answer is bounded in size
 * and time. Private targets are allowed only with QATRA_ALLOW_PRIVATE_OUTBOUND (config).
 */
import http from 'node:http';
import https from 'node:https';
import { guardedLookup, isPrivateAddress, PrivateAddressError } from '../../address-guard.js';

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
  if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new Error(`not an http(s) image: ${target.protocol}`);
  const host = target.hostname.replace(/^\[|\]$/g, '');
  // Node does not call `lookup` for an IP literal: check it here.
  if (isPrivateAddress(host)) throw new PrivateAddressError(host, host);
  const answer = await get(target);
  if (answer.status >= 300 && answer.status < 400 && answer.location) {
    if (redirects === 0) throw new Error('too many redirects');
    return fetchImage(new URL(answer.location, target).toString(), redirects - 1);
  }
  return answer;
}

function get(target: URL): Promise<FetchedImage & { location?: string | undefined }> {
  const client = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.get(target, { lookup: guardedLookup, timeout: TIMEOUT_MS, headers: { accept: 'image/*' } }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_IMAGE_BYTES) {
          req.destroy(new Error(`image larger than ${MAX_IMAGE_BYTES} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 502, contentType: String(res.headers['content-type'] ?? 'application/octet-stream'), body: Buffer.concat(chunks), location: res.headers.location }),
      );
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
    req.on('error', reject);
  });
}
