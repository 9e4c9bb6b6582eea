/**
 * @module Which opens were made by machines, not people (docs/standards.md §13). Apple Mail Privacy
 * Protection, Gmail's and Yahoo's image proxies fetch every image whether or not the mail is read;
 * security scanners fetch right after delivery. Such opens are recorded with `machine: true` and do
 * not count for goals, send-time optimisation or inactivity pruning.
 *
 * Apple's proxy is recognised only by its bare user agent (`Mozilla/5.0`, nothing after it); its IP
 * ranges are not checked here (that needs a list we would have to keep current, offline).
 */

export const MACHINE_USER_AGENTS: readonly RegExp[] = [
  /^Mozilla\/5\.0$/, // Apple Mail Privacy Protection
  /GoogleImageProxy/i, // Gmail (via ggpht.com)
  /YahooMailProxy/i,
  /^Mozilla\/5\.0 \(Windows NT 5\.1; rv:11\.0\) Gecko Firefox\/11\.0 \(via ggpht\.com GoogleImageProxy\)$/,
  /Outlook-iOS|ms-office|Microsoft Office.*Outlook.*ProofPoint/i,
  /Barracuda|Mimecast|Proofpoint|Symantec|Trend ?Micro|Forcepoint|cloudmark/i,
  /bot|crawler|spider|preview|scanner|python-requests|curl\/|wget/i,
];

/** Opens sooner than this after delivery are taken as a scanner's prefetch. */
export const MACHINE_OPEN_WINDOW_MS = 2_000;

export function isMachineOpen(userAgent: string | undefined, sentAt: number | null, now: number): boolean {
  const ua = (userAgent ?? '').trim();
  if (ua === '') return true;
  if (MACHINE_USER_AGENTS.some((re) => re.test(ua))) return true;
  return sentAt !== null && now - sentAt >= 0 && now - sentAt < MACHINE_OPEN_WINDOW_MS;
}
