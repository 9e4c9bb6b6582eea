/**
 * @module Reading a postal address from input (contacts API, identify traits, CSV import) and checking
 * a stored one before a send. Input is normalised (trimmed, country upper case, postcode in ASCII
 * digits and upper case: an Arabic keyboard types ١٢٣٤٥, the post's machines read 12345) and
 * checked against the country's rule (./postal-address-rules.ts); every problem names its field
 * path (`address.postcode`), all of them at once.
 */
import type { FieldIssue } from '../core/errors.js';
import type { PostalAddress } from './postal-address.js';
import { isKnownCountry, ruleOf } from './postal-address-rules.js';

export const ADDRESS_LIMITS = { part: 100, lines: 3, postcode: 20 } as const;

/** Arabic-Indic (U+0660…) and Extended Arabic-Indic / Persian (U+06F0…) digits as ASCII. */
export function asciiDigits(s: string): string {
  return s.replace(/[\u0660-\u0669\u06f0-\u06f9]/g, (d) => String((d.charCodeAt(0) & 0xf) % 10));
}

// C0/C1 controls, bidi overrides and isolates: a printed address is plain text on one line per part.
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;

export type AddressResult = { ok: true; address: PostalAddress } | { ok: false; issues: FieldIssue[] };

function text(value: unknown, path: string, issues: FieldIssue[], required: boolean): string | undefined {
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) {
    if (required) issues.push({ path, message: 'is required' });
    return undefined;
  }
  if (typeof value !== 'string') {
    issues.push({ path, message: 'must be a string' });
    return undefined;
  }
  const trimmed = value.trim().replace(/ {2,}/g, ' ');
  if (trimmed.length > ADDRESS_LIMITS.part) issues.push({ path, message: `must be at most ${ADDRESS_LIMITS.part} characters` });
  else if (FORBIDDEN.test(trimmed)) issues.push({ path, message: 'must not contain line breaks or control characters (put each street line in its own entry of lines)' });
  return trimmed;
}

/**
 * The address `input` describes, normalised, or every issue with it under `prefix`
 * (`address`, `traits.address`, `row.address`). Accepts the stored shape ({ name, lines, city,
 * region, postcode, country }).
 */
export function readPostalAddress(input: unknown, prefix = 'address'): AddressResult {
  const issues: FieldIssue[] = [];
  const at = (field: string) => (prefix ? `${prefix}.${field}` : field);
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return { ok: false, issues: [{ path: prefix, message: 'must be an object with name, lines, city, postcode and country' }] };
  const o = input as Record<string, unknown>;
  const known = new Set(['name', 'lines', 'city', 'region', 'postcode', 'country']);
  for (const key of Object.keys(o)) if (!known.has(key)) issues.push({ path: at(key), message: 'is not a part of a postal address (name, lines, city, region, postcode, country)' });

  const name = text(o.name, at('name'), issues, true);
  const lines: string[] = [];
  if (!Array.isArray(o.lines) || o.lines.length === 0) issues.push({ path: at('lines'), message: `must be 1 to ${ADDRESS_LIMITS.lines} street lines` });
  else if (o.lines.length > ADDRESS_LIMITS.lines) issues.push({ path: at('lines'), message: `must be at most ${ADDRESS_LIMITS.lines} street lines` });
  else
    o.lines.forEach((line, i) => {
      const t = text(line, at(`lines.${i}`), issues, i === 0);
      if (t !== undefined) lines.push(t);
    });
  const city = text(o.city, at('city'), issues, true);
  const regionRaw = text(o.region, at('region'), issues, false);
  const postcodeRaw = text(o.postcode, at('postcode'), issues, false);
  const countryRaw = text(o.country, at('country'), issues, true);

  const country = countryRaw?.toUpperCase();
  let region = regionRaw;
  let postcode = postcodeRaw === undefined ? undefined : asciiDigits(postcodeRaw).toUpperCase();
  if (country !== undefined) {
    if (!isKnownCountry(country)) issues.push({ path: at('country'), message: 'must be an ISO 3166-1 alpha-2 country code such as SA, IR or DE' });
    else {
      const rule = ruleOf(country);
      if (postcode === undefined) {
        if (rule.postcodeRequired) issues.push({ path: at('postcode'), message: `is required in ${country}` });
      } else if (!rule.postcode) {
        issues.push({ path: at('postcode'), message: `${country} has no postcodes; leave it out` });
      } else if (postcode.length > ADDRESS_LIMITS.postcode || !rule.postcode.test(postcode)) {
        issues.push({ path: at('postcode'), message: `is not a postcode of ${country} (${rule.postcodeExample})` });
      } else if (rule.printPostcode) postcode = rule.printPostcode(postcode);
      if (region === undefined) {
        if (rule.regionRequired) issues.push({ path: at('region'), message: `is required in ${country}${rule.regions ? ' (its two-letter code)' : ''}` });
      } else if (rule.regions) {
        region = region.toUpperCase();
        if (!rule.regions.has(region)) issues.push({ path: at('region'), message: `is not a ${country} region code (such as ${[...rule.regions].slice(0, 3).join(', ')})` });
      }
    }
  }
  if (issues.length > 0) return { ok: false, issues };
  const address: PostalAddress = { name: name!, lines, city: city!, country: country! };
  if (region !== undefined) address.region = region;
  if (postcode !== undefined) address.postcode = postcode;
  return { ok: true, address };
}

export type Sendable = { ok: true; address: PostalAddress } | { ok: false; reason: string };

/**
 * Whether a stored address can be printed and posted now; the send path skips the piece with
 * `reason` otherwise. Stored addresses are checked again because the rules may have tightened since
 * they were saved, and a row may have been written by hand.
 */
export function checkSendable(address: unknown): Sendable {
  if (address === null || address === undefined) return { ok: false, reason: 'the contact has no postal address' };
  const r = readPostalAddress(address, '');
  if (r.ok) return r;
  const first = r.issues[0]!;
  return { ok: false, reason: `the postal address is incomplete or invalid: ${first.path ? `${first.path} ${first.message}` : first.message}` };
}
