import { describe, expect, it } from 'vitest';
import { lintWithPlugins } from './biome-plugins.js';

/*
 * The guard against Date.parse on times read from files (lint/no-date-parse.grit): the reporter read a
 * transcript's zone-less `2026-06-08T10:00:00` as local time and `2026-02-29` as March 1, where ccusage
 * reads neither.
 */
describe('lint: no Date.parse in shipped code', () => {
  it('flags it in production code, and allows a marked one and tests', async () => {
    const bad = [
      { path: 'packages/reporter/src/bad.ts', code: 'export const at = (s: string) => Date.parse(s);\n' },
      { path: 'packages/api/src/bad.ts', code: "export const at = Date.parse('2026-06-08');\n" },
    ];
    const found = await lintWithPlugins([
      ...bad,
      {
        path: 'packages/reporter/src/http-date.ts',
        code: '// biome-ignore lint/plugin/no-date-parse: an HTTP date always names GMT\nexport const at = (s: string) => Date.parse(s);\n',
      },
      { path: 'packages/reporter/src/x.test.ts', code: 'export const at = (s: string) => Date.parse(s);\n' },
    ]);
    expect(found.map((f) => f.path).sort()).toEqual(bad.map((f) => f.path).sort());
  });
});
