import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('.', import.meta.url));

function tests(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return tests(path);
    return e.name.endsWith('.test.ts') ? [path] : [];
  });
}

/**
 * A test must not read the agent tools' data on this machine (~/.codex, ~/.gemini, ~/.local/share/opencode
 * …): each file source is on by default, so a test that builds a Reporter or spawns `report` names every
 * source's dirs or turns it off. (The Claude source is left out: older tests point it at a tree.)
 */
describe('tests and the real homes', () => {
  it('every test that builds a Reporter or spawns `report` turns off or points the Codex, Gemini and OpenCode sources', () => {
    const sources = [
      ['codex', /--no-codex|--codex-home|codex: false|codexHomes/],
      ['gemini', /--no-gemini|--gemini-dir|gemini: false|geminiDirs/],
      ['opencode', /--no-opencode|--opencode-dir|opencode: false|opencodeDirs/],
    ] as const;
    const offenders: string[] = [];
    for (const file of tests(SRC)) {
      const text = readFileSync(file, 'utf8');
      if (!/new Reporter\(|'report',/.test(text)) continue;
      for (const [name, pattern] of sources) if (!pattern.test(text)) offenders.push(`${relative(SRC, file)}: ${name}`);
    }
    expect(offenders).toEqual([]);
  });
});
