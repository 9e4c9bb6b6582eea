import { describe, expect, it } from 'vitest';
import type { FastifyRequest } from 'fastify';
import { csrfMatches, type SessionPrincipal } from './sessions.js';

const session: SessionPrincipal = { kind: 'session', userId: 'u', workspaceId: 'w', role: 'owner', csrfToken: 'tok_0123456789abcdef', tokenHash: 'h' };
const withHeader = (value: string | string[] | undefined) => ({ headers: value === undefined ? {} : { 'x-csrf-token': value } }) as unknown as FastifyRequest;

describe('the CSRF check (constant-time: SHA-256 of both sides through timingSafeEqual)', () => {
  it('accepts exactly the session\'s token, and no prefix, extension, empty, missing or repeated header', () => {
    expect(csrfMatches(session, withHeader('tok_0123456789abcdef'))).toBe(true);
    for (const wrong of ['tok_0123456789abcde', 'tok_0123456789abcdefX', 'TOK_0123456789ABCDEF', '', ' tok_0123456789abcdef', undefined, ['tok_0123456789abcdef', 'tok_0123456789abcdef']]) {
      expect(csrfMatches(session, withHeader(wrong)), JSON.stringify(wrong)).toBe(false);
    }
    expect(csrfMatches({ ...session, csrfToken: '' }, withHeader(''))).toBe(false);
  });
});
