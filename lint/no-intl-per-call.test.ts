import { describe, expect, it } from 'vitest';
import { lintWithPlugins } from './biome-plugins.js';

/*
 * The guard against building an Intl formatter per call (lint/no-intl-per-call.grit): the bug was the
 * observability page's axis, which built a DateTimeFormat for every tick label (~140 ms a load).
 */

const BAD = [
  "export const axis = (at: number) => new Intl.DateTimeFormat('en-GB', { hour: '2-digit' }).format(at);",
  "export const n = (x: number) => new Intl.NumberFormat('en-US').format(x);",
  "export const grouped = (x: number) => x.toLocaleString('en-US');",
  'export const stamp = (at: number) => new Date(at).toLocaleString();',
  "export const day = (at: number) => new Date(at).toLocaleDateString('en-GB');",
  'export const time = (at: number) => new Date(at).toLocaleTimeString();',
];

describe('lint: no Intl formatter built per call', () => {
  it('flags each form in production code, and allows a marked kept formatter and tests', async () => {
    const bad = BAD.map((code, i) => ({ path: `packages/web/src/bad${i}.ts`, code: `${code}\n` }));
    const found = await lintWithPlugins([
      ...bad,
      {
        path: 'packages/web/src/kept.ts',
        code:
          '// biome-ignore lint/plugin/no-intl-per-call: a module constant, built once\n' +
          "export const GROUPED = new Intl.NumberFormat('en-US');\n",
      },
      { path: 'packages/web/src/x.test.ts', code: "export const s = (1).toLocaleString('en-US');\n" },
    ]);
    expect(found.map((f) => f.path).sort()).toEqual(bad.map((f) => f.path).sort());
  });
});
