import { longerThan } from '../chars.js';
import { AppError } from '../errors.js';
import { isPrivateAddress, parseIpv4 } from './ip-address.js';

/**
 * Webhook targets. Alerts are POSTed by the server, so a webhook pointing inside the server's own
 * network (loopback, private ranges, link-local cloud metadata) would let any user make the server
 * send requests there. Such hosts are refused unless the deployment allows them (a laptop with a
 * local receiver: `gasgauge serve --allow-private-webhooks`).
 */
export function checkWebhookUrl(raw: string, allowPrivate: boolean): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AppError('bad_request', 'the webhook is not a URL', { path: 'webhookUrl' });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new AppError('bad_request', 'the webhook must be an http or https URL', { path: 'webhookUrl' });
  }
  if (url.username || url.password) {
    throw new AppError('bad_request', 'the webhook URL may not carry a user or password; put a secret in its path or query', {
      path: 'webhookUrl',
    });
  }
  if (longerThan(raw, 2000))
    throw new AppError('bad_request', 'the webhook URL is at most 2000 characters', { path: 'webhookUrl' });
  if (!allowPrivate && isPrivateHost(url.hostname)) {
    throw new AppError('bad_request', 'the webhook may not point at a loopback, private or link-local address', {
      path: 'webhookUrl',
    });
  }
  return url.toString();
}

/** A host name or literal IP (as `URL.hostname` gives it, IPv6 in brackets) that is not on the public internet. */
export function isPrivateHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (host.startsWith('[')) return isPrivateAddress(host.slice(1, -1));
  // URL normalises every IPv4 spelling (2130706433, 0x7f.1) to dotted decimal; anything else is a name.
  return parseIpv4(host) ? isPrivateAddress(host) : false;
}
