import { describe, expect, it } from 'vitest';
import { createTransport, retryAfterMs } from './transport.js';

describe('the SMS HTTP transport', () => {
  it('answers a failure, never throws, when Node refuses to build the request', async () => {
    const transport = createTransport({ allowPrivateOutbound: true });
    const res = await transport.request(new URL('http://127.0.0.1:1/'), 'POST', { 'x-key': 'ā' }, '');
    expect(res).toMatchObject({ kind: 'invalid', reason: expect.stringContaining('request refused') });
    transport.close();
  });

  it('refuses private IP literals before connecting, unless allowed', async () => {
    const guarded = createTransport({});
    expect(await guarded.request(new URL('http://[::1]:1/'), 'GET', {}, null)).toMatchObject({ kind: 'private' });
    guarded.close();
    const allowed = createTransport({ allowPrivateOutbound: true });
    expect(await allowed.request(new URL('http://[::1]:1/'), 'GET', {}, null)).toMatchObject({ kind: 'network' });
    allowed.close();
  });

  it('reads Retry-After as seconds or as an HTTP date against the given time', () => {
    expect(retryAfterMs('120', 0)).toBe(120_000);
    expect(retryAfterMs('Mon, 05 Jan 2026 12:00:10 GMT', Date.UTC(2026, 0, 5, 12, 0, 0))).toBe(10_000);
    expect(retryAfterMs('Mon, 05 Jan 2026 11:00:00 GMT', Date.UTC(2026, 0, 5, 12, 0, 0))).toBe(0);
    expect(retryAfterMs('soon', 0)).toBeUndefined();
    expect(retryAfterMs(undefined, 0)).toBeUndefined();
  });
});
