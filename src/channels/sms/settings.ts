/**
 * @module A workspace's SMS settings, one row of `sms_settings` (JSON validated by
 * `smsSettingsSchema`). A workspace without a row has the defaults. `smsDefaultCountry` is what the
 * contact-side paths (API, identify, import, forms) read national phone numbers with.
 */
import { z } from 'zod';
import { isSupportedCountry } from 'libphonenumber-js/max';
import type { Clock } from '../../core/clock.js';
import { NotFoundError } from '../../core/errors.js';
import { fromJson, toJson } from '../../core/json.js';
import { parseOrThrow } from '../../core/parse.js';
import type { Db } from '../../store/store.js';
import { countryRulesOverridesSchema } from './country-rules.js';

const TimeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day HH:MM');
const country = z
  .string()
  .regex(/^[A-Z]{2}$/, 'an ISO 3166 alpha-2 country code in capitals, such as SA')
  .refine((c) => isSupportedCountry(c), 'a country with a telephone numbering plan');
/** An alphanumeric sender id (1–11 characters, a letter among them), or a number or short code. */
const senderId = z.string().regex(/^(\+?\d{3,15}|(?=[^A-Za-z]*[A-Za-z])[A-Za-z0-9][A-Za-z0-9 .&_-]{0,10})$/, 'an alphanumeric sender id of at most 11 characters, or a number');
const keywordList = z.array(z.string().trim().min(1).max(30)).max(20).default([]);

export const smsSettingsSchema = z
  .object({
    defaultCountry: country.optional().describe('How national phone numbers (no + and country code) are read'),
    senderIds: z
      .record(z.union([z.literal('default'), z.string().regex(/^[A-Z]{2}$/, 'default or a country code such as SA')]), senderId)
      .default({})
      .describe('Sender per destination country, and `default` for the rest'),
    helpText: z.string().trim().min(1).max(300).default('Reply STOP to opt out, START to opt back in.').describe('The answer to HELP'),
    keywords: z.object({ stop: keywordList, start: keywordList, help: keywordList }).strict().default({ stop: [], start: [], help: [] }).describe('Extra words, beside the standard ones'),
    quietHours: z
      .object({ start: TimeOfDay, end: TimeOfDay })
      .strict()
      .refine((q) => q.start !== q.end, { message: 'start must differ from end', path: ['end'] })
      .default({ start: '21:00', end: '08:00' })
      .describe("No marketing SMS in these hours of the recipient's zone"),
    maxSegments: z.number().int().min(1).max(10).default(6).describe('A longer message is refused, not sent'),
    replaceTypographic: z.boolean().default(false).describe('Curly quotes, dashes and the like become GSM-7 characters when that keeps a message GSM-7'),
    countryRules: countryRulesOverridesSchema.default({}).describe('Overrides of the country rules, field by field'),
  })
  .strict();

export type SmsSettings = z.output<typeof smsSettingsSchema>;
export type SmsSettingsInput = z.input<typeof smsSettingsSchema>;

export const DEFAULT_SMS_SETTINGS: SmsSettings = Object.freeze(smsSettingsSchema.parse({}));

/** The workspace's SMS settings; the defaults when it has none (or, defensively, when the stored ones no longer parse). */
export async function getSmsSettings(db: Db, workspaceId: string): Promise<SmsSettings> {
  const row = await db.selectFrom('sms_settings').select('settings').where('workspace_id', '=', workspaceId).executeTakeFirst();
  if (!row) return DEFAULT_SMS_SETTINGS;
  const parsed = smsSettingsSchema.safeParse(fromJson(row.settings));
  return parsed.success ? parsed.data : DEFAULT_SMS_SETTINGS;
}

/** Replaces the workspace's SMS settings; a ValidationError names each bad field. */
export async function putSmsSettings(db: Db, workspaceId: string, input: unknown, clock: Clock): Promise<SmsSettings> {
  const value = parseOrThrow(smsSettingsSchema, input);
  const workspace = await db.selectFrom('workspaces').select('id').where('id', '=', workspaceId).executeTakeFirst();
  if (!workspace) throw new NotFoundError('workspace', workspaceId);
  const now = clock.now();
  await db
    .insertInto('sms_settings')
    .values({ workspace_id: workspaceId, settings: toJson(value), updated_at: now })
    .onConflict((oc) => oc.column('workspace_id').doUpdateSet({ settings: toJson(value), updated_at: now }))
    .execute();
  return value;
}

/** The country national phone numbers of this workspace are read in, if it set one. */
export async function smsDefaultCountry(db: Db, workspaceId: string): Promise<string | undefined> {
  return (await getSmsSettings(db, workspaceId)).defaultCountry;
}
