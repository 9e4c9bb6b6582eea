/**
 * @module The provider kinds of the channels other than email, in one typed map (like the email
 * providers' registry): for each channel, each kind names the zod schemas of its `settings` (what
 * the API shows) and of its `secrets` (sealed at rest, shown only as `<name>Set` flags). The store
 * (./providers.ts) validates every write against them; the routes (./routes.ts) serve the channels
 * listed here.
 *
 * A channel registers its kinds by adding them to `providerKinds` (the SMS channel: twilio, smpp,
 * http, outbox; direct mail: print_dir, print_sftp, lob; WhatsApp: whatsapp_cloud). Tests pass a map of their own.
 */
import type { ZodType } from 'zod';
import { mailProviderKinds } from '../mail/provider-kinds.js';
import { smsProviderKinds } from '../sms/provider-kinds.js';
import { whatsappProviderKinds } from '../whatsapp/provider-kinds.js';
import { telegramProviderKinds } from '../telegram/provider-kinds.js';

export interface ProviderKind {
  settings: ZodType;
  /** An object schema of string fields (tokens, passwords); optional fields may be removed with null. */
  secrets: ZodType;
}

export type ProviderKinds = Readonly<Record<string, Readonly<Record<string, ProviderKind>>>>;

/** The kinds the running app serves, by channel. */
export const providerKinds: ProviderKinds = { sms: smsProviderKinds, mail: mailProviderKinds, whatsapp: whatsappProviderKinds, telegram: telegramProviderKinds };

/** Field names a secrets schema declares (its object shape), for the `<name>Set: false` flags of unset ones. */
export function declaredSecretNames(kind: ProviderKind): string[] {
  const shape = (kind.secrets as { shape?: unknown }).shape;
  return shape && typeof shape === 'object' ? Object.keys(shape) : [];
}
