import { describe, expect, it } from 'vitest';
import { lintWithPlugins as lint } from './biome-plugins.js';

/*
 * The guard against data as object keys (lint/no-string-keys.grit) is a Biome plugin, so it runs in
 * `npm test` and in editors. This checks that the repository's biome.json really applies it to
 * production code (and not to tests), that it catches each form of the pattern, and that the
 * documented suppression works: a Biome upgrade that changed GritQL matching would show here.
 */

const BAD = [
  // The bug of issue 9: a breakdown keyed by agent id.
  'const series: Record<string, number[]> = {};',
  'type Counts = Partial<Record<string, number>>;',
  'type Index = { [name: string]: number };',
  'interface Bag { readonly [key: string]: unknown }',
  'const has = (name: string, o: object) => name in o;',
  'const get = (o: { a: number }, k: string) => o[k as keyof typeof o];',
  "const byName = Object.fromEntries([['a', 1]]);",
  'const merged = (a: object, b: object) => Object.assign(a, b);',
];

const GOOD = [
  "const fixed: Record<'day' | 'week', number> = { day: 1, week: 7 };",
  'const byName = new Map<string, number>();',
  "const lit = (o: object) => 'a' in o;",
  'const iterable = (o: object) => Symbol.asyncIterator in o;',
  'type ByIndex = { [i: number]: string };',
  'const spread = (a: object, b: object) => ({ ...a, ...b });',
];

describe('lint: no string from data as a key of a plain object', () => {
  it('flags every form of the pattern in production code, and allows fixed keys, Maps and suppressed lines', async () => {
    const bad = BAD.map((code, i) => ({ path: `packages/core/src/bad${i}.ts`, code: `${code}\nexport {};\n` }));
    const found = await lint([
      ...bad,
      { path: 'packages/web/src/good.ts', code: `${GOOD.join('\n')}\nexport {};\n` },
      {
        path: 'packages/api/src/allowed.ts',
        code: '// biome-ignore lint/plugin/no-string-keys: header names written in code\nexport type Headers = Record<string, string>;\n',
      },
      // Tests build fixed-key fixtures (headers, expected tables); the guard is for code that handles data.
      { path: 'packages/core/src/x.test.ts', code: 'export const t: Record<string, number> = {};\n' },
      { path: 'docs/x.test.ts', code: 'export const t: Record<string, number> = {};\n' },
    ]);
    expect(found.map((f) => f.path).sort()).toEqual(bad.map((f) => f.path).sort());
    expect(found.every((f) => f.line === 1)).toBe(true);
  });
});
