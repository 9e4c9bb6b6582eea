/**
 * @module A postal address as printed on the envelope, by the destination country's convention
 * (./postal-address-rules.ts): name, street lines, then the locality line(s) with the postcode before
 * or after the city, capitals where the post asks for them, and, when the piece crosses a border, the
 * country's name in capitals on the last line, in the sender's language (UPU Convention: the
 * sorting office of the sending country reads that line; the destination reads the rest).
 */
import type { PostalAddress } from './postal-address.js';
import { ruleOf } from './postal-address-rules.js';

export interface FormatOptions {
  /** ISO 3166-1 alpha-2 of the country the piece is posted in. */
  senderCountry: string;
  /** BCP 47 language of the sender, for the country line (`en`, `ar`, `fa`, `de`). Default `en`. */
  senderLanguage?: string;
}

function fill(layout: string, parts: Record<string, string | undefined>): string {
  return layout
    .replace(/\{(\w+)\}/g, (_, k: string) => parts[k] ?? '')
    .replace(/\s*\/\s*$/, '')
    .replace(/^\s*\/\s*/, '')
    .replace(/ {3,}/g, '  ')
    .replace(/^ (?! )| $/g, '')
    .trim();
}

/** The country's name in `language`, as the country line prints it (upper case where the script has case). */
export function countryLine(country: string, language = 'en'): string {
  let name: string | undefined;
  try {
    name = new Intl.DisplayNames([language, 'en'], { type: 'region', fallback: 'none' }).of(country);
  } catch {
    name = undefined;
  }
  return (name ?? country).toLocaleUpperCase(language);
}

/** The printed lines of `address`, first to last. */
export function formatPostalAddress(address: PostalAddress, options: FormatOptions): string[] {
  const rule = ruleOf(address.country);
  const up = (part: 'name' | 'lines' | 'city' | 'region', value: string | undefined) => (value !== undefined && rule.upper.includes(part) ? value.toLocaleUpperCase(rule.upperLocale ?? 'en') : value);
  const parts = { city: up('city', address.city), region: up('region', address.region), postcode: address.postcode };
  const out = [up('name', address.name)!, ...address.lines.map((l) => up('lines', l)!)];
  for (const layout of rule.locality) {
    const line = fill(layout, parts);
    if (line) out.push(line);
  }
  if (address.country !== options.senderCountry.toUpperCase()) out.push(countryLine(address.country, options.senderLanguage));
  return out.filter((l) => l.trim() !== '');
}
