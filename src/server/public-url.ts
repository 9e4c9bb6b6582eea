/**
 * @module The start-up check of QATRA_PUBLIC_URL. Links in mail (unsubscribe, preferences, tracking)
 * and the web app's setup links are built from it; on plain http to a host other than this machine,
 * one-click unsubscribe does not work: RFC 8058 wants the List-Unsubscribe URL to be https, and
 * Gmail and Yahoo require it of bulk senders. The session cookie is not marked Secure either.
 */

/** Hosts that only this machine reaches: plain http to them is development, not a deployment. */
function isLoopback(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(host) || host === '[::1]';
}

/** The warning to print for `publicUrl`, or null when it is https or a loopback address. */
export function publicUrlWarning(publicUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(publicUrl);
  } catch {
    return null; // not a URL at all: the config's business, not this check's
  }
  if (url.protocol !== 'http:' || isLoopback(url.hostname)) return null;
  return (
    `QATRA_PUBLIC_URL is ${publicUrl}, plain http: one-click unsubscribe needs https ` +
    '(RFC 8058; Gmail and Yahoo require it of bulk senders), and sign-in cookies are sent unencrypted. ' +
    'Put an https proxy in front of Qatra and set QATRA_PUBLIC_URL=https://… (README: Going to production).'
  );
}
