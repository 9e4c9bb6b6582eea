/**
 * @module Country rules of promotional SMS, as data (docs/standards.md SMS 15a): how a promotional
 * sender id is marked, the local-time window promotional sends must fall in, the opt-out a message
 * must carry, whether generic URL shorteners are allowed. `DEFAULT_COUNTRY_RULES` holds what the
 * regulators and aggregators publish; a workspace overrides any field per country in its SMS
 * settings (`countryRules`), e.g. when its aggregator names a different window. Where published
 * figures differ we took the narrower one: these are defaults to check with the aggregator.
 *
 * Transactional (service) messages are exempt from windows and sender marking everywhere: only
 * `kind: 'promotional'` is marked or windowed.
 */
import { z } from 'zod';
import { isValidTimeZone } from '../../core/time-zone.js';
import { fromLocal, localParts, parseTimeOfDay } from '../../core/local-time.js';

export type SmsKind = 'promotional' | 'transactional';

const TimeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day HH:MM');
const Zone = z.string().refine(isValidTimeZone, 'an IANA time zone such as Asia/Riyadh');

export const senderIdMarkSchema = z
  .object({
    prefix: z.string().max(8).default(''),
    suffix: z.string().max(8).default(''),
    /** Alphanumeric sender ids are at most 11 characters, mark included. */
    maxLength: z.number().int().min(3).max(11).default(11),
  })
  .strict();

export const sendingWindowSchema = z
  .object({
    start: TimeOfDay,
    end: TimeOfDay,
    /** The zone the regulator counts in; absent: the recipient's own zone. */
    timeZone: Zone.optional(),
  })
  .strict()
  .refine((w) => w.start !== w.end, { message: 'start must differ from end', path: ['end'] });

export const optOutRuleSchema = z
  .object({
    /** Promotional messages must carry opt-out instructions. */
    required: z.boolean(),
    /** Opt-out text per language (`en`, `ar`, `fa`); replaces the standard text for that language. */
    text: z.record(z.string().regex(/^[a-z]{2}$/, 'a two-letter language code'), z.string().trim().min(1).max(120)).default({}),
    /** Extra reply keywords that opt out in this country (recognised in inbound messages and in templates). */
    keywords: z.array(z.string().trim().min(1).max(20)).max(10).default([]),
  })
  .strict();

/** A workspace's override of one country's rules: each given field replaces the default; null removes it. */
export const countryRuleOverrideSchema = z
  .object({
    promotionalSenderId: senderIdMarkSchema.nullable().optional(),
    promotionalWindow: sendingWindowSchema.nullable().optional(),
    optOut: optOutRuleSchema.optional(),
    genericShortLinks: z.boolean().optional(),
  })
  .strict();

export const countryRulesOverridesSchema = z.record(z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166 alpha-2 country code in capitals'), countryRuleOverrideSchema);

export type SenderIdMark = z.infer<typeof senderIdMarkSchema>;
export type SendingWindow = z.infer<typeof sendingWindowSchema>;
export type OptOutRule = z.infer<typeof optOutRuleSchema>;
export type CountryRuleOverride = z.infer<typeof countryRuleOverrideSchema>;
export type CountryRulesOverrides = z.infer<typeof countryRulesOverridesSchema>;

export interface CountryRule {
  promotionalSenderId: SenderIdMark | null;
  promotionalWindow: SendingWindow | null;
  optOut: OptOutRule;
  /** False: links must use the brand's own domain (operators refuse bit.ly and the like). */
  genericShortLinks: boolean;
}

const NO_RULES: CountryRule = Object.freeze({ promotionalSenderId: null, promotionalWindow: null, optOut: Object.freeze({ required: false, text: {}, keywords: [] }), genericShortLinks: true });

/** Defaults to check with the aggregator (see the module comment and docs/sms.md). */
export const DEFAULT_COUNTRY_RULES: Readonly<Record<string, CountryRule>> = Object.freeze({
  // CITC/CST: promotional ids end in -AD; published windows are 07:00 or 08:00 to 21:00 or 22:00 Riyadh time: we take 08:00–21:00.
  SA: {
    promotionalSenderId: { prefix: '', suffix: '-AD', maxLength: 11 },
    promotionalWindow: { start: '08:00', end: '21:00', timeZone: 'Asia/Riyadh' },
    optOut: { required: true, text: {}, keywords: [] },
    genericShortLinks: false,
  },
  // TDRA: promotional ids start with AD-; about 07:00–21:00 Dubai time; operators' opt-out short code 7726.
  AE: {
    promotionalSenderId: { prefix: 'AD-', suffix: '', maxLength: 11 },
    promotionalWindow: { start: '07:00', end: '21:00', timeZone: 'Asia/Dubai' },
    optOut: { required: true, text: { en: 'To opt out send STOP to 7726', ar: 'لإلغاء الاشتراك أرسل STOP إلى 7726' }, keywords: [] },
    genericShortLinks: true,
  },
  // Iran: advertising goes out on a licensed line (no marking to add); the common practice is the reply keyword «لغو۱۱» (send 11).
  IR: {
    promotionalSenderId: null,
    promotionalWindow: null,
    optOut: { required: true, text: { fa: 'لغو۱۱', en: 'لغو۱۱', ar: 'لغو۱۱' }, keywords: ['11', '۱۱', 'لغو۱۱', 'لغو11', 'لغو'] },
    genericShortLinks: true,
  },
  // US: TCPA quiet hours, no marketing before 08:00 or after 21:00 in the recipient's zone (some states stricter).
  US: {
    promotionalSenderId: null,
    promotionalWindow: { start: '08:00', end: '21:00' },
    optOut: { required: true, text: {}, keywords: [] },
    genericShortLinks: true,
  },
});

/** The rules of `country` (ISO alpha-2): the default, with the workspace's override field by field. */
export function rulesFor(country: string | undefined, overrides: CountryRulesOverrides = {}): CountryRule {
  const key = (country ?? '').toUpperCase();
  const base = Object.hasOwn(DEFAULT_COUNTRY_RULES, key) ? DEFAULT_COUNTRY_RULES[key]! : NO_RULES;
  const own = Object.hasOwn(overrides, key) ? overrides[key]! : {};
  return {
    promotionalSenderId: own.promotionalSenderId !== undefined ? own.promotionalSenderId : base.promotionalSenderId,
    promotionalWindow: own.promotionalWindow !== undefined ? own.promotionalWindow : base.promotionalWindow,
    optOut: own.optOut ?? base.optOut,
    genericShortLinks: own.genericShortLinks ?? base.genericShortLinks,
  };
}

export type SenderIdResult = { ok: true; senderId: string } | { ok: false; reason: string };

/**
 * The sender id to send with: a promotional message to a country that marks them gets its mark
 * (`Brand` → `Brand-AD` in Saudi Arabia, `AD-Brand` in the UAE) unless it already carries it (any
 * case). Numbers and short codes (digits, optional `+`) are never marked. A marked id longer than the
 * country allows is refused, not cut: sender ids are registered exactly with the aggregator.
 */
export function markSenderId(senderId: string, country: string | undefined, kind: SmsKind, overrides: CountryRulesOverrides = {}): SenderIdResult {
  const mark = rulesFor(country, overrides).promotionalSenderId;
  if (kind !== 'promotional' || !mark || /^\+?\d+$/.test(senderId)) return { ok: true, senderId };
  const upper = senderId.toUpperCase();
  let marked = senderId;
  if (mark.prefix && !upper.startsWith(mark.prefix.toUpperCase())) marked = mark.prefix + marked;
  if (mark.suffix && !upper.endsWith(mark.suffix.toUpperCase())) marked = marked + mark.suffix;
  if (marked.length > mark.maxLength) {
    return { ok: false, reason: `promotional sender id ${JSON.stringify(marked)} is ${marked.length} characters; ${country} allows ${mark.maxLength} with the mark` };
  }
  return { ok: true, senderId: marked };
}

export type WindowAnswer = { allowed: true } | { allowed: false; nextAllowedAt: number; timeZone: string };

/** Minutes since local midnight of `HH:MM`. */
function minutesOf(at: string): number {
  const { hour, minute } = parseTimeOfDay(at);
  return hour * 60 + minute;
}

/**
 * Whether a promotional SMS to `country` may leave at `now` (epoch ms). The window is counted in the
 * rule's zone when it names one (Riyadh for Saudi Arabia, wherever the recipient is), else in `tz`,
 * the recipient's zone. Start inclusive, end exclusive; a window whose end is before its start spans
 * midnight. Outside it, `nextAllowedAt` is the next local start. Transactional messages are always allowed.
 */
export function inSendingWindow(country: string | undefined, now: number, tz: string, options: { kind?: SmsKind; overrides?: CountryRulesOverrides } = {}): WindowAnswer {
  if ((options.kind ?? 'promotional') === 'transactional') return { allowed: true };
  const window = rulesFor(country, options.overrides).promotionalWindow;
  if (!window) return { allowed: true };
  const zone = window.timeZone ?? (isValidTimeZone(tz) ? tz : 'UTC');
  const p = localParts(now, zone);
  const minute = p.hour * 60 + p.minute;
  const start = minutesOf(window.start);
  const end = minutesOf(window.end);
  const inside = start < end ? minute >= start && minute < end : minute >= start || minute < end;
  if (inside) return { allowed: true };
  const { hour, minute: m } = parseTimeOfDay(window.start);
  const today = fromLocal(p.year, p.month, p.day, hour, m, zone);
  return { allowed: false, nextAllowedAt: today > now ? today : fromLocal(p.year, p.month, p.day + 1, hour, m, zone), timeZone: zone };
}
