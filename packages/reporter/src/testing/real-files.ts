import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeDirs } from '../make-dirs.js';
import { parseTimestamp } from '../timestamp.js';

/**
 * Files the real agent CLIs wrote (fixtures/README.md says which, and how): Claude Code's config dir, Codex's
 * home and Gemini CLI's `tmp/` dir, each holding what one CLI wrote during a few turns against a fake model API.
 */
export const REAL_FILES = fileURLToPath(new URL('./fixtures/', import.meta.url));

const ISO = /"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{3})?Z)"/g;

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    return e.isDirectory() ? files(path) : e.name.endsWith('.jsonl') ? [path] : [];
  });
}

/**
 * Copies one fixture directory to `to`, every RFC 3339 time in it moved by the same amount so that the latest is
 * `endMs` (default: a minute ago): the files keep their lines and order, and their usage lands in a town's
 * recent past (the server keeps 400 days). Returns `to`.
 */
export function copyRealFiles(fixture: string, to: string, endMs = Date.now() - 60_000): string {
  const root = join(REAL_FILES, fixture);
  const texts = files(root).map((path) => ({ path, text: readFileSync(path, 'utf8') }));
  let last = 0;
  for (const { text } of texts) for (const m of text.matchAll(ISO)) last = Math.max(last, parseTimestamp(m[1] as string) ?? 0);
  const shift = endMs - last;
  for (const { path, text } of texts) {
    const out = join(to, relative(root, path));
    makeDirs(dirname(out));
    writeFileSync(
      out,
      text.replace(ISO, (whole, time: string) => {
        const ms = parseTimestamp(time);
        return ms === undefined ? whole : `"${new Date(ms + shift).toISOString()}"`;
      }),
    );
  }
  return to;
}
