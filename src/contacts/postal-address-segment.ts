/**
 * @module Segment's `address` trait (identify spec: `{ street, city, state, postalCode, country }`)
 * read as a PostalAddress. `street` may hold several lines separated by line breaks; the addressee is
 * `address.name`, else the `name` trait, else `firstName lastName`; a country may be written as its
 * ISO code or its English name ("Saudi Arabia", "USA", "UK", "KSA", "UAE"), as Segment sources send
 * both. Issues name Segment's own fields (`address.postalCode`, `address.state`).
 */
import type { FieldIssue } from '../core/errors.js';
import type { PostalAddress } from './postal-address.js';
import { readPostalAddress } from './postal-address-validate.js';

export type TraitsAddress = { kind: 'none' } | { kind: 'ok'; address: PostalAddress } | { kind: 'invalid'; issues: FieldIssue[] };

const SEGMENT_FIELD: Record<string, string> = { lines: 'street', region: 'state', postcode: 'postalCode' };
const ALIASES: Record<string, string> = { usa: 'US', 'united states of america': 'US', uk: 'GB', 'great britain': 'GB', england: 'GB', ksa: 'SA', uae: 'AE', turkey: 'TR', persia: 'IR' };

let byName: Map<string, string> | undefined;
/** An English country name or common alias as its ISO code; the input as it was otherwise. */
export function countryCode(input: string): string {
  const key = input.trim().toLowerCase();
  if (/^[a-z]{2}$/.test(key)) return key.toUpperCase();
  if (!byName) {
    byName = new Map();
    const names = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
    for (let a = 65; a <= 90; a++)
      for (let b = 65; b <= 90; b++) {
        const code = String.fromCharCode(a, b);
        const name = names.of(code);
        if (name && name !== code) byName.set(name.toLowerCase(), code);
      }
  }
  return ALIASES[key] ?? byName.get(key) ?? input;
}

const str = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

/** The postal address an identify call's traits carry, checked; `none` when they carry no `address` object. */
export function traitsAddress(traits: Readonly<Record<string, unknown>>): TraitsAddress {
  const a = traits.address;
  if (a === undefined || a === null) return { kind: 'none' };
  if (typeof a !== 'object' || Array.isArray(a)) return { kind: 'invalid', issues: [{ path: 'address', message: 'must be an object: { street, city, state, postalCode, country }' }] };
  const o = a as Record<string, unknown>;
  const fullName = [str(traits.firstName), str(traits.lastName)].filter(Boolean).join(' ');
  const name = str(o.name) ?? str(traits.name) ?? (fullName || undefined);
  const street = typeof o.street === 'string' ? o.street.split(/\r?\n/).filter((l) => l.trim() !== '') : o.street;
  const input = {
    name,
    lines: street,
    city: o.city,
    region: o.state,
    postcode: typeof o.postalCode === 'number' ? String(o.postalCode) : o.postalCode,
    country: typeof o.country === 'string' ? countryCode(o.country) : o.country,
  };
  const r = readPostalAddress(input, '');
  if (r.ok) return { kind: 'ok', address: r.address };
  return {
    kind: 'invalid',
    issues: r.issues.map((i) => {
      const [field, ...rest] = i.path.split('.');
      const message = field === 'name' ? 'is required: give address.name, or the name (or firstName and lastName) trait' : i.message;
      return { path: ['address', SEGMENT_FIELD[field!] ?? field, ...rest].join('.'), message };
    }),
  };
}
