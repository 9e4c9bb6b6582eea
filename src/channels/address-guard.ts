/**
 * @module The guard against server-side request forgery for every outbound connection a workspace
 * configures (webhook URLs, the SMTP host, the provider URLs to come): a journey author or workspace
 * admin must not be able to make Qatra connect to its own loopback, the cloud metadata service
 * (169.254.169.254) or the private network it runs in. Every address a host name resolves to is checked (one private
 * answer refuses the whole name, so a DNS answer mixing public and private addresses cannot slip
 * through), IPv4 and IPv6 alike, including IPv4 embedded in IPv6 (mapped `::ffff:a.b.c.d`,
 * compatible `::a.b.c.d`, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`).
 *
 * The check runs inside the socket's `lookup` (guardedLookup), or resolves once and hands back the
 * checked addresses to connect to (resolvePublic), so the address that is checked is the address
 * that is connected to: a name that resolves to a public address once and a private one the next
 * time (DNS rebinding) cannot pass the check and then connect elsewhere.
 */
import dns from 'node:dns';
import net from 'node:net';

/** Thrown through the socket when a target is refused; channels map it to a permanent failure. */
export class PrivateAddressError extends Error {
  readonly code = 'EPRIVATEADDR';
  /** `allowedBy` names what lets this target through, for the message. */
  constructor(
    readonly host: string,
    readonly address: string,
    allowedBy = 'QATRA_ALLOW_PRIVATE_OUTBOUND=1 and the workspace setting allowPrivateWebhookTargets',
  ) {
    super(`target ${host} resolves to ${address}, a private, loopback or link-local address (set ${allowedBy} to allow it)`);
  }
}

/** IPv4 ranges that are not the public internet (RFC 6890 special-purpose registry). */
const V4_BLOCKED: Array<[number, number, number, number, number]> = [
  [0, 0, 0, 0, 8], // "this network"
  [10, 0, 0, 0, 8], // private (RFC 1918)
  [100, 64, 0, 0, 10], // carrier-grade NAT (RFC 6598)
  [127, 0, 0, 0, 8], // loopback
  [169, 254, 0, 0, 16], // link-local, incl. cloud metadata 169.254.169.254
  [172, 16, 0, 0, 12], // private (RFC 1918)
  [192, 0, 0, 0, 24], // IETF protocol assignments
  [192, 0, 2, 0, 24], // documentation
  [192, 88, 99, 0, 24], // 6to4 relay anycast
  [192, 168, 0, 0, 16], // private (RFC 1918)
  [198, 18, 0, 0, 15], // benchmarking
  [198, 51, 100, 0, 24], // documentation
  [203, 0, 113, 0, 24], // documentation
  [224, 0, 0, 0, 4], // multicast
  [240, 0, 0, 0, 4], // reserved, incl. broadcast 255.255.255.255
];

function v4Blocked(b: readonly number[]): boolean {
  const value = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
  return V4_BLOCKED.some(([a, bb, c, d, bits]) => {
    const base = ((a << 24) | (bb << 16) | (c << 8) | d) >>> 0;
    const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
    return (value & mask) >>> 0 === base;
  });
}

/** Parses an IPv6 literal (with an optional dotted IPv4 tail and zone id) into 16 bytes. */
function v6Bytes(address: string): number[] | null {
  let text = address.split('%')[0]!;
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    // Rewrite the dotted tail as two hex groups: ::ffff:1.2.3.4 becomes ::ffff:102:304.
    if (!net.isIPv4(tail)) return null;
    const [a, b, c, d] = tail.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const parse = (s: string) => (s === '' ? [] : s.split(':').map((h) => (/^[0-9a-f]{1,4}$/i.test(h) ? parseInt(h, 16) : NaN)));
  const left = parse(halves[0]!);
  const right = halves.length === 2 ? parse(halves[1]!) : [];
  const fill = halves.length === 2 ? 8 - left.length - right.length : 0;
  if (fill < 0) return null;
  const words = [...left, ...Array<number>(fill).fill(0), ...right];
  if (words.length !== 8 || words.some((w) => Number.isNaN(w))) return null;
  return words.flatMap((w) => [w >> 8, w & 0xff]);
}

function v6Blocked(b: number[]): boolean {
  const zeros = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  if (zeros(0, 16)) return true; // :: unspecified
  if (zeros(0, 15) && b[15] === 1) return true; // ::1 loopback
  if (zeros(0, 10) && b[10] === 0xff && b[11] === 0xff) return v4Blocked(b.slice(12)); // ::ffff:a.b.c.d mapped
  if (zeros(0, 12)) return v4Blocked(b.slice(12)); // ::a.b.c.d compatible (deprecated)
  if (b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zeros(4, 12)) return v4Blocked(b.slice(12)); // NAT64
  if (b[0] === 0x20 && b[1] === 0x02) return v4Blocked(b.slice(2, 6)); // 6to4 carries an IPv4 address
  if (b[0] === 0x20 && b[1] === 0x01 && b[2] === 0x0d && b[3] === 0xb8) return true; // documentation 2001:db8::/32
  if ((b[0]! & 0xfe) === 0xfc) return true; // unique local fc00::/7
  if (b[0] === 0xfe && (b[1]! & 0xc0) === 0x80) return true; // link-local fe80::/10
  if (b[0] === 0xfe && (b[1]! & 0xc0) === 0xc0) return true; // site-local fec0::/10 (deprecated)
  if (b[0] === 0xff) return true; // multicast
  return false;
}

/** True when `address` (an IP literal) is not a public internet address; non-IPs count as blocked. */
export function isPrivateAddress(address: string): boolean {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  if (net.isIPv4(bare)) return v4Blocked(bare.split('.').map(Number));
  if (net.isIPv6(bare)) {
    const bytes = v6Bytes(bare);
    return bytes === null ? true : v6Blocked(bytes);
  }
  return true;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/**
 * A `lookup` for `http.request` that resolves every address of the host and refuses them all when
 * any one is private. Node does not call `lookup` for IP literals: check those with
 * `isPrivateAddress` before connecting (see webhook.ts).
 */
export function guardedLookup(hostname: string, options: dns.LookupOptions, callback: LookupCallback): void {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    const list = addresses as dns.LookupAddress[];
    const bad = list.find((a) => isPrivateAddress(a.address));
    if (bad) return callback(new PrivateAddressError(hostname, bad.address) as unknown as NodeJS.ErrnoException, []);
    if (options.all) return callback(null, list);
    const first = list[0];
    if (!first) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), []);
    return callback(null, first.address, first.family);
  });
}

/** Without an answer in this time a save-time check gives up (and leaves the decision to connect time). */
const CHECK_TIMEOUT_MS = 3000;

/**
 * Every address `host` (a name or an IP literal) resolves to, refused with PrivateAddressError when
 * any one is private. Connect to one of the returned addresses, never to the name again.
 */
export async function resolvePublic(host: string, allowedBy?: string): Promise<dns.LookupAddress[]> {
  const bare = host.replace(/^\[|\]$/g, '');
  const family = net.isIP(bare);
  if (family) {
    if (isPrivateAddress(bare)) throw new PrivateAddressError(host, bare, allowedBy);
    return [{ address: bare, family }];
  }
  const list = await dns.promises.lookup(bare, { all: true });
  const bad = list.find((a) => isPrivateAddress(a.address));
  if (bad) throw new PrivateAddressError(host, bad.address, allowedBy);
  if (list.length === 0) throw Object.assign(new Error(`no address for ${host}`), { code: 'ENOTFOUND' });
  return list;
}

/**
 * The check a settings form runs when a host is saved: null when the host is public (or cannot be
 * resolved now: connect time checks again), the refusal otherwise. Bounded by CHECK_TIMEOUT_MS.
 */
export async function privateTargetOf(host: string, allowedBy?: string): Promise<PrivateAddressError | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), CHECK_TIMEOUT_MS)));
  try {
    return await Promise.race([
      resolvePublic(host, allowedBy).then(
        () => null,
        (err: unknown) => (err instanceof PrivateAddressError ? err : null),
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
