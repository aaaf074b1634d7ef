import { describe, expect, it } from 'vitest';
import { lintWithPlugins } from './biome-plugins.js';

/*
 * The guard against Node's recursive mkdir in shipped code (lint/no-recursive-mkdir.grit): `gasgauge report
 * --state /proc/x` spun at full CPU in mkdirSync's C++ retry loop, deaf to Ctrl-C and SIGTERM.
 */
describe('lint: no recursive mkdir in shipped code', () => {
  it('flags mkdirSync and mkdir with recursive: true in production code, not tests or plain mkdirs', async () => {
    const bad = [
      {
        path: 'packages/reporter/src/bad.ts',
        code: "import { mkdirSync } from 'node:fs';\nmkdirSync('/x/y', { recursive: true });\n",
      },
      {
        path: 'packages/server/src/bad.ts',
        code: "import { mkdir } from 'node:fs/promises';\nawait mkdir('/x/y', { mode: 0o700, recursive: true });\n",
      },
    ];
    const found = await lintWithPlugins([
      ...bad,
      { path: 'packages/server/src/ok.ts', code: "import { mkdirSync } from 'node:fs';\nmkdirSync('/x', { mode: 0o700 });\n" },
      {
        path: 'packages/server/src/x.test.ts',
        code: "import { mkdirSync } from 'node:fs';\nmkdirSync('/x/y', { recursive: true });\n",
      },
    ]);
    expect(found.map((f) => f.path).sort()).toEqual(bad.map((f) => f.path).sort());
  });
});
