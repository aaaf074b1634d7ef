/**
 * What to check after a connection failed with `code` (the usual first-run mistakes), or '' for another failure:
 * `flag` is the option that named the address, `service` what should listen there.
 */
export function connectHint(code: unknown, flag: string, service: string): string {
  if (code === 'ECONNREFUSED') return `nothing listens there: is ${service} running, and is ${flag} right?`;
  if (code === 'ENOTFOUND') return `no such host: check ${flag}`;
  return '';
}
