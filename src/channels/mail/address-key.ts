/**
 * @module The suppression key of a postal address (src/suppression/): `mail:` and a SHA-256 of the
 * address normalised (Unicode NFKC, case folded, whitespace and punctuation collapsed, the postcode
 * without spaces), so "12 Main St." and "12  MAIN ST" at the same postcode are one entry and the
 * suppression list never holds an address in the clear. The addressee's name is not part of it:
 * returned mail means the address is undeliverable, whoever it was for.
 */
import { createHash } from 'node:crypto';
import type { PostalAddress } from '../../contacts/postal-address.js';

const norm = (s: string | undefined) =>
  (s ?? '')
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s.,;:'"`’\-_/\\#]+/gu, ' ')
    .trim();

export function mailAddressKey(address: Pick<PostalAddress, 'lines' | 'city' | 'region' | 'postcode' | 'country'>): string {
  const parts = [norm(address.country), norm(address.postcode).replace(/\s+/g, ''), norm(address.region), norm(address.city), ...address.lines.map(norm).filter(Boolean)];
  return `mail:${createHash('sha256').update(parts.join('\n')).digest('hex')}`;
}
