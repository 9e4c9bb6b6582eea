/**
 * @module Process-wide email defaults for the single-box case: `QATRA_SMTP_URL`
 * (`smtp://user:pass@host:587`, `smtps://…` for implicit TLS) and `QATRA_EMAIL_FROM`
 * (`Name <addr@example.com>` or a bare address). They apply to every workspace that has not stored
 * its own settings; without QATRA_SMTP_URL mail goes to the outbox. Parsed once, from the env object
 * the caller passes in.
 */
import { ValidationError } from '../../core/errors.js';
import type { ResolvedEmailSettings } from './settings.js';

/** The `version` of the process-wide defaults (stored settings have `ws:<updated_at>`). */
export const ENV_VERSION = 'env';

export function parseEmailEnv(env: NodeJS.ProcessEnv): ResolvedEmailSettings {
  const from = parseMailbox(env.QATRA_EMAIL_FROM || 'Qatra <qatra@localhost.localdomain>');
  const tracking = { opens: true, clicks: true, transactional: false };
  const url = env.QATRA_SMTP_URL;
  if (!url) return Object.freeze({ settings: { provider: 'outbox' as const, from, tracking }, secrets: {}, version: ENV_VERSION });
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw ValidationError.at('QATRA_SMTP_URL', 'must be a URL such as smtp://user:pass@host:587');
  }
  if (u.protocol !== 'smtp:' && u.protocol !== 'smtps:') throw ValidationError.at('QATRA_SMTP_URL', 'must start with smtp:// or smtps://');
  const secure = u.protocol === 'smtps:';
  const smtp = {
    host: u.hostname,
    port: u.port ? Number(u.port) : secure ? 465 : 587,
    secure,
    requireTls: u.searchParams.get('requireTls') === 'true',
    maxConnections: Number(u.searchParams.get('maxConnections') ?? 5),
    allowInvalidCertificates: false,
    ...(u.username ? { user: decodeURIComponent(u.username) } : {}),
  };
  const secrets = u.password ? { password: decodeURIComponent(u.password) } : {};
  return Object.freeze({ settings: { provider: 'smtp' as const, from, tracking, smtp }, secrets, version: ENV_VERSION });
}

function parseMailbox(value: string): { address: string; name?: string } {
  const m = /^\s*(?:"?([^"<]*?)"?\s*)?<([^>]+)>\s*$/.exec(value);
  if (m) return m[1] ? { name: m[1], address: m[2]!.trim() } : { address: m[2]!.trim() };
  if (!/^[^@\s]+@[^@\s]+$/.test(value.trim())) throw ValidationError.at('QATRA_EMAIL_FROM', 'must be an address or Name <address>');
  return { address: value.trim() };
}

/** The process-wide defaults from the parsed config (the outbox when the config has none). */
export function emailDefaultsOf(config: { email?: ResolvedEmailSettings }): ResolvedEmailSettings {
  return config.email ?? parseEmailEnv({});
}
