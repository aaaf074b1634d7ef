// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are source code the guard reads, template literals written out
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { plural as corePlural } from '@gasgauge/core';
import { describe, expect, it } from 'vitest';
import { plural as reporterPlural } from '../packages/reporter/src/plural.js';
import { plural as webPlural } from '../packages/web/src/lib/format.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * What the CLI, the server's log, the reporter and the web UI say about a count agrees with it: "1 record",
 * "3 records", never "1 records" (the reporter's `delivered: 1 records acknowledged`) nor "3 town(s)" (backup).
 * A count goes through `plural(n, 'record')`; this finds, in shipped sources, an interpolated value followed
 * (at most two words on) by a plural noun, and a "(s)" after a word in text.
 */

/** Words ending in s that are not a plural noun counted by the value before them. */
const NOT_COUNTED = new Set(
  'is was has does needs lacks holds says goes reads writes takes makes gives signs this its as us his yes less across gets sets starts runs ends exists refers belongs stays knows keeps points names means fails works owns address series status ms s'.split(
    ' ',
  ),
);

/** Words that end a counted phrase before a noun: `${n} of them`, `${who} and towns`. */
const LINKING = new Set('of and or to in on at by for the a an not no with from than'.split(' '));

/**
 * Interpolations that are followed by a plural noun on purpose, each with why the count is never one. Keyed by
 * the file and the text of the interpolation.
 */
const ALLOWED = new Map<string, string>([
  ['packages/api/src/http/body.ts ${maxBytes} bytes', 'a body limit in bytes, set in code (at least 1 KiB)'],
  ['packages/api/src/http/body.ts ${this.limit} bytes', 'a server-wide body budget, megabytes'],
  ['packages/core/src/billing/ledger.ts ${e.amount} microdollars', 'an internal error naming a sum, not a count'],
  ['packages/web/src/features/observability/TimeChart.tsx ${formatStep(props.step)} buckets', '"5 s buckets": a unit'],
  ['packages/server/src/sqlite.ts ${params.length} parameters', 'only past MAX_SQL_PARAMS (100)'],
  ['packages/core/src/town/schema.ts ${column} events', 'SQL: a column name, `${column} FROM events`'],
  ['packages/core/src/control/control.ts ${after} towns', 'SQL: `${after} ORDER BY towns.created_at`, a table name'],
]);

function shipped(): string[] {
  return execFileSync('git', ['ls-files', '-co', '--exclude-standard', 'packages/*/src/**'], { cwd: ROOT, encoding: 'utf8' })
    .split('\n')
    .filter((f) => /\.tsx?$/.test(f) && !/\.test\.tsx?$|\/testing\/|\/fuzz\//.test(f) && !f.endsWith('.d.ts'));
}

/** A line's code without a comment that fills it (a `//` or a JSDoc line), which may say "(s)" or "3 records" freely. */
function code(line: string): string {
  return /^\s*(\/\/|\*|\/\*)/.test(line) ? '' : line;
}

function findCountedNouns(file: string, text: string): string[] {
  const found: string[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const line = code(raw);
    const where = `${file}:${i + 1}`;
    for (const m of line.matchAll(/(?<!http)[a-z]\(s\)(?= [a-z]|[.,;:]?['"`]|[.,;:](?: |$)|$)/g))
      found.push(`${where}: "${m[0]}"`);
    // `${count} records`, `${n} other API tokens`; in JSX also `{count} towns`.
    for (const m of line.matchAll(/(?<!\w)(\$?)\{([^{}]*)\}((?: [A-Za-z]+){0,2}) ([a-z]+s)\b(?![/=])/g)) {
      const [, dollar, expr, between, noun] = m as unknown as [string, string, string, string, string];
      // `${name} has rows`: a verb or a little word between them, and the value is not what is counted.
      if (between.split(' ').some((w) => NOT_COUNTED.has(w) || LINKING.has(w))) continue;
      if (!dollar && !file.endsWith('.tsx')) continue; // `{` in plain TypeScript is an object or a block
      if (NOT_COUNTED.has(noun) || /^[A-Z][A-Z0-9_]*(\s*[-+*/]\s*[\w.]+)*$/.test(expr.trim())) continue;
      if (/^plural\(/.test(expr.trim())) continue;
      const key = `${file} \${${expr}} ${noun}`;
      if (ALLOWED.has(key)) continue;
      found.push(
        `${where}: "${m[0].trim()}" (use plural(count, '${noun.replace(/s$/, '')}'), or allow it in lint/counted-nouns.test.ts)`,
      );
    }
  });
  return found;
}

describe('counted nouns', () => {
  it('every shipped output says "1 record" and "3 records", through plural()', () => {
    const found = shipped().flatMap((f) => findCountedNouns(f, readFileSync(join(ROOT, f), 'utf8')));
    expect(found).toEqual([]);
  });

  it('finds the forms it guards against, and not their fixes', () => {
    const ts = (line: string) => findCountedNouns('x.ts', line);
    expect(ts('log(`delivered: ${summary.sent} records acknowledged`);')).toHaveLength(1);
    expect(ts('out(`Revoked ${n} other API tokens.`);')).toHaveLength(1);
    expect(ts('out(`Backed up ${m.towns.length} town(s) into ${dir}`);')).toHaveLength(1);
    expect(findCountedNouns('x.tsx', '<p>{shown} of {total} towns.</p>')).toHaveLength(1);
    expect(ts("log(`delivered: ${plural(summary.sent, 'record')} acknowledged`);")).toEqual([]);
    expect(ts('throw new Error(`at most ${MAX_NOTE_LENGTH} characters`);')).toEqual([]);
    expect(ts('return `${stepMs} ms`;')).toEqual([]);
    expect(ts('const u = `${formatCount(v)} tokens/s`;')).toEqual([]);
    expect(ts('// says "3 town(s)" in a comment')).toEqual([]);
    expect(ts('must be http(s)://host')).toEqual([]);
    expect(ts('return btoa(s).replaceAll("+", "-");')).toEqual([]);
    expect(ts('return host(e) === host(s) && e.port === s.port;')).toEqual([]);
    expect(findCountedNouns('x.tsx', '<Table townId={townId} keys={keys} />')).toEqual([]);
    expect(ts('throw new Error(`${name} has rows that refer to none`);')).toEqual([]);
  });

  it('the core, the reporter and the web UI pluralise alike', () => {
    for (const plural of [corePlural, reporterPlural, webPlural]) {
      expect(plural(1, 'record')).toBe('1 record');
      expect(plural(0, 'record')).toBe('0 records');
      expect(plural(3, 'record')).toBe('3 records');
      expect(plural('1', 'bead')).toBe('1 bead');
      expect(plural('1.0', 'agent')).toBe('1.0 agents');
      expect(plural('1.2k', 'token')).toBe('1.2k tokens');
      expect(plural(2, 'entry', 'entries')).toBe('2 entries');
      expect(plural(1, 'entry', 'entries')).toBe('1 entry');
    }
  });
});
