import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/*
 * A recursive zod schema (`z.json()`, `z.lazy(...)`) walks client JSON by recursion: a body nested a few
 * thousand deep overflows the stack and answers 500. Free-form JSON is bounded with ingest/json-bounds.ts
 * (an explicit stack) instead.
 */
const SRC = dirname(dirname(fileURLToPath(import.meta.url)));
const RECURSIVE = /\bz\s*\.\s*(json|lazy)\s*\(/;
/** Code without its comments (which may name the pattern to explain it). */
const code = (src: string) => src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');

describe('no recursive schema validates client input', () => {
  it('the pattern matches what it should', () => {
    expect(RECURSIVE.test('data: z.json().optional()')).toBe(true);
    expect(RECURSIVE.test('const tree = z.lazy(() => node)')).toBe(true);
    expect(RECURSIVE.test('z.string().max(10)')).toBe(false);
    expect(RECURSIVE.test(code('/** not z.json() */\n// nor z.lazy(x)\nconst a = 1;'))).toBe(false);
  });

  it('no API source uses z.json() or z.lazy()', () => {
    const files = (readdirSync(SRC, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    expect(files.length).toBeGreaterThan(10);
    const found = files.filter((f) => RECURSIVE.test(code(readFileSync(join(SRC, f), 'utf8'))));
    expect(found).toEqual([]);
  });
});
