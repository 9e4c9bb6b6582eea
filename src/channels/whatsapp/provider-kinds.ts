/**
 * @module The WhatsApp provider kind a workspace configures (`/api/channels/whatsapp/providers`,
 * registered in ../providers/kinds.ts): `whatsapp_cloud`, Meta's Cloud API (./cloud-api.ts).
 *  - settings (shown): `phoneNumberId` (the business number's id, which the messages endpoint
 *    names), `wabaId` (its WhatsApp Business Account), `apiRoot` (default graph.facebook.com; a
 *    test or proxy), `apiVersion`, `messagingTier` (1k | 10k | 100k | unlimited, default 1k: the
 *    distinct customers a day it may start conversations with, ./tier.ts);
 *  - secrets (sealed, never returned): `accessToken` (a system user token), `appSecret` (signs the
 *    webhooks, `X-Hub-Signature-256`), `verifyToken` (what Meta echoes in the webhook GET handshake).
 */
import { z, type ZodType } from 'zod';
import { MESSAGING_TIERS } from './tier.js';

export const WHATSAPP_CLOUD = 'whatsapp_cloud';

const graphId = (what: string) => z.string().regex(/^[0-9]{1,32}$/, `the ${what}: digits, as Meta shows it`);

export const whatsappCloudSettings = z
  .object({
    phoneNumberId: graphId('phone number id'),
    wabaId: graphId('WhatsApp Business Account id'),
    apiRoot: z
      .url({ protocol: /^https?$/ })
      .max(500)
      .optional()
      .describe('The Graph API root (default https://graph.facebook.com)'),
    apiVersion: z
      .string()
      .regex(/^v[0-9]{1,3}\.[0-9]{1,2}$/, 'a Graph API version such as v21.0')
      .optional(),
    messagingTier: z
      .enum(Object.keys(MESSAGING_TIERS) as [keyof typeof MESSAGING_TIERS, ...(keyof typeof MESSAGING_TIERS)[]])
      .default('1k')
      .describe('Distinct customers a day the number may start conversations with'),
  })
  .strict();

export const whatsappProviderKinds: Readonly<Record<string, { settings: ZodType; secrets: ZodType }>> = {
  [WHATSAPP_CLOUD]: {
    settings: whatsappCloudSettings,
    secrets: z
      .object({
        accessToken: z.string().min(1).max(4000),
        appSecret: z.string().min(1).max(200),
        verifyToken: z.string().min(1).max(200).optional(),
      })
      .strict(),
  },
};
