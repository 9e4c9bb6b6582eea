/**
 * @module One phone number, parsed: E.164 (`+966501234567`) or a reason why not. Every path that
 * stores a contact's phone (identify traits, the contacts API, CSV import, forms) goes through
 * `normalizePhone`, so only valid E.164 numbers are stored and the SMS channel never guesses.
 *
 * Metadata: libphonenumber-js `max` (about 145 KB, loaded once). The default `min` metadata only
 * checks lengths, so it accepts numbers no operator issued, and it has no number-type patterns:
 * `getType()` answers undefined for most countries, so it cannot tell a mobile from a landline, which
 * `isMobileCapable` needs. The `mobile` metadata knows mobile patterns but not fixed-line ones.
 *
 * Input: digits in ASCII, Arabic-Indic (`٠`–`٩`) or Persian (`۰`–`۹`); spaces, `+ ( ) - . /` and
 * bidirectional marks (which right-to-left editors insert around numbers) are ignored. A national
 * number needs the default country (the workspace's SMS `defaultCountry`); without one, a leading
 * `00` is read as the international prefix. Refused: letters (vanity numbers), extensions (an SMS
 * cannot reach one), anything over 40 characters, numbers the metadata says are invalid.
 */
import { isSupportedCountry, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

export type PhoneResult = { ok: true; e164: string; country: string | undefined } | { ok: false; reason: string };

export const MAX_PHONE_INPUT = 40;
/** The reason of a national number read without a default country (callers may retry with one). */
export const NEEDS_COUNTRY = 'needs the international format (+ and country code): no default country is set';

const BIDI_MARKS = /[\u200E\u200F\u061C\u202A-\u202E\u2066-\u2069]/g;
const ALLOWED = /^[0-9+()\-./ \u00A0\u2007\u202F]*$/;

/** `٠`–`٩` and `۰`–`۹` become `0`–`9`; other characters are kept. */
export function asciiDigits(input: string): string {
  return input.replace(/[\u0660-\u0669\u06F0-\u06F9]/g, (d) => String((d.charCodeAt(0) - 0x0660) % 0x90));
}

const parsedCache = new Map<string, PhoneResult>();
/** Entries kept; the cache is emptied when full, so a stream of distinct numbers cannot grow it. */
const CACHE_SIZE = 10_000;

/**
 * Parses a phone number to E.164; `defaultCountry` (ISO 3166 alpha-2) reads national numbers.
 * Parsing costs about 60 µs (libphonenumber-js; a loop of 100,000 calls under `npx tsx` on the
 * shared 2-core machine), and an incoming number is read twice (the schema refuses what
 * is wrong in any country, the service reads it in the default country), so results are cached.
 */
export function normalizePhone(input: string, defaultCountry?: string): PhoneResult {
  if (typeof input !== 'string') return { ok: false, reason: 'must be a string' };
  if (input.length > MAX_PHONE_INPUT) return { ok: false, reason: `must be at most ${MAX_PHONE_INPUT} characters` };
  const key = `${defaultCountry ?? ''}|${input}`;
  const cached = parsedCache.get(key);
  if (cached) return cached;
  const result = Object.freeze(parse(input, defaultCountry));
  if (parsedCache.size >= CACHE_SIZE) parsedCache.clear();
  parsedCache.set(key, result);
  return result;
}

function parse(input: string, defaultCountry: string | undefined): PhoneResult {
  const cleaned = asciiDigits(input.replace(BIDI_MARKS, ''))
    .replace(/[\u00A0\u2007\u202F]/g, ' ')
    .trim();
  if (cleaned === '') return { ok: false, reason: 'is empty' };
  if (!ALLOWED.test(cleaned)) return { ok: false, reason: 'may only hold digits, spaces and + ( ) - . /' };
  let country: CountryCode | undefined;
  if (defaultCountry !== undefined) {
    const upper = defaultCountry.toUpperCase();
    if (!isSupportedCountry(upper)) return { ok: false, reason: `unknown default country ${JSON.stringify(defaultCountry)}` };
    country = upper;
  }
  const text = country === undefined && cleaned.startsWith('00') ? `+${cleaned.slice(2)}` : cleaned;
  if (country === undefined && !text.startsWith('+')) return { ok: false, reason: NEEDS_COUNTRY };
  const parsed = parsePhoneNumberFromString(text, country);
  if (!parsed || !parsed.isValid()) return { ok: false, reason: 'is not a valid phone number' };
  return { ok: true, e164: parsed.number, country: parsed.country };
}

/**
 * One IANA zone per country that has exactly one UTC offset on its numbering plan. Countries that
 * span zones (US, CA, RU, BR, AU, MX, ID, KZ, ES with the Canaries, PT with the Azores, CL, EC, NZ
 * with the Chatham Islands, …) are absent: area codes are not read, so their numbers give no zone.
 */
const COUNTRY_ZONES: Readonly<Record<string, string>> = Object.freeze({
  // Gulf, Middle East, North Africa
  SA: 'Asia/Riyadh',
  AE: 'Asia/Dubai',
  KW: 'Asia/Kuwait',
  QA: 'Asia/Qatar',
  BH: 'Asia/Bahrain',
  OM: 'Asia/Muscat',
  YE: 'Asia/Aden',
  IQ: 'Asia/Baghdad',
  IR: 'Asia/Tehran',
  JO: 'Asia/Amman',
  LB: 'Asia/Beirut',
  SY: 'Asia/Damascus',
  IL: 'Asia/Jerusalem',
  TR: 'Europe/Istanbul',
  EG: 'Africa/Cairo',
  LY: 'Africa/Tripoli',
  TN: 'Africa/Tunis',
  DZ: 'Africa/Algiers',
  MA: 'Africa/Casablanca',
  SD: 'Africa/Khartoum',
  // Europe
  GB: 'Europe/London',
  IE: 'Europe/Dublin',
  DE: 'Europe/Berlin',
  FR: 'Europe/Paris',
  IT: 'Europe/Rome',
  NL: 'Europe/Amsterdam',
  BE: 'Europe/Brussels',
  LU: 'Europe/Luxembourg',
  CH: 'Europe/Zurich',
  AT: 'Europe/Vienna',
  DK: 'Europe/Copenhagen',
  SE: 'Europe/Stockholm',
  NO: 'Europe/Oslo',
  FI: 'Europe/Helsinki',
  PL: 'Europe/Warsaw',
  CZ: 'Europe/Prague',
  SK: 'Europe/Bratislava',
  HU: 'Europe/Budapest',
  RO: 'Europe/Bucharest',
  BG: 'Europe/Sofia',
  GR: 'Europe/Athens',
  HR: 'Europe/Zagreb',
  RS: 'Europe/Belgrade',
  // Asia, Caucasus
  AZ: 'Asia/Baku',
  GE: 'Asia/Tbilisi',
  AM: 'Asia/Yerevan',
  AF: 'Asia/Kabul',
  PK: 'Asia/Karachi',
  IN: 'Asia/Kolkata',
  BD: 'Asia/Dhaka',
  CN: 'Asia/Shanghai',
  HK: 'Asia/Hong_Kong',
  JP: 'Asia/Tokyo',
  KR: 'Asia/Seoul',
  SG: 'Asia/Singapore',
  MY: 'Asia/Kuala_Lumpur',
  TH: 'Asia/Bangkok',
  VN: 'Asia/Ho_Chi_Minh',
  PH: 'Asia/Manila',
  // Africa, Americas
  NG: 'Africa/Lagos',
  GH: 'Africa/Accra',
  KE: 'Africa/Nairobi',
  ET: 'Africa/Addis_Ababa',
  ZA: 'Africa/Johannesburg',
  AR: 'America/Argentina/Buenos_Aires',
  CO: 'America/Bogota',
  PE: 'America/Lima',
  VE: 'America/Caracas',
});

/** The countries `phoneTimeZone` knows a zone for. */
export function countriesWithOneZone(): string[] {
  return Object.keys(COUNTRY_ZONES);
}

/** The one zone of a country (ISO alpha-2), or undefined when it spans zones or is not in the table. */
export function countryTimeZone(country: string): string | undefined {
  return Object.hasOwn(COUNTRY_ZONES, country) ? COUNTRY_ZONES[country] : undefined;
}

/** The time zone a number's country implies, for a contact without one; undefined when it spans zones or is unknown. */
export function phoneTimeZone(e164: string): string | undefined {
  const parsed = parsePhoneNumberFromString(e164);
  const country = parsed?.isValid() ? parsed.country : undefined;
  return country === undefined ? undefined : countryTimeZone(country);
}

/**
 * False when the metadata says the number is a landline (type FIXED_LINE) or the number is invalid;
 * true for mobile, "fixed line or mobile" (US, CA, where the plan does not tell them apart), VoIP
 * and types the metadata leaves undecided: only a sure landline is refused before sending.
 */
export function isMobileCapable(e164: string): boolean {
  const parsed = parsePhoneNumberFromString(e164);
  if (!parsed || !parsed.isValid()) return false;
  return parsed.getType() !== 'FIXED_LINE';
}
