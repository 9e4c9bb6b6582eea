/**
 * @module A workspace's email settings: which provider delivers its mail (smtp, outbox or an ESP) and how
 * (From addresses, SMTP server, DKIM key, tracking switches). Stored per workspace in
 * `email_providers`; secrets (SMTP password, DKIM private key) are kept in a separate column, sealed
 * with the SecretBox (src/secrets/) as `{ "sealed": "v1:…" }`, and are never returned: the API shows
 * `hasPassword` / `hasPrivateKey` instead. A row written before secrets were sealed (plain JSON) is
 * still read; it is sealed by the start-up pass (src/secrets/reseal.ts) and by its next write. When
 * a workspace has no row, the process-wide defaults apply (QATRA_SMTP_URL, see ./env.ts), and
 * without those the outbox.
 */
import { z } from 'zod';
import type { ServiceDeps } from '../../core/deps.js';
import { fromJson, toJson } from '../../core/json.js';
import type { Db } from '../../store/store.js';
import type { SealingDeps, SecretBox } from '../../secrets/secret-box.js';
import type { EmailProviderKind } from './tables.js';
import { mirrorPrimary } from './routing/primary.js';
import { ESP_KINDS } from './providers/esp/kinds.js';
import { espSettingsSchema, publicEspSettings, splitEspSettings, type EspSecrets, type EspSettings, type PublicEspSettings } from './providers/esp/settings.js';

const Mailbox = z.object({ address: z.string().email().max(320), name: z.string().max(200).optional() });
const Domain = z.string().regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/i, 'must be a domain name such as mail.example.com');

export const smtpSettingsSchema = z.object({
  host: z.string().min(1).max(255),
  port: z.number().int().min(1).max(65535).default(587),
  /** true: implicit TLS (port 465); false: plain, upgraded with STARTTLS when offered (or required). */
  secure: z.boolean().default(false),
  requireTls: z.boolean().default(false),
  user: z.string().max(320).optional(),
  /** Write-only. Omit on update to keep the stored password; send null to remove it. */
  password: z.string().max(1000).nullable().optional(),
  maxConnections: z.number().int().min(1).max(100).default(5),
  rateLimitPerSecond: z.number().int().min(1).max(10_000).optional(),
  /**
   * How long a silent server is waited for (to connect, to greet, for each reply) before the send
   * counts as a retryable failure and goes to the next provider. Default: 10 s to connect, 60 s a reply.
   */
  timeoutSeconds: z.number().int().min(1).max(300).optional(),
  /** Accept self-signed certificates (test relays only). */
  allowInvalidCertificates: z.boolean().default(false),
});

export const dkimSettingsSchema = z.object({
  domain: Domain,
  selector: z.string().regex(/^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$/i, 'must be a DKIM selector such as qatra1'),
  /** Write-only PEM. Omit on update to keep the stored key. */
  privateKey: z.string().max(20_000).optional(),
});

export const emailSettingsSchema = z.object({
  provider: z.enum(['smtp', 'outbox', ...ESP_KINDS]),
  from: Mailbox,
  /** Separate From for transactional mail, as Gmail and Yahoo recommend (docs/standards.md §11). */
  transactionalFrom: Mailbox.optional(),
  replyTo: z.string().email().max(320).optional(),
  /** The postal address marketing mail must show (CAN-SPAM, docs/standards.md §14). */
  postalAddress: z.string().max(500).optional(),
  /** VERP: envelope sender `bounces+<messageId>@returnPathDomain`, so bounces name their message. */
  returnPathDomain: Domain.optional(),
  tracking: z
    .object({
      opens: z.boolean().default(true),
      clicks: z.boolean().default(true),
      /** Track transactional mail too (off by default). */
      transactional: z.boolean().default(false),
    })
    .default({ opens: true, clicks: true, transactional: false }),
  /** The topics contacts can choose in the preference center (`/p/TOKEN`); a message node's `topic` names one. */
  topics: z
    .array(z.object({ id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must be a lower-case slug'), name: z.string().min(1).max(200), description: z.string().max(500).optional() }))
    .max(100)
    .default([]),
  smtp: smtpSettingsSchema.optional(),
  dkim: dkimSettingsSchema.optional(),
  /** An ESP HTTP provider's settings (./providers/esp/settings.ts); its credentials are write-only. */
  esp: espSettingsSchema.optional(),
});

export type EmailSettingsInput = z.input<typeof emailSettingsSchema>;
export type EmailSettingsParsed = z.output<typeof emailSettingsSchema>;

export interface EmailSecrets {
  password?: string;
  dkimPrivateKey?: string;
  /** An ESP provider's credentials by field name (./providers/esp/settings.ts). */
  esp?: EspSecrets;
}

/** Settings as stored and used: secrets split out. */
export interface EmailSettings {
  provider: EmailProviderKind;
  from: { address: string; name?: string | undefined };
  transactionalFrom?: { address: string; name?: string | undefined } | undefined;
  replyTo?: string | undefined;
  postalAddress?: string | undefined;
  returnPathDomain?: string | undefined;
  tracking: { opens: boolean; clicks: boolean; transactional: boolean };
  topics?: Array<{ id: string; name: string; description?: string | undefined }> | undefined;
  smtp?: Omit<z.output<typeof smtpSettingsSchema>, 'password'> | undefined;
  dkim?: { domain: string; selector: string } | undefined;
  esp?: EspSettings | undefined;
}

export interface ResolvedEmailSettings {
  settings: EmailSettings;
  secrets: EmailSecrets;
  /** Changes whenever the settings change; providers are cached per workspace and version. */
  version: string;
}

/** What the API shows: the settings with secrets replaced by flags. */
export interface PublicEmailSettings extends Omit<EmailSettings, 'smtp' | 'dkim' | 'esp'> {
  esp?: PublicEspSettings | undefined;
  smtp?: (EmailSettings['smtp'] & { hasPassword: boolean }) | undefined;
  dkim?: { domain: string; selector: string; hasPrivateKey: boolean } | undefined;
  /** `workspace` when stored for this workspace, `default` when the process-wide defaults apply. */
  source: 'workspace' | 'default';
}

export async function loadEmailSettings(db: Db, workspaceId: string, box: SecretBox): Promise<ResolvedEmailSettings | null> {
  const row = await db.selectFrom('email_providers').selectAll().where('workspace_id', '=', workspaceId).executeTakeFirst();
  if (!row) return null;
  return { settings: fromJson<EmailSettings>(row.settings), secrets: openEmailSecrets(box, row.secrets), version: `ws:${row.updated_at}` };
}

/** A workspace's stored settings without its secrets (for readers that need no credentials); null when none. */
export async function storedEmailSettings(db: Db, workspaceId: string): Promise<EmailSettings | null> {
  const row = await db.selectFrom('email_providers').select('settings').where('workspace_id', '=', workspaceId).executeTakeFirst();
  return row ? fromJson<EmailSettings>(row.settings) : null;
}

/** The `secrets` column as stored: `{ sealed }`, written by this version. */
export function sealEmailSecrets(box: SecretBox, secrets: EmailSecrets): string {
  return toJson({ sealed: box.seal(JSON.stringify(secrets)) });
}

/** Reads the `secrets` column: sealed (`{ sealed: 'v1:…' }`), or plain JSON as rows written before sealing hold it. */
export function openEmailSecrets(box: SecretBox, column: unknown): EmailSecrets {
  const value = fromJson<{ sealed?: unknown } | null>(column);
  if (value && typeof value.sealed === 'string') return JSON.parse(box.open(value.sealed)) as EmailSecrets;
  return (value as EmailSecrets | null) ?? {};
}

/** Saves a workspace's settings; omitted secrets keep their stored value (a null password removes it). */
export async function saveEmailSettings(deps: ServiceDeps & SealingDeps, workspaceId: string, input: EmailSettingsParsed): Promise<ResolvedEmailSettings> {
  return deps.store.transaction(async (trx) => {
    const previous = await loadEmailSettings(trx, workspaceId, deps.secretBox);
    const secrets: EmailSecrets = { ...(previous?.secrets ?? {}) };
    const { smtp, dkim, esp, ...rest } = input;
    const settings: EmailSettings = { ...rest };
    if (esp) {
      const split = splitEspSettings(esp, { kind: previous?.settings.esp?.kind, secrets: previous?.secrets.esp });
      settings.esp = split.settings;
      secrets.esp = split.secrets;
    } else delete secrets.esp;
    if (smtp) {
      const { password, ...smtpRest } = smtp;
      settings.smtp = smtpRest;
      if (password === null) delete secrets.password;
      else if (password !== undefined) secrets.password = password;
    } else delete secrets.password;
    if (dkim) {
      settings.dkim = { domain: dkim.domain, selector: dkim.selector };
      if (dkim.privateKey !== undefined) secrets.dkimPrivateKey = dkim.privateKey;
    } else delete secrets.dkimPrivateKey;
    const saved = await writeEmailSettings(trx, deps.secretBox, deps.clock.now(), workspaceId, previous, settings, secrets);
    // A workspace with a provider list (./routing/) sees this provider as its `primary`.
    const primary = { kind: settings.provider, settings: settings.smtp ? { smtp: settings.smtp } : {}, secrets: secrets.password ? { password: secrets.password } : ({} as Record<string, string>) };
    await mirrorPrimary(trx, deps.secretBox, workspaceId, primary, Number(saved.version.slice(3)));
    return saved;
  });
}

/** Stores a workspace's settings row (inside the caller's transaction), after `previous` if there was one; secrets sealed with `box`. */
export async function writeEmailSettings(
  trx: Db,
  box: SecretBox,
  nowMs: number,
  workspaceId: string,
  previous: ResolvedEmailSettings | null,
  settings: EmailSettings,
  secrets: EmailSecrets,
): Promise<ResolvedEmailSettings> {
  // Strictly increasing even within one millisecond, so the provider cache sees every change.
  const now = Math.max(nowMs, previous?.version.startsWith('ws:') ? Number(previous.version.slice(3)) + 1 : 0);
  const sealed = sealEmailSecrets(box, secrets);
  await trx
    .insertInto('email_providers')
    .values({ workspace_id: workspaceId, kind: settings.provider, settings: toJson(settings), secrets: sealed, updated_at: now })
    .onConflict((oc) => oc.column('workspace_id').doUpdateSet({ kind: settings.provider, settings: toJson(settings), secrets: sealed, updated_at: now }))
    .execute();
  return { settings, secrets, version: `ws:${now}` };
}

export function publicSettings(resolved: ResolvedEmailSettings, source: 'workspace' | 'default'): PublicEmailSettings {
  const { smtp, dkim, esp, ...rest } = resolved.settings;
  const out: PublicEmailSettings = { ...rest, source };
  if (esp) out.esp = publicEspSettings(esp, resolved.secrets.esp);
  if (smtp) out.smtp = { ...smtp, hasPassword: Boolean(resolved.secrets.password) };
  if (dkim) out.dkim = { ...dkim, hasPrivateKey: Boolean(resolved.secrets.dkimPrivateKey) };
  return out;
}

/** The domain of an address (`a@b.example` → `b.example`). */
export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}
