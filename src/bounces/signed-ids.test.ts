import { describe, expect, it } from 'vitest';
import { messageIdSignatureValid, signedMessageId, verpAddress, verpSignatureValid } from './signed-ids.js';

const ID = 'msg_01ke70ehg0hvqpr0knvg4937jj';

describe('signed VERP addresses and Message-IDs', () => {
  it('a VERP local part fits in 64 octets and verifies only under its own secret and message id, in any letter case', () => {
    const verp = verpAddress('secret-a', ID, 'bounces.example.com');
    const [, local, sig] = /^(bounces\+msg_[0-9a-z]{26}\.([0-9a-f]{20}))@bounces\.example\.com$/.exec(verp)!;
    expect(local!.length).toBeLessThanOrEqual(64);
    expect(verpSignatureValid('secret-a', ID, sig!)).toBe(true);
    expect(verpSignatureValid('secret-a', ID.toUpperCase(), sig!.toUpperCase())).toBe(true);
    expect(verpSignatureValid('secret-b', ID, sig!)).toBe(false);
    expect(verpSignatureValid('secret-a', 'msg_01ke70ehg0hvqpr0knvg4937jk', sig!)).toBe(false);
    expect(verpSignatureValid('secret-a', ID, sig!.slice(0, 19))).toBe(false);
    expect(verpSignatureValid('secret-a', ID, '')).toBe(false);
  });

  it('a Message-ID is the same for every attempt of a delivery, verifies with or without brackets, and its signature is no VERP signature', () => {
    const mid = signedMessageId('secret-a', 'ws_1', 'run_1:welcome:1', 'news.example.com');
    expect(mid).toBe(signedMessageId('secret-a', 'ws_1', 'run_1:welcome:1', 'news.example.com'));
    expect(mid).not.toBe(signedMessageId('secret-a', 'ws_1', 'run_1:welcome:2', 'news.example.com'));
    const [, hash, sig] = /^<([0-9a-f]{32})\.([0-9a-f]{20})@news\.example\.com>$/.exec(mid)!;
    expect(messageIdSignatureValid('secret-a', mid)).toBe(true);
    expect(messageIdSignatureValid('secret-a', mid.slice(1, -1))).toBe(true);
    expect(messageIdSignatureValid('secret-b', mid)).toBe(false);
    expect(messageIdSignatureValid('secret-a', `<${hash}.qatra@news.example.com>`)).toBe(false);
    expect(messageIdSignatureValid('secret-a', `<${hash}.${'0'.repeat(20)}@news.example.com>`)).toBe(false);
    expect(messageIdSignatureValid('secret-a', 'garbage')).toBe(false);
    // Purposes are separate: the Message-ID signature of `hash` does not sign a VERP id `hash`.
    expect(verpSignatureValid('secret-a', hash!, sig!)).toBe(false);
  });
});
