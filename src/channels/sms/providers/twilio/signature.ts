/**
 * @module `X-Twilio-Signature`, as Twilio computes it (https://www.twilio.com/docs/usage/webhooks/webhooks-security,
 * and twilio-node's `webhooks.ts`): base64(HMAC-SHA1(authToken, url + every POST parameter name,
 * sorted, each followed by its value)). A name sent more than once contributes each distinct value,
 * sorted (twilio-node's rule). The URL is signed as the text Twilio was told to call.
 *
 * Twilio's back end is inconsistent about the port, so, like its libraries, `validTwilioSignature`
 * accepts the signature of the URL as given, with the default port written out (`:443`, `:80`) or
 * without a port. Comparison is constant-time.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type TwilioParams = Readonly<Record<string, string | readonly string[]>>;

export function twilioSignature(url: string, params: TwilioParams, authToken: string): string {
  let data = url;
  for (const name of Object.keys(params).sort()) {
    const value = params[name]!;
    if (typeof value === 'string') data += name + value;
    else for (const v of [...new Set(value)].sort()) data += name + v;
  }
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

/** The URL as given, with its default port written out, and without a port (distinct ones). */
function portVariants(url: string): string[] {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [url];
  }
  const defaultPort = parsed.protocol === 'https:' ? '443' : '80';
  // WHATWG URL drops a default port when it prints, so the variants are spliced as text.
  const auth = parsed.username || parsed.password ? `${parsed.username}${parsed.password ? `:${parsed.password}` : ''}@` : '';
  const rest = `${parsed.pathname}${parsed.search}${parsed.hash}`;
  const withPort = `${parsed.protocol}//${auth}${parsed.hostname}:${parsed.port || defaultPort}${rest}`;
  const withoutPort = `${parsed.protocol}//${auth}${parsed.hostname}${rest}`;
  return [...new Set([url, withPort, withoutPort])];
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** True when `signature` (the header's value) signs these params for this URL, with or without the port. */
export function validTwilioSignature(url: string, params: TwilioParams, authToken: string, signature: string | undefined): boolean {
  if (!signature || !authToken) return false;
  let ok = false;
  // Every variant is always computed and compared, so the time taken does not say which matched.
  for (const variant of portVariants(url)) ok = sameText(twilioSignature(variant, params, authToken), signature) || ok;
  return ok;
}
