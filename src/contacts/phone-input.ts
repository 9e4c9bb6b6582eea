/**
 * @module A phone number coming in for a contact (API, identify traits, CSV import, forms), read
 * with the workspace's SMS default country and stored as E.164 (src/core/phone.ts). The default
 * country is only looked up when a number is not international, and then once per reader.
 */
import { NEEDS_COUNTRY, normalizePhone, type PhoneResult } from '../core/phone.js';
import { smsDefaultCountry } from '../channels/sms/settings.js';
import type { Db } from '../store/store.js';
import { ValidationError, type FieldIssue } from '../core/errors.js';

export type PhoneReader = (input: string) => Promise<PhoneResult>;

/** A reader of one workspace's phone numbers: international ones as they are, national ones with its default country. */
export function phoneReader(db: Db, workspaceId: string): PhoneReader {
  let country: Promise<string | undefined> | undefined;
  return async (input) => {
    const international = normalizePhone(input);
    if (international.ok || international.reason !== NEEDS_COUNTRY) return international;
    country ??= smsDefaultCountry(db, workspaceId);
    const defaultCountry = await country;
    return defaultCountry === undefined ? international : normalizePhone(input, defaultCountry);
  };
}

/** The E.164 form of `input`, or a ValidationError at `path` saying why not. */
export async function readPhoneOrThrow(read: PhoneReader, input: string, path: string): Promise<string> {
  const r = await read(input);
  if (!r.ok) throw ValidationError.at(path, `${r.reason}`);
  return r.e164;
}

/** The phone an identify call's traits carry (a non-blank string, or a number), as written; null for none. */
export function traitsPhone(traits: Readonly<Record<string, unknown>> | null): string | null {
  const phone = traits?.phone;
  if (typeof phone === 'number' && Number.isFinite(phone)) return String(phone);
  return typeof phone === 'string' && phone.trim() !== '' ? phone : null;
}

/**
 * Why an identify call's `traits.phone` can never be stored, whatever the workspace's default
 * country (schema-level, src/events/segment.ts), or null. A national number passes here and is read
 * with the default country by `readTraitsPhones`.
 */
export function traitsPhoneIssue(traits: Readonly<Record<string, unknown>>): string | null {
  const phone = traitsPhone(traits);
  if (phone === null) return null;
  const r = normalizePhone(phone);
  return r.ok || r.reason === NEEDS_COUNTRY ? null : r.reason;
}

/**
 * Reads the `traits.phone` of identify calls into E.164, in place on `call.traits` (the stored event
 * keeps what was sent: its properties are another object). All issues at once, each at
 * `pathOf(index).phone`; nothing is changed when there is one.
 */
export async function readTraitsPhones(read: PhoneReader, calls: readonly { traits: Record<string, unknown> | null }[], pathOf: (index: number) => string): Promise<void> {
  const issues: FieldIssue[] = [];
  const found: Array<[number, string]> = [];
  for (let i = 0; i < calls.length; i++) {
    const phone = traitsPhone(calls[i]!.traits);
    if (phone === null) continue;
    const r = await read(phone);
    if (r.ok) found.push([i, r.e164]);
    else issues.push({ path: `${pathOf(i)}.phone`, message: r.reason });
  }
  if (issues.length > 0) throw new ValidationError(issues);
  for (const [i, e164] of found) calls[i]!.traits = { ...calls[i]!.traits, phone: e164 };
}
