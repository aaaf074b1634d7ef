import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/*
 * A guard for live pages: a key of useQuery names the question (a new key aborts the request in
 * flight), so a live push's counter must never be part of one: it goes in `refresh`, which waits for
 * the request in flight. A push counter in the key kept aborting a slow page's request on a busy town
 * (e2e/live-refresh.test.ts). The same for an auto-refresh that moves a preset range along with now
 * (useResolvedRange's `from` and `to`): the picked range is the question, the moved one a refresh.
 * It scans the sources for useQuery calls whose key names either.
 */
const SRC = fileURLToPath(new URL('..', import.meta.url));
const LIVE = /push|version|live/i;
/** `from` or `to` as a name of its own (not `spec.from`, the picked range's end). */
const MOVING = /(?<![.\w])(from|to)\b/;

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? files(join(dir, e.name))
      : /\.tsx?$/.test(e.name) && !e.name.endsWith('.test.ts')
        ? [join(dir, e.name)]
        : [],
  );
}

/**
 * The key argument of every useQuery call (the text up to its first top-level comma), with the
 * initialiser of each `const` it names put in (so `const listsKey = \`…${pushes}\`` is seen through).
 */
function queryKeys(text: string): string[] {
  const keys: string[] = [];
  for (const m of text.matchAll(/\buseQuery(?:<[^>]*>)?\(/g)) {
    let depth = 0;
    let i = (m.index ?? 0) + m[0].length;
    const start = i;
    for (; i < text.length; i++) {
      const c = text[i];
      if (c === '(' || c === '[' || c === '{') depth++;
      else if (c === ')' || c === ']' || c === '}') depth--;
      if ((c === ',' && depth === 0) || depth < 0) break;
    }
    keys.push(expand(text, text.slice(start, i).trim(), 3));
  }
  return keys;
}

function expand(text: string, expr: string, levels: number): string {
  if (levels === 0) return expr;
  // Names only: not inside a quoted string, nor after a dot (a property).
  return expr.replace(/'[^']*'|\.?\b[A-Za-z_]\w*\b/g, (name) => {
    if (name.startsWith("'") || name.startsWith('.')) return name;
    const init = new RegExp(`\\bconst ${name}\\s*=\\s*([^;]+);`).exec(text)?.[1];
    return init ? `${name} (= ${expand(text, init.trim(), levels - 1)})` : name;
  });
}

describe('useQuery keys', () => {
  const sources = files(SRC).map((f) => {
    const text = readFileSync(f, 'utf8');
    return { f, keys: queryKeys(text), moving: text.includes('useResolvedRange(') };
  });

  it('are found in the sources', () => {
    expect(sources.flatMap((s) => s.keys)).toEqual(expect.arrayContaining(["'towns'", 'townId']));
  });

  it('never hold a live push counter (it goes in `refresh`)', () => {
    const offenders = sources.flatMap(({ f, keys }) => keys.filter((k) => LIVE.test(k)).map((k) => `${f}: ${k}`));
    expect(offenders).toEqual([]);
  });

  it('never hold a range that an auto-refresh moves (it goes in `refresh`)', () => {
    const moving = sources.filter((s) => s.moving);
    expect(moving.length).toBeGreaterThanOrEqual(2); // the observability and beads pages
    const offenders = moving.flatMap(({ f, keys }) => keys.filter((k) => MOVING.test(k)).map((k) => `${f}: ${k}`));
    expect(offenders).toEqual([]);
  });

  it('the scan sees a push counter through a const', () => {
    const page = [
      'const pushes = useThrottled(live.version, 1000);',
      'const listsKey = townId + pushes;',
      'useQuery(listsKey, f);',
    ];
    expect(queryKeys(page.join('\n')).filter((k) => LIVE.test(k))).toHaveLength(1);
  });
});
