import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('.', import.meta.url));

/** Modules of other packages that import nothing themselves (checked below), so they bring no server along. */
const LEAVES = ['@gasgauge/core/bounded-map', '@gasgauge/core/dir-problem'];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

/**
 * The reporter runs beside the agents without the server: only Node built-ins, better-sqlite3 and
 * its own modules at run time (type-only imports are erased). Tests and the testing/ helpers they use may start a real server.
 */
describe('reporter imports', () => {
  it('ships no import of the server, core or api packages outside tests', () => {
    const shipped = sources(SRC).filter((f) => !f.endsWith('.test.ts') && !relative(SRC, f).startsWith('testing'));
    const offenders: string[] = [];
    for (const file of shipped) {
      // `import type` is erased at run time (the wire types come from the API's schemas).
      for (const m of readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)\b(?!\s+type\b)[^'"]*?from\s+'([^']+)'/gm)) {
        const spec = m[1] as string;
        const allowed = spec.startsWith('node:') || spec.startsWith('.') || spec === 'better-sqlite3' || LEAVES.includes(spec);
        if (!allowed) offenders.push(`${relative(SRC, file)}: ${spec}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('allows only leaves: modules of other packages that import nothing', () => {
    for (const leaf of LEAVES) {
      const file = fileURLToPath(import.meta.resolve(leaf));
      expect(readFileSync(file, 'utf8')).not.toMatch(/^\s*(?:import|export)\b[^'"]*?from\s+'/m);
    }
  });
});
