import { readFileSync } from 'node:fs';

/** This program's version: the package's (defined when bundled), else packages/server/package.json's in the clone. */
export function version(): string {
  if (typeof GASGAUGE_VERSION === 'string') return GASGAUGE_VERSION;
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}
