import { describe, expect, it } from 'vitest';
import { createSecretBox, keyIdOf, SecretBoxError } from './secret-box.js';

const keyA = Buffer.alloc(32, 1);
const keyB = Buffer.alloc(32, 2);

describe('the secret box', () => {
  it('seals to versioned text that opens to the plain value, with a fresh IV each time', () => {
    const box = createSecretBox({ current: keyA });
    const plain = 'hunter2 — پسورد 🔑';
    const a = box.seal(plain);
    const b = box.seal(plain);
    expect(a).toMatch(new RegExp(`^v1:${keyIdOf(keyA)}:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]{22}:[A-Za-z0-9_-]+$`));
    expect(a).not.toBe(b);
    expect(a).not.toContain('hunter2');
    expect(box.open(a)).toBe(plain);
    expect(box.open(b)).toBe(plain);
    expect(box.open(box.seal(''))).toBe('');
  });

  it('a value sealed under another key is a clear error naming both key ids, not garbage', () => {
    const sealed = createSecretBox({ current: keyA }).seal('secret');
    const other = createSecretBox({ current: keyB });
    expect(() => other.open(sealed)).toThrow(SecretBoxError);
    expect(() => other.open(sealed)).toThrow(new RegExp(`sealed under key ${keyIdOf(keyA)}.*this process has key ${keyIdOf(keyB)}.*QATRA_SECRET_KEY`));
  });

  it('an altered value, a swapped key id or something not sealed at all is refused', () => {
    const box = createSecretBox({ current: keyA });
    const sealed = box.seal('secret');
    const parts = sealed.split(':');
    const flipped = parts[4]!.startsWith('A') ? `B${parts[4]!.slice(1)}` : `A${parts[4]!.slice(1)}`;
    expect(() => box.open([...parts.slice(0, 4), flipped].join(':'))).toThrow(/integrity check/);
    expect(() => box.open('{"password":"x"}')).toThrow(/not a sealed secret/);
    expect(() => box.open(`v2:${parts.slice(1).join(':')}`)).toThrow(/not a sealed secret/);
    // The key id is authenticated too: a value relabelled as the previous key's does not open.
    const rotated = createSecretBox({ current: keyA, previous: keyB });
    expect(() => rotated.open([parts[0], keyIdOf(keyB), ...parts.slice(2)].join(':'))).toThrow(/integrity check/);
  });

  it('rotation: with the previous key a box opens old values, seals under the new key and says which are not current', () => {
    const old = createSecretBox({ current: keyA }).seal('secret');
    const rotated = createSecretBox({ current: keyB, previous: keyA });
    expect(rotated.open(old)).toBe('secret');
    expect(rotated.isCurrent(old)).toBe(false);
    const fresh = rotated.seal('secret');
    expect(rotated.isCurrent(fresh)).toBe(true);
    expect(createSecretBox({ current: keyB }).open(fresh)).toBe('secret');
  });

  it('refuses a key that is not 32 bytes', () => {
    expect(() => createSecretBox({ current: Buffer.alloc(16) })).toThrow(/32 bytes/);
  });
});
