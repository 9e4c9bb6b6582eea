import { describe, expect, it } from 'vitest';
import { fetchImage } from './image-fetch.js';

describe("a print template's images fetched by Qatra", () => {
  it('refuses loopback, by IP literal and by a name that resolves to it', async () => {
    await expect(fetchImage('http://127.0.0.1:9/logo.png')).rejects.toThrow(/private, loopback or link-local/);
    await expect(fetchImage('http://localhost:9/logo.png')).rejects.toThrow(/localhost resolves to/);
  });

  it('resolves a name before judging it (a name is not refused for being a name)', async () => {
    await expect(fetchImage('http://qatra-no-such-host.invalid/logo.png')).rejects.toThrow(/ENOTFOUND/);
  });

  it('fetches only http(s)', async () => {
    await expect(fetchImage('file:///etc/passwd')).rejects.toThrow(/not an http\(s\) URL/);
  });
});
