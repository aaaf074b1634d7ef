import { describe, expect, it } from 'vitest';
import { lintWithPlugins } from './biome-plugins.js';

/*
 * The guard against keys joined with a separator (lint/no-joined-keys.grit): the town's usage totals keyed a pair as
 * `${agentId}\u0000${model}`, so agent `X\u0000y` with model `z` and agent `X` with model `y\u0000z` were one pair.
 */
/** `${name}` in the code a test lints (written out, a string holding it reads as a mistaken template). */
const sub = (name: string) => ['$', '{', name, '}'].join('');

describe('lint: no separator-joined keys in shipped code', () => {
  it('flags a template joining values with NUL, and allows tupleKey and tests', async () => {
    const bad = [
      {
        path: 'packages/core/src/bad.ts',
        code: `export const key = (a: string, b: string) => \`${sub('a')}\\u0000${sub('b')}\`;\n`,
      },
      {
        path: 'packages/api/src/bad.ts',
        code: `export const key = (a: string, b: number, c: string) => \`${sub('b')}\\0${sub('a')}\\0${sub('c')}\`;\n`,
      },
      {
        path: 'packages/reporter/src/bad.ts',
        code: `export const key = (a: string, b: string) => \`${sub('a')}\\x00${sub('b')}\`;\n`,
      },
    ];
    const found = await lintWithPlugins([
      ...bad,
      {
        path: 'packages/core/src/good.ts',
        code: `import { tupleKey } from './tuple-key.js';\nexport const key = (a: string, b: string) => tupleKey(a, b);\nexport const s = (a: string) => \`${sub('a')}\\u0000\`;\n`,
      },
      {
        path: 'packages/core/src/x.test.ts',
        code: `export const key = (a: string, b: string) => \`${sub('a')}\\u0000${sub('b')}\`;\n`,
      },
    ]);
    expect(found.map((f) => f.path).sort()).toEqual(bad.map((f) => f.path).sort());
  });
});
