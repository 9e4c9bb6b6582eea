import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyRequest } from 'fastify';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../test/harness.js';
import { csrfMatches, readCookie, type SessionPrincipal } from './sessions.js';

describe('readCookie', () => {
  it('decodes the named cookie, and treats one that is not valid percent-encoding as absent', () => {
    expect(readCookie('a=1; qatra_session=ab%2Bc; b=2', 'qatra_session')).toBe('ab+c');
    expect(readCookie('qatra_session=%E0%A4%A', 'qatra_session')).toBeNull();
    expect(readCookie('qatra_session=%', 'qatra_session')).toBeNull();
    expect(readCookie('qatra_session=%ED%A0%80', 'qatra_session')).toBeNull();
    expect(readCookie('qatra_session=', 'qatra_session')).toBeNull();
    expect(readCookie(undefined, 'qatra_session')).toBeNull();
  });
});

describe.each(backends())('a session cookie that is not valid percent-encoding on %s', (kind) => {
  let h: Harness;
  let t: Tenant;
  beforeAll(async () => {
    h = await createHarness(kind);
    t = await h.tenant();
  });
  afterAll(async () => h?.close());

  it('is no session: 401 on admin and session routes (it was a 500 on every one), and an API key still works', async () => {
    const cookie = 'qatra_session=%E0%A4%A';
    for (const [method, url] of [
      ['GET', '/api/contacts'],
      ['GET', '/api/auth/session'],
      ['POST', '/api/auth/logout'],
      ['POST', '/api/lists'],
    ] as const) {
      const res = await h.app.inject({ method, url, headers: { cookie }, ...(method === 'POST' ? { payload: {} } : {}) });
      expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(401);
    }
    const withKey = await h.app.inject({ method: 'GET', url: '/api/contacts', headers: { cookie, ...t.admin } });
    expect(withKey.statusCode).toBe(200);
  });
});

const session: SessionPrincipal = { kind: 'session', userId: 'u', workspaceId: 'w', role: 'owner', csrfToken: 'tok_0123456789abcdef', tokenHash: 'h' };
const withHeader = (value: string | string[] | undefined) => ({ headers: value === undefined ? {} : { 'x-csrf-token': value } }) as unknown as FastifyRequest;

describe('the CSRF check (constant-time: SHA-256 of both sides through timingSafeEqual)', () => {
  it("accepts exactly the session's token, and no prefix, extension, empty, missing or repeated header", () => {
    expect(csrfMatches(session, withHeader('tok_0123456789abcdef'))).toBe(true);
    for (const wrong of ['tok_0123456789abcde', 'tok_0123456789abcdefX', 'TOK_0123456789ABCDEF', '', ' tok_0123456789abcdef', undefined, ['tok_0123456789abcdef', 'tok_0123456789abcdef']]) {
      expect(csrfMatches(session, withHeader(wrong)), JSON.stringify(wrong)).toBe(false);
    }
    expect(csrfMatches({ ...session, csrfToken: '' }, withHeader(''))).toBe(false);
  });
});
