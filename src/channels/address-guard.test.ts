import { describe, expect, it } from 'vitest';
import { isPrivateAddress } from './address-guard.js';

describe('isPrivateAddress', () => {
  it('blocks IPv4 loopback, private, link-local, CGNAT, multicast, reserved and unspecified ranges', () => {
    for (const a of [
      '127.0.0.1',
      '127.255.255.254',
      '10.0.0.1',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '255.255.255.255',
      '198.18.0.1',
    ]) {
      expect(isPrivateAddress(a), a).toBe(true);
    }
  });

  it('lets public IPv4 addresses through, including neighbours of blocked ranges', () => {
    for (const a of ['8.8.8.8', '1.1.1.1', '172.15.255.255', '172.32.0.0', '100.63.255.255', '100.128.0.0', '169.253.0.1', '11.0.0.1', '93.184.216.34']) {
      expect(isPrivateAddress(a), a).toBe(false);
    }
  });

  it('blocks IPv6 loopback, unspecified, unique-local, link-local, multicast, and IPv4 embedded in IPv6', () => {
    for (const a of [
      '::1',
      '::',
      'fc00::1',
      'fd12:3456::1',
      'fe80::1',
      'fe80::1%eth0',
      'ff02::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '::ffff:10.0.0.1',
      '::ffff:a9fe:a9fe',
      '0:0:0:0:0:ffff:c0a8:0101',
      '64:ff9b::10.0.0.1',
      '2002:7f00:1::',
      '::127.0.0.1',
      '[::1]',
      '2001:db8::1',
    ]) {
      expect(isPrivateAddress(a), a).toBe(true);
    }
  });

  it('lets public IPv6 addresses through, including mapped public IPv4', () => {
    for (const a of ['2606:4700:4700::1111', '2001:4860:4860::8888', '::ffff:8.8.8.8', '64:ff9b::808:808', '2002:808:808::1']) {
      expect(isPrivateAddress(a), a).toBe(false);
    }
  });

  it('treats anything that is not an IP literal as blocked', () => {
    expect(isPrivateAddress('example.com')).toBe(true);
    expect(isPrivateAddress('1.2.3.4.5')).toBe(true);
  });
});
