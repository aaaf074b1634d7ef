import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { isPrivateAddress, parseIpv6 } from './ip-address.js';
import { checkWebhookUrl } from './webhook-url.js';

function refusal(url: string, allowPrivate = false): string | undefined {
  try {
    checkWebhookUrl(url, allowPrivate);
    return undefined;
  } catch (err) {
    if (!(err instanceof AppError) || err.path !== 'webhookUrl') throw err;
    return err.message;
  }
}

describe('webhook URLs', () => {
  it('refuses the server’s own network unless the deployment allows it', () => {
    const inside = [
      'http://127.0.0.1:8080/x',
      'http://localhost/x',
      'http://api.localhost/x',
      'http://10.1.2.3/x',
      'http://172.16.0.1/x',
      'http://192.168.1.1/x',
      'http://169.254.169.254/latest/meta-data',
      'http://0.0.0.0/',
      'http://[::1]/x',
      'http://[fd00::1]/x',
      'http://[fe80::1]/x',
      'http://[::ffff:127.0.0.1]/x',
      'http://2130706433/x', // 127.0.0.1 as one number: URL normalises it
    ];
    for (const url of inside) {
      expect(refusal(url), url).toMatch(/loopback, private or link-local/);
      expect(refusal(url, true), url).toBeUndefined();
    }
    for (const url of [
      'https://hooks.example.com/T0/secret',
      'http://8.8.8.8/x',
      'http://172.32.0.1/x',
      'http://[2606:4700::1]/x',
    ]) {
      expect(refusal(url), url).toBeUndefined();
    }
  });

  it('refuses what cannot work: other schemes, credentials in the URL, non-URLs', () => {
    expect(refusal('ftp://example.com/x')).toMatch(/http or https/);
    expect(refusal('https://user:pass@example.com/x')).toMatch(/user or password/);
    expect(refusal('not a url')).toMatch(/not a URL/);
  });

  it('judges resolved addresses', () => {
    expect(['10.0.0.5', '127.0.0.1', '::1', 'fd12::1', '::ffff:192.168.0.1'].map(isPrivateAddress)).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(['93.184.216.34', '2606:4700::1111'].map(isPrivateAddress)).toEqual([false, false]);
  });
});

/** [address, private?]: one table for literals in a webhook URL and for what the resolver returns at delivery. */
const ADDRESSES: [string, boolean][] = [
  // IPv4
  ['8.8.8.8', false],
  ['93.184.216.34', false],
  ['0.0.0.0', true],
  ['10.0.0.1', true],
  ['100.64.0.1', true],
  ['127.0.0.1', true],
  ['169.254.169.254', true],
  ['172.16.0.1', true],
  ['172.32.0.1', false],
  ['192.0.0.8', true],
  ['192.0.2.1', true],
  ['192.88.99.1', true],
  ['192.168.1.1', true],
  ['198.18.0.1', true],
  ['198.51.100.7', true],
  ['203.0.113.7', true],
  ['224.0.0.1', true],
  ['255.255.255.255', true],
  // IPv6: unspecified, loopback, every spelling
  ['::', true],
  ['::1', true],
  ['0:0:0:0:0:0:0:1', true],
  // IPv4-compatible ::/96 (the attack: [::127.0.0.1], which URL rewrites to [::7f00:1])
  ['::127.0.0.1', true],
  ['::7f00:1', true],
  ['::808:808', false],
  // IPv4-mapped ::ffff:0:0/96
  ['::ffff:127.0.0.1', true],
  ['::ffff:7f00:1', true],
  ['::ffff:a9fe:a9fe', true],
  ['::ffff:8.8.8.8', false],
  // IPv4-translated ::ffff:0:0:0/96 (the attack: [::ffff:0:7f00:1])
  ['::ffff:0:7f00:1', true],
  ['::ffff:0:a00:1', true],
  ['::ffff:0:808:808', false],
  // NAT64 64:ff9b::/96 (the attack: [64:ff9b::7f00:1]) and local-use 64:ff9b:1::/48
  ['64:ff9b::7f00:1', true],
  ['64:ff9b::127.0.0.1', true],
  ['64:ff9b::c0a8:101', true],
  ['64:ff9b::808:808', false],
  ['64:ff9b:1::808:808', true],
  // 6to4 2002::/16: the IPv4 address in bits 16–48
  ['2002:7f00:1::1', true],
  ['2002:a00:1::', true],
  ['2002:808:808::1', false],
  // Teredo 2001::/32: server in bits 32–64, client inverted in the last 32
  ['2001:0:4136:e378:8000:63bf:80ff:fffe', true], // client 127.0.0.1
  ['2001:0:808:808:8000:63bf:f7f7:f7f7', false], // server and client 8.8.8.8
  ['2001:0:a00:1:8000:63bf:f7f7:f7f7', true], // server 10.0.0.1
  // other IETF and documentation ranges
  ['2001:2::1', true],
  ['2001:db8::1', true],
  ['3fff::1', true],
  // unique-local, link-local (with a zone), site-local, multicast, reserved
  ['fc00::1', true],
  ['fd12:3456::1', true],
  ['fe80::1', true],
  ['fe80::1%eth0', true],
  ['febf::1', true],
  ['fec0::1', true],
  ['ff02::1', true],
  ['ff0e::1', true],
  ['100::1', true],
  ['4000::1', true],
  // global unicast
  ['2606:4700::1111', false],
  ['2a00:1450:4001:81c::200e', false],
  // not an address: refused rather than guessed
  ['1::2::3', true],
  ['12345::1', true],
  ['1:2:3:4:5:6:7:8:9', true],
  ['::1.2.3.256', true],
  ['', true],
];

describe('address classification (set time and delivery time agree)', () => {
  it.each(ADDRESSES)('%s → private %s', (address, isPrivate) => {
    expect(isPrivateAddress(address)).toBe(isPrivate);
    // The same address as a webhook URL literal, where URL parses it (a zone or a malformed address is not a URL).
    const literal = address.includes(':') ? `[${address}]` : address;
    let url: URL | undefined;
    try {
      url = new URL(`http://${literal}/hook`);
    } catch {}
    if (url && address !== '') expect(refusal(url.toString()) !== undefined, url.toString()).toBe(isPrivate);
  });

  it('parses every spelling of an IPv6 address to the same groups', () => {
    const loopbackV4 = [0, 0, 0, 0, 0, 0, 0x7f00, 1];
    for (const spelling of ['::127.0.0.1', '::7f00:1', '0::7f00:1', '0:0:0:0:0:0:7f00:0001', '0:0:0:0:0:0:127.0.0.1']) {
      expect(parseIpv6(spelling), spelling).toEqual(loopbackV4);
    }
    for (const bad of ['', ':', ':::', '1:2:3:4:5:6:7:8::', '::1::', 'g::1', '1:2:3:4:5:6:7'])
      expect(parseIpv6(bad), bad).toBeUndefined();
  });
});
