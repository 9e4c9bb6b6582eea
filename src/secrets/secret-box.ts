/**
 * @module The SecretBox seals provider credentials (SMTP passwords, DKIM keys, SMS vendor tokens)
 * before they are stored, with AES-256-GCM under the process's secret key (./key.ts).
 *
 * A sealed value is text: `v1:<keyId>:<iv>:<tag>:<ciphertext>`, each part base64url. `keyId` is the
 * first 6 bytes of SHA-256 over the key, so a value sealed under another key is refused with a
 * message naming both key ids instead of failing as garbage; `iv` is 12 random bytes per seal. The
 * version and key id are also the GCM additional data, so they cannot be swapped on a stored value.
 *
 * Rotation: a box built with a `previous` key opens values sealed under either key and seals under
 * the current one; the start-up pass (./reseal.ts) re-seals what the previous key sealed.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { QatraError } from '../core/errors.js';

export interface SecretBox {
  /** Seals `plain` under the current key. */
  seal(plain: string): string;
  /** Opens a sealed value; throws SecretBoxError when it is not one, or sealed under an unknown key, or altered. */
  open(sealed: string): string;
  /** True when `text` has the shape of a sealed value (of any key). */
  isSealed(text: string): boolean;
  /** True when `sealed` was sealed under the current key (nothing to re-seal). */
  isCurrent(sealed: string): boolean;
  /** The current key's id (what `v1:<keyId>:` names). */
  readonly keyId: string;
}

/** What a service that stores or reads provider secrets takes besides its ServiceDeps. */
export interface SealingDeps {
  secretBox: SecretBox;
}

export interface SecretKeys {
  current: Buffer;
  /** The key before a rotation (QATRA_SECRET_KEY_PREVIOUS): still opens, never seals. */
  previous?: Buffer | undefined;
}

/**
 * A sealed value that cannot be opened: a wrong key, a damaged value, or not a sealed value. A
 * server-side fault (HTTP 500 with this message; the CLI and `qatra start` print it and exit 2).
 */
export class SecretBoxError extends QatraError {
  readonly code = 'secret_unreadable';
  override readonly name = 'SecretBoxError';
}

const VERSION = 'v1';
const SEALED = /^v1:[A-Za-z0-9_-]{8}:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]{22}:[A-Za-z0-9_-]*$/;

export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest().subarray(0, 6).toString('base64url');
}

export function createSecretBox(keys: SecretKeys): SecretBox {
  for (const k of [keys.current, keys.previous]) {
    if (k && k.length !== 32) throw new SecretBoxError(`a secret key is 32 bytes, got ${k.length}`);
  }
  const keyId = keyIdOf(keys.current);
  const byId = new Map<string, Buffer>([[keyId, keys.current]]);
  if (keys.previous) byId.set(keyIdOf(keys.previous), keys.previous);

  return {
    keyId,
    seal(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', keys.current, iv);
      cipher.setAAD(Buffer.from(`${VERSION}:${keyId}`));
      const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return [VERSION, keyId, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), data.toString('base64url')].join(':');
    },
    open(sealed) {
      if (!SEALED.test(sealed)) throw new SecretBoxError('not a sealed secret (expected v1:<keyId>:<iv>:<tag>:<data>)');
      const [, id, iv, tag, data] = sealed.split(':') as [string, string, string, string, string];
      const key = byId.get(id);
      if (!key) {
        const known = [...byId.keys()].join(', ');
        throw new SecretBoxError(
          `secret sealed under key ${id}, but this process has key ${known}: set QATRA_SECRET_KEY to the key it was sealed with (or keep that key as QATRA_SECRET_KEY_PREVIOUS while rotating)`,
        );
      }
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
        decipher.setAAD(Buffer.from(`${VERSION}:${id}`));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
      } catch {
        throw new SecretBoxError(`secret sealed under key ${id} fails its integrity check: the stored value was altered or damaged`);
      }
    },
    isSealed: (text) => SEALED.test(text),
    isCurrent: (sealed) => SEALED.test(sealed) && sealed.split(':')[1] === keyId,
  };
}
