import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { checkWebhookUrl, isPrivateAddress } from './webhook-url.js';

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
