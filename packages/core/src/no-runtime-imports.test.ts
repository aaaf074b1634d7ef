import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/*
 * The core runs unchanged on Node and on Cloudflare Workers (Durable Objects): it may not import a
 * runtime (Node built-ins, better-sqlite3, cloudflare:*), and it never reads the wall clock or
 * schedules timers itself (the host passes the clock and drives ticks). Test helpers that hosts run in
 * their own test runner (the `Sql` contract) live in `testing/`, the one place that may import vitest.
 */

const SRC = dirname(fileURLToPath(import.meta.url));

const FORBIDDEN_MODULES = ['fs', 'path', 'os', 'child_process', 'better-sqlite3'];
const FORBIDDEN_CALLS: [RegExp, string][] = [
  [/\bDate\s*\.\s*now\s*\(/, 'Date.now('],
  [/\bsetTimeout\s*\(/, 'setTimeout('],
  [/\bsetInterval\s*\(/, 'setInterval('],
  [/\bnew\s+Date\s*\(/, 'new Date('],
];
const SPECIFIERS = [
  /\bfrom\s*['"]([^'"]+)['"]/g, // import ... from 'x', export ... from 'x'
  /\bimport\s*['"]([^'"]+)['"]/g, // import 'x'
  /\bimport\s*\(\s*['"]([^'"]+)['"]/g, // import('x')
  /\brequire\s*\(\s*['"]([^'"]+)['"]/g, // require('x')
];

function isForbiddenModule(specifier: string): boolean {
  if (specifier.startsWith('node:') || specifier.startsWith('cloudflare:')) return true;
  return FORBIDDEN_MODULES.some((m) => specifier === m || specifier.startsWith(`${m}/`));
}

/**
 * Blanks comments (keeping line breaks) and, with `blankStrings`, the contents of string and template
 * literals (keeping `${...}` code). Regex literals are treated as code, which is enough for this source.
 */
function stripSource(src: string, blankStrings: boolean): string {
  let out = '';
  let i = 0;
  const braces: number[] = []; // open `{` count of each template `${` we are inside
  const blank = (s: string) => s.replace(/[^\n]/g, ' ');
  const copyString = (quote: string) => {
    let j = i + 1;
    while (j < src.length && src[j] !== quote && src[j] !== '\n') j += src[j] === '\\' ? 2 : 1;
    const body = src.slice(i + 1, j);
    out += quote + (blankStrings ? blank(body) : body) + (src[j] ?? '');
    i = j + 1;
  };
  const copyTemplate = () => {
    // From just after a backtick or a closing `}` of `${`, up to the closing backtick or the next `${`.
    let j = i;
    while (j < src.length && src[j] !== '`' && !(src[j] === '$' && src[j + 1] === '{')) j += src[j] === '\\' ? 2 : 1;
    const body = src.slice(i, j);
    out += blankStrings ? blank(body) : body;
    if (src[j] === '`') {
      out += '`';
      i = j + 1;
    } else if (j < src.length) {
      out += '${';
      braces.push(0);
      i = j + 2;
    } else i = j;
  };
  while (i < src.length) {
    const ch = src[i] as string;
    const next = src[i + 1];
    if (ch === '/' && next === '/') {
      while (i < src.length && src[i] !== '\n') i++;
    } else if (ch === '/' && next === '*') {
      const end = src.indexOf('*/', i + 2);
      const stop = end === -1 ? src.length : end + 2;
      out += blank(src.slice(i, stop));
      i = stop;
    } else if (ch === "'" || ch === '"') {
      copyString(ch);
    } else if (ch === '`') {
      out += '`';
      i++;
      copyTemplate();
    } else if (ch === '{' && braces.length > 0) {
      braces.push((braces.pop() as number) + 1);
      out += ch;
      i++;
    } else if (ch === '}' && braces.length > 0 && braces[braces.length - 1] === 0) {
      braces.pop();
      out += '}';
      i++;
      copyTemplate();
    } else {
      if (ch === '}' && braces.length > 0) braces.push((braces.pop() as number) - 1);
      out += ch;
      i++;
    }
  }
  return out;
}

/** Every violation in one file's source, as "line N: what"; `testing` files may import vitest. */
function violations(src: string, testing = false): string[] {
  const found: string[] = [];
  const code = stripSource(src, false).split('\n');
  const bare = stripSource(src, true).split('\n');
  code.forEach((line, n) => {
    for (const re of SPECIFIERS) {
      for (const m of line.matchAll(re)) {
        const spec = m[1] as string;
        if (isForbiddenModule(spec) || (!testing && spec === 'vitest')) found.push(`line ${n + 1}: imports '${spec}'`);
      }
    }
    for (const [re, what] of FORBIDDEN_CALLS) if (re.test(bare[n] ?? '')) found.push(`line ${n + 1}: calls ${what}`);
  });
  return found;
}

function coreSources(): string[] {
  return (readdirSync(SRC, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => f.split('\\').join('/'))
    .sort();
}

describe('core has no runtime dependencies', () => {
  it('the checker catches what it should and ignores comments and strings', () => {
    expect(violations("import { readFileSync } from 'node:fs';")).toEqual(["line 1: imports 'node:fs'"]);
    expect(violations('const x = 1;\nexport { join } from "path";')).toEqual(["line 2: imports 'path'"]);
    expect(violations("import 'cloudflare:workers';")).toEqual(["line 1: imports 'cloudflare:workers'"]);
    expect(violations("const db = await import('better-sqlite3');")).toEqual(["line 1: imports 'better-sqlite3'"]);
    expect(violations("import { readFile } from 'fs/promises';")).toEqual(["line 1: imports 'fs/promises'"]);
    expect(violations('const t = Date.now();')).toEqual(['line 1: calls Date.now(']);
    expect(violations('const d = new Date(at);')).toEqual(['line 1: calls new Date(']);
    expect(violations('setTimeout(run, 5);\nsetInterval(run, 5);')).toEqual([
      'line 1: calls setTimeout(',
      'line 2: calls setInterval(',
    ]);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: source text under test
    expect(violations('const s = `${x} ${f(`a`)}`; const t = Date.now();')).toEqual(['line 1: calls Date.now(']);

    expect(violations('// Date.now() is the host’s job\n/* setTimeout(\n new Date( */ const a = 1;')).toEqual([]);
    expect(violations("const s = 'new Date( in a string'; const u = 'http://x';")).toEqual([]);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: source text under test
    expect(violations('const q = `SELECT ${cols} -- setInterval( `;')).toEqual([]);
    expect(violations("import { x } from './fs.js'; import { y } from '@gasgauge/path';")).toEqual([]);
    expect(violations("import { it } from 'vitest';")).toEqual(["line 1: imports 'vitest'"]);
    expect(violations("import { it } from 'vitest';", true)).toEqual([]);
    expect(violations("import 'node:fs';", true)).toEqual(["line 1: imports 'node:fs'"]);
    expect(violations('const p = pathOf(x); const osName = 1; myDate.now(); renew Date;')).toEqual([]);
  });

  it('no core source imports a runtime or reads the clock or timers itself', () => {
    const files = coreSources();
    expect(files).toContain('town/town.ts');
    expect(files).toContain('index.ts');
    expect(files.some((f) => f.endsWith('.test.ts'))).toBe(false);
    const sources = files.map((f) => [f, readFileSync(join(SRC, f), 'utf8')] as const);
    expect(files).toContain('testing/sql-contract.ts');
    const found = sources.flatMap(([f, src]) => violations(src, f.startsWith('testing/')).map((v) => `${f} ${v}`));
    expect(found).toEqual([]);
    // The scanner ends every real file in plain code (no runaway string or comment hiding the rest).
    for (const [f, src] of sources) {
      const lines = src.split('\n').length;
      expect(violations(`${src}\nconst t = Date.now();`, f.startsWith('testing/')), f).toEqual([
        `line ${lines + 1}: calls Date.now(`,
      ]);
    }
  });
});
