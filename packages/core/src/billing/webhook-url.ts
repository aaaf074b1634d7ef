import { AppError } from '../errors.js';

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
  if (raw.length > 2000) throw new AppError('bad_request', 'the webhook URL is at most 2000 characters', { path: 'webhookUrl' });
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
  if (host.startsWith('[')) return isPrivateIpv6(host.slice(1, -1));
  return isPrivateIpv4(host) ?? false;
}

/** Whether an address (as a resolver returns it) is not on the public internet. */
export function isPrivateAddress(address: string): boolean {
  return address.includes(':') ? isPrivateIpv6(address) : (isPrivateIpv4(address) ?? true);
}

/** undefined when `host` is not a dotted IPv4 literal. */
function isPrivateIpv4(host: string): boolean | undefined {
  const m = host.match(/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/);
  if (!m) return undefined;
  const [a, b] = [Number(m[1]), Number(m[2])];
  return (
    a === 0 || // "this" network
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) || // carrier-grade NAT
    (a === 169 && b === 254) || // link-local, cloud metadata
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 192 && b === 0 && Number(m[3]) === 0) ||
    (a === 198 && (b === 18 || b === 19)) || // benchmarking
    a >= 224 // multicast and reserved
  );
}

function isPrivateIpv6(address: string): boolean {
  const a = address.toLowerCase();
  if (a === '::' || a === '::1') return true;
  const mapped = a.match(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/);
  if (mapped) return isPrivateIpv4(mapped[1] as string) ?? true;
  if (/^::ffff:[0-9a-f]{1,4}:[0-9a-f]{1,4}$/.test(a)) return true; // IPv4-mapped, hex form: judge conservatively
  return /^(fc|fd|fe[89ab]|ff)/.test(a); // unique local, link-local, multicast
}
