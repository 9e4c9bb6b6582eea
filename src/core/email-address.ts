/**
 * @module One email address, parsed: exactly one RFC 5321 mailbox (`local@domain`), nothing else.
 * Every path that stores an address (ingestion, the API, imports, forms) and the email channel that
 * sends to one go through `parseEmailAddress`, so a value such as `a@x.com, b@y.net` (a list),
 * `Name <a@x.com>` (a display name), `a@x.com (c)` (a comment) or `a@x.com\r\nBcc: b@y.net` (a header
 * injection) can never be stored as a contact's email nor reach a To header or an SMTP envelope.
 *
 * Accepted: a dot-atom local part of printable ASCII (RFC 5322 atext; no quoted strings, which real
 * mailboxes do not use and which are the usual vehicle for smuggling `,` `<` `@`), at most 64 octets;
 * a domain name of at least two labels (IDN allowed: stored as punycode via node:url domainToASCII),
 * at most 253 octets; the whole at most 254 octets (RFC 5321 4.5.3.1 and its erratum). Refused: IP
 * literals (`a@[127.0.0.1]`), dotless domains (`a@localhost`), all-numeric top-level labels
 * (`a@1.2.3.4`), control characters anywhere. Spaces around the address are ignored.
 *
 * `key` is the form Qatra stores and compares: the local part and the domain lower-cased. Mailbox
 * providers treat local parts case-insensitively in practice and the project has always compared
 * addresses that way (one contact per address per workspace, one suppression per address).
 */
import { domainToASCII } from 'node:url';

declare const parsedBrand: unique symbol;

export interface EmailAddress {
  /** The local part as written (case kept). */
  readonly local: string;
  /** The domain in ASCII (punycode for IDN), lower-cased. */
  readonly domain: string;
  /** `local@domain`: the local part as written, the ASCII domain. */
  readonly address: string;
  /** Lower-cased `address`: what Qatra stores and compares (contacts.email, suppressions.address). */
  readonly key: string;
  /** Only parseEmailAddress makes these: a raw string cannot be passed where an EmailAddress is needed. */
  readonly [parsedBrand]: true;
}

export type EmailAddressResult = { ok: true; value: EmailAddress } | { ok: false; reason: string };

export const MAX_LOCAL_OCTETS = 64;
export const MAX_DOMAIN_OCTETS = 253;
export const MAX_ADDRESS_OCTETS = 254;

/** An RFC 5322 dot-atom: runs of atext joined by single dots. ('.' is not atext: no backtracking.) */
const DOT_ATOM = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
/** Two or more LDH labels (RFC 1035 / 5890): letters and digits, hyphens inside, at most 63 each. */
const HOST_NAME = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const ASCII = /^[\x00-\x7f]*$/;
/** C0 and C1 controls, DEL, and the Unicode line and paragraph separators. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

const fail = (reason: string): EmailAddressResult => ({ ok: false, reason });

/** Parses one address; never throws. The reasons are written for the person who typed the value. */
export function parseEmailAddress(input: string): EmailAddressResult {
  if (typeof input !== 'string') return fail('must be a string');
  // Bounded before any other work: hostile input may be long.
  if (input.length > 1000) return fail(`must be at most ${MAX_ADDRESS_OCTETS} characters`);
  if (CONTROL.test(input)) return fail('must not contain line breaks or control characters');
  const text = input.replace(/^[ \t]+|[ \t]+$/g, '');
  if (text === '') return fail('must not be empty');
  if (/[,;]/.test(text)) return fail('must be one address, not a list');
  if (/[<>"()\s\\[\]]/.test(text)) return fail('must be a bare address like name@example.com (no display name, quotes, comments or spaces)');
  const at = text.indexOf('@');
  if (at < 0 || text.indexOf('@', at + 1) >= 0) return fail('must contain exactly one @, like name@example.com');
  const local = text.slice(0, at);
  const rawDomain = text.slice(at + 1);
  if (local === '') return fail('needs a local part before the @');
  if (local.length > MAX_LOCAL_OCTETS) return fail(`the part before the @ must be at most ${MAX_LOCAL_OCTETS} characters`);
  if (!DOT_ATOM.test(local)) return fail('the part before the @ has a character or a dot that is not allowed');
  if (rawDomain === '') return fail('needs a domain after the @');
  // Only name characters: domainToASCII would otherwise percent-decode `%41` or cut at `/`.
  if (/[^A-Za-z0-9.\-\u0080-\uffff]/.test(rawDomain)) return fail('the domain is not a valid domain name');
  // domainToASCII lower-cases, maps IDN to punycode and returns '' for what is not a domain name. It
  // costs ~30 µs a call (ICU), 10× the rest of this function: an ASCII domain, nearly all of them,
  // only needs lower-casing, and the LDH check below refuses what domainToASCII would.
  // A punycode label (xn--) goes through domainToASCII too, which refuses an invalid one.
  const lower = rawDomain.toLowerCase();
  const domain = ASCII.test(lower) && !lower.includes('xn--') ? lower : domainToASCII(rawDomain);
  if (domain === '') return fail('the domain is not a valid domain name');
  if (domain.length > MAX_DOMAIN_OCTETS) return fail(`the domain must be at most ${MAX_DOMAIN_OCTETS} characters`);
  if (!domain.includes('.')) return fail('the domain must have a dot, like example.com');
  if (!HOST_NAME.test(domain)) return fail('the domain is not a valid domain name');
  if (/\.[0-9]+$/.test(domain)) return fail('the domain must be a name, not an IP address');
  const address = `${local}@${domain}`;
  if (address.length > MAX_ADDRESS_OCTETS) return fail(`must be at most ${MAX_ADDRESS_OCTETS} characters`);
  return { ok: true, value: { local, domain, address, key: address.toLowerCase() } as EmailAddress };
}

/**
 * The comparison key of a value that may not be a valid address (a legacy row, a search filter, a
 * phone number in the suppression list): the parsed key when it parses, else the value trimmed and
 * lower-cased, as keys were made before addresses were parsed.
 */
export function emailKey(value: string): string {
  const parsed = parseEmailAddress(value);
  return parsed.ok ? parsed.value.key : value.trim().toLowerCase();
}
