import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrivateAddressError } from './address-guard.js';
import { guardedDispatcher, privateRefusalOf } from './outbound-fetch.js';

describe('the guarded fetch dispatcher', () => {
  let server: http.Server;
  let port = 0;
  let hits = 0;
  beforeAll(async () => {
    server = http.createServer((_req, res) => {
      hits++;
      res.end('reached');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const fetchVia = async (url: string, allowPrivate: boolean) => {
    const dispatcher = guardedDispatcher({ allowPrivate });
    try {
      // As masto does: the dispatcher rides on the Request, and fetch takes the Request.
      const res = await fetch(new Request(url, { dispatcher } as unknown as RequestInit));
      return { ok: true as const, text: await res.text() };
    } catch (err) {
      return { ok: false as const, refused: privateRefusalOf(err) };
    } finally {
      await dispatcher.close();
    }
  };

  it('refuses, when connecting, a name that resolves to 127.0.0.1 and private IP literals; nothing reaches the server', async () => {
    const before = hits;
    for (const url of [`http://localhost:${port}/`, `http://127.0.0.1:${port}/`, `http://[::ffff:127.0.0.1]:${port}/`]) {
      const answer = await fetchVia(url, false);
      expect(answer.ok, url).toBe(false);
      expect(answer.ok ? null : answer.refused, url).toBeInstanceOf(PrivateAddressError);
    }
    expect(hits).toBe(before);
  });

  it('reaches the same server when private addresses are allowed', async () => {
    expect(await fetchVia(`http://localhost:${port}/`, true)).toEqual({ ok: true, text: 'reached' });
  });
});
