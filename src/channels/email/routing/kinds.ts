/**
 * @module What each email provider kind stores in the provider list: the zod schema of its
 * `settings` (shown by the API) and of its `secrets` (sealed, write-only, shown as `<name>Set`
 * flags). A new kind (./../providers/registry.ts) adds its two schemas here.
 */
import { z, type ZodType } from 'zod';
import { smtpSettingsSchema } from '../settings.js';
import type { EmailProviderKind } from '../tables.js';

export interface EmailProviderKindSchemas {
  settings: ZodType;
  /** An object of optional string fields. */
  secrets: z.ZodObject;
}

export const emailProviderKinds: Record<EmailProviderKind, EmailProviderKindSchemas> = {
  smtp: {
    settings: z.object({ smtp: smtpSettingsSchema.omit({ password: true }) }).strict(),
    secrets: z.object({ password: z.string().max(1000).optional() }).strict(),
  },
  outbox: { settings: z.object({}).strict(), secrets: z.object({}).strict() },
};

export function isEmailProviderKind(kind: string): kind is EmailProviderKind {
  return Object.hasOwn(emailProviderKinds, kind);
}
