/**
 * @module The settings of the ESP HTTP providers (SES, Postmark, SendGrid, Mailgun), kept under
 * `esp` in a workspace's email settings (../../settings.ts), one shape per kind. Credentials are
 * write-only like the SMTP password: they are split out into the sealed secrets (`secrets.esp`), an
 * omitted one keeps its stored value, `null` removes it, and the API shows `hasX` flags instead.
 * What a webhook checks (SNS topics, Postmark's basic-auth user and IP allow-list, SendGrid's public
 * key) is here too; the verifying secrets (Postmark's password, Mailgun's signing key) are sealed.
 */
import { createPublicKey } from 'node:crypto';
import net from 'node:net';
import { z } from 'zod';
import type { EspKind } from './kinds.js';

/** A write-only credential: omit to keep the stored one, null to remove it. */
const secret = () => z.string().min(1).max(4000).nullable().optional();
const baseUrl = z
  .url({ protocol: /^https?$/ })
  .max(500)
  .optional()
  .describe("The API's base URL (tests, proxies, regions); default the ESP's public endpoint");

const sesSchema = z.strictObject({
  kind: z.literal('ses'),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, 'must be an AWS region such as eu-west-1'),
  baseUrl,
  accessKeyId: z.string().regex(/^[A-Z0-9]{16,128}$/, 'must be an AWS access key id'),
  secretAccessKey: secret(),
  configurationSet: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/)
    .optional(),
  /** SNS topics whose notifications are accepted; empty: any topic in the settings' region. */
  topicArns: z
    .array(z.string().regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/, 'must be an SNS topic ARN'))
    .max(20)
    .default([]),
});

const postmarkSchema = z.strictObject({
  kind: z.literal('postmark'),
  baseUrl,
  serverToken: secret(),
  messageStream: z
    .string()
    .regex(/^[a-z0-9-]{1,100}$/)
    .default('outbound'),
  /** The basic-auth user name put in the webhook URL given to Postmark. */
  webhookUser: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,100}$/)
    .optional(),
  webhookPassword: secret(),
  /** When not empty, webhook requests must come from one of these addresses. */
  webhookIps: z
    .array(z.string().refine((ip) => net.isIP(ip) !== 0, 'must be an IP address'))
    .max(50)
    .default([]),
});

const sendgridSchema = z.strictObject({
  kind: z.literal('sendgrid'),
  baseUrl,
  apiKey: secret(),
  /** The Signed Event Webhook's verification key as SendGrid shows it (base64 DER, or PEM). */
  webhookPublicKey: z
    .string()
    .max(2000)
    .refine((k) => sendgridPublicKey(k) !== null, 'must be an ECDSA P-256 public key (base64 DER or PEM)')
    .optional(),
});

const mailgunSchema = z.strictObject({
  kind: z.literal('mailgun'),
  /** `eu`: https://api.eu.mailgun.net (domains created in the EU region). */
  region: z.enum(['us', 'eu']).default('us'),
  baseUrl,
  domain: z.string().regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/i, 'must be the Mailgun sending domain'),
  apiKey: secret(),
  webhookSigningKey: secret(),
});

export const espSettingsSchema = z.discriminatedUnion('kind', [sesSchema, postmarkSchema, sendgridSchema, mailgunSchema]);
export type EspSettingsInput = z.output<typeof espSettingsSchema>;

/** Which fields of each kind are credentials (sealed, never returned). */
export const ESP_SECRET_FIELDS = {
  ses: ['secretAccessKey'],
  postmark: ['serverToken', 'webhookPassword'],
  sendgrid: ['apiKey'],
  mailgun: ['apiKey', 'webhookSigningKey'],
} as const satisfies Record<EspKind, readonly string[]>;

type SecretField<K extends EspKind> = (typeof ESP_SECRET_FIELDS)[K][number];
type Stored<T> = T extends { kind: infer K extends EspKind } ? Omit<T, SecretField<K>> : never;

/** The settings as stored (credentials split out). */
export type EspSettings = Stored<EspSettingsInput>;
export type EspSecrets = Record<string, string>;

/** Splits the credentials out; an omitted one keeps `previous`'s value (same kind only), null removes it. */
export function splitEspSettings(input: EspSettingsInput, previous: { kind?: string | undefined; secrets?: EspSecrets | undefined }): { settings: EspSettings; secrets: EspSecrets } {
  const fields: readonly string[] = ESP_SECRET_FIELDS[input.kind];
  const secrets: EspSecrets = previous.kind === input.kind ? { ...(previous.secrets ?? {}) } : {};
  const settings: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (!fields.includes(key)) settings[key] = value;
    else if (value === null) delete secrets[key];
    else if (typeof value === 'string') secrets[key] = value;
  }
  return { settings: settings as EspSettings, secrets };
}

/** What the API shows: the settings and a `hasX` flag per credential. */
export function publicEspSettings(settings: EspSettings, secrets: EspSecrets | undefined): PublicEspSettings {
  const out: PublicEspSettings = { ...(settings as PublicEspSettings) };
  for (const field of ESP_SECRET_FIELDS[settings.kind]) out[`has${field[0]!.toUpperCase()}${field.slice(1)}`] = Boolean(secrets?.[field]);
  return out;
}

export const espPublicSchema = z.object({ kind: z.enum(['ses', 'postmark', 'sendgrid', 'mailgun']) }).catchall(z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]));
export type PublicEspSettings = z.output<typeof espPublicSchema>;

/** A settings issue for the email settings schema: an ESP provider needs `esp` of its kind. */
export function espSettingsIssue(v: { provider: string; esp?: { kind: string } | undefined }): { path: string[]; message: string } | null {
  const needs = ['ses', 'postmark', 'sendgrid', 'mailgun'].includes(v.provider);
  if (needs && !v.esp) return { path: ['esp'], message: `required when provider is ${v.provider}` };
  if (needs && v.esp && v.esp.kind !== v.provider) return { path: ['esp', 'kind'], message: `must be ${v.provider}, the provider` };
  return null;
}

/** SendGrid's verification key as a KeyObject, or null when it is not an EC P-256 public key. */
export function sendgridPublicKey(text: string) {
  try {
    const trimmed = text.trim();
    const key = trimmed.startsWith('-----BEGIN') ? createPublicKey(trimmed) : createPublicKey({ key: Buffer.from(trimmed.replace(/\s+/g, ''), 'base64'), format: 'der', type: 'spki' });
    return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1' ? key : null;
  } catch {
    return null;
  }
}
