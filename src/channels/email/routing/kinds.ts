/**
 * @module What each email provider kind stores in the provider list: the zod schema of its
 * `settings` (shown by the API) and of its `secrets` (sealed, write-only, shown as `<name>Set`
 * flags). A new kind (./../providers/registry.ts) adds its two schemas here.
 */
import { z, type ZodType } from 'zod';
import { smtpSettingsSchema } from '../settings.js';
import type { EmailProviderKind } from '../tables.js';
import { ESP_KINDS, type EspKind } from '../providers/esp/kinds.js';
import { ESP_SECRET_FIELDS, espSettingsSchema } from '../providers/esp/settings.js';

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
  ...espKinds(),
};

/**
 * The ESP kinds (../providers/esp/settings.ts): settings under `esp` without the credentials, which
 * are the secrets (the pool hands them to the provider as `secrets.esp`).
 */
function espKinds(): Record<EspKind, EmailProviderKindSchemas> {
  const out = {} as Record<EspKind, EmailProviderKindSchemas>;
  for (const kind of ESP_KINDS) {
    const schema = espSettingsSchema.options.find((o) => o.shape.kind.value === kind)! as z.ZodObject;
    const fields = ESP_SECRET_FIELDS[kind] as readonly string[];
    const omit = Object.fromEntries(fields.map((f) => [f, true])) as Record<string, true>;
    out[kind] = {
      settings: z.object({ esp: schema.omit(omit) }).strict(),
      secrets: z.object(Object.fromEntries(fields.map((f) => [f, z.string().min(1).max(4000).optional()]))).strict(),
    };
  }
  return out;
}

export function isEmailProviderKind(kind: string): kind is EmailProviderKind {
  return Object.hasOwn(emailProviderKinds, kind);
}
