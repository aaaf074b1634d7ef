import { describe, expect, it } from 'vitest';
import { lintWithPlugins } from './biome-plugins.js';

/*
 * The guard against bounding a memory by hand (lint/no-hand-rolled-bound.grit): seven copies of "delete the
 * first key when full" and nine of "clear everything when full" had grown before one BoundedMap replaced them.
 */

const BAD = [
  'export function put(m: Map<string, number>, k: string) {\n  if (m.size >= 10) m.delete(m.keys().next().value as string);\n  m.set(k, 1);\n}',
  'export function add(s: Set<string>, v: string) {\n  if (s.size >= 10) s.delete(s.values().next().value as string);\n  s.add(v);\n}',
  'export function put(m: Map<string, number>, k: string) {\n  if (m.size >= 10_000) m.clear();\n  m.set(k, 1);\n}',
  'export class C {\n  private readonly seen = new Set<string>();\n  add(v: string) {\n    if (this.seen.size > 99) {\n      this.seen.clear();\n    }\n    this.seen.add(v);\n  }\n}',
  // A cache in a plain Map or Set: a class field, or a module's variable.
  'export class C {\n  private readonly cache = new Map<string, number | null>();\n}',
  'const formatterCache = new Set<string>();\nexport const f = formatterCache;',
  // A BoundedMap of collections with no weight bound.
  "import { BoundedMap } from '@gasgauge/core';\nexport const prefixes = new BoundedMap<string, number[]>(32);",
  "import { BoundedMap } from '@gasgauge/core';\nexport const steps = new BoundedMap<string, Map<string, number>>(10_000);",
];

describe('lint: no hand-rolled bound on a map or set, and no cache without one', () => {
  it('flags each form in production code, and allows clearing for another reason and tests', async () => {
    const bad = BAD.map((code, i) => ({ path: `packages/api/src/bad${i}.ts`, code: `${code}\n` }));
    const found = await lintWithPlugins([
      ...bad,
      // Emptied on a signal, not because it grew: no bound written out.
      {
        path: 'packages/api/src/reset.ts',
        code: 'export function reset(m: Map<string, number>, done: boolean) {\n  if (done) m.clear();\n}\n',
      },
      // A cache that is a BoundedMap, and plain maps that are not caches.
      {
        path: 'packages/api/src/bounded-cache.ts',
        code: "import { BoundedMap } from '@gasgauge/core';\nexport class C {\n  private readonly cache = new BoundedMap<string, number>(64);\n  private readonly prices = new Map<string, number>();\n  private readonly cacheDir = new URL('file:///tmp/');\n  private readonly lists = new BoundedMap<string, number[]>(32, { max: 1000, of: (l) => l.length });\n  private readonly rows = new BoundedMap<string, { at: number }>(64);\n}\n",
      },
      {
        path: 'packages/api/src/x.test.ts',
        code: 'export function put(m: Map<string, number>) {\n  if (m.size >= 1) m.clear();\n}\n',
      },
    ]);
    expect(found.map((f) => f.path).sort()).toEqual(bad.map((f) => f.path).sort());
  });
});
