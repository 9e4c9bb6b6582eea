/**
 * @module The mail provider kinds a workspace can configure (`/api/channels/mail/providers`, on the
 * channel providers store, ../providers/): their settings and secrets (sealed by the SecretBox).
 *
 *  - `print_dir`: a local directory a print house collects from (./print-drop/dir-target.ts);
 *  - `print_sftp`: the print house's SFTP server, host key pinned by `hostKeyFingerprint`
 *    (`SHA256:…` as `ssh-keygen -lf` prints it), secret `password` and/or `privateKey`;
 *  - `lob`: a Lob-compatible API (./lob/), secret `apiKey`, and `webhookSecret` for its webhooks.
 *
 * Every kind takes `costPerLetter` / `costPerPostcard` (what one piece costs, in the workspace
 * currency: the piece's and its message's cost, for ROI) and `deliveryDays` (expected days from
 * hand-over to delivery, by ISO country, `*` for the rest) when the provider does not say, `cutoff`
 * (when the day's batch closes, HH:MM in the workspace's zone) and `senderCountry`.
 */
import { z, type ZodType } from 'zod';

const country = z.string().regex(/^([A-Z]{2}|\*)$/, 'an ISO 3166-1 alpha-2 country, or *');

const common = {
  costPerLetter: z.number().min(0).max(1000).optional(),
  costPerPostcard: z.number().min(0).max(1000).optional(),
  deliveryDays: z.record(country, z.number().int().min(0).max(90)).optional().describe('Expected days from hand-over to delivery, by country; * for the rest'),
  cutoff: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day HH:MM')
    .optional()
    .describe("When the day's batch closes, in the workspace's time zone (default 17:00)"),
  senderCountry: z
    .string()
    .regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 country')
    .optional()
    .describe('Where pieces are posted (the country line of a piece going abroad); default: the recipient’s'),
};

const text = (max: number) => z.string().trim().min(1).max(max);

export const postalAddressSchema = z
  .object({
    name: text(100),
    lines: z.array(text(100)).min(1).max(3),
    city: text(100),
    region: text(100).optional(),
    postcode: text(20).optional(),
    country: z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 country'),
  })
  .strict();

export const mailProviderKinds: Readonly<Record<string, { settings: ZodType; secrets: ZodType }>> = {
  print_dir: {
    settings: z
      .object({
        ...common,
        directory: z
          .string()
          .max(1000)
          .refine((d) => d.startsWith('/'), 'an absolute path'),
      })
      .strict(),
    secrets: z.object({}).strict(),
  },
  print_sftp: {
    settings: z
      .object({
        ...common,
        host: text(255),
        port: z.number().int().min(1).max(65_535).default(22),
        username: text(100),
        directory: z.string().max(1000).default('.'),
        hostKeyFingerprint: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'the server key fingerprint as ssh-keygen -lf prints it: SHA256: and 43 base64 characters'),
      })
      .strict(),
    secrets: z.object({ password: z.string().min(1).max(500).optional(), privateKey: z.string().min(1).max(20_000).optional() }).strict(),
  },
  lob: {
    settings: z
      .object({
        ...common,
        baseUrl: z
          .url({ protocol: /^https?$/ })
          .max(500)
          .optional()
          .describe('A Lob-compatible API (default https://api.lob.com)'),
        from: postalAddressSchema.describe('The return address'),
        useType: z.enum(['marketing', 'operational']).default('marketing'),
        color: z.boolean().default(true),
      })
      .strict(),
    secrets: z.object({ apiKey: z.string().min(1).max(200), webhookSecret: z.string().min(16).max(200).optional() }).strict(),
  },
};
