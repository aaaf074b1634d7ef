/**
 * What to check after a connection failed with `code` (the usual first-run mistakes), or '' for another failure:
 * `flag` is the option that named the address, `service` what should listen there.
 */
export function connectHint(code: unknown, flag: string, service: string): string {
  if (code === 'ECONNREFUSED') return `nothing listens there: is ${service} running, and is ${flag} right?`;
  if (code === 'ENOTFOUND') return `no such host: check ${flag}`;
  // An https:// URL on a plain-HTTP port (gasgauge serve speaks http; TLS is a reverse proxy's): a bare EPROTO.
  if (code === 'EPROTO' || code === 'ERR_SSL_WRONG_VERSION_NUMBER')
    return `no TLS answered there, plain http perhaps: check that ${flag} says http:// for ${service} (https:// only where TLS is served)`;
  return '';
}
