import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * A test whose server keeps a budget (per day, week or month of a zone) runs that server on a clock it
 * chose, `middayClock(tz)` (packages/server/src/testing/clock.ts), never on the wall clock: a run near
 * midnight crossed into a new budget day mid-test and saw no crossing (scheduler.test.ts at 23:5x UTC in
 * CI). `.ci/clock-edges` runs such files with the wall clock at midnights (faketime); this check needs no
 * luck. A file whose budgets are only refused or authorised says so with a `clock-free:` comment.
 */
const STARTS = /\b(startTestServer|startServer|startTownServer)\(/g;

/** The text of the call whose `(` is at `open`, up to its matching `)`. */
function callText(src: string, open: number): string {
  let depth = 0;
  for (let i = open; i < src.length; i++) {
    if (src[i] === '(') depth++;
    else if (src[i] === ')' && --depth === 0) return src.slice(open, i + 1);
  }
  return src.slice(open);
}

/** What is wrong with one test file's clocks, or nothing. */
function clockProblems(src: string): string[] {
  const problems: string[] = [];
  if (src.includes('middayClock(') && /\bat: Date\.now\(\)/.test(src))
    problems.push('stamps records `at: Date.now()` beside a middayClock: stamp them with the clock');
  // `setBudget` through tRPC, or the Settings page's budget form in a browser test.
  if (!/\bsetBudget\b|'Save budget'/.test(src) || src.includes('clock-free:')) return problems;
  if (/\buseHost\(|\bHOSTS\b/.test(src))
    problems.push('sets budgets on the contract hosts (wall clock): say why it is clock-free');
  for (const m of src.matchAll(STARTS)) {
    const call = callText(src, (m.index as number) + m[0].length - 1);
    if (!/\bclock\b/.test(call))
      problems.push(`sets budgets but ${m[1]} gets no clock: ${call.replace(/\s+/g, ' ').slice(0, 80)}`);
  }
  return problems;
}

describe('test clocks', () => {
  it('every test file that sets a budget runs its server on a chosen clock (or says why not)', () => {
    const files = execFileSync('git', ['ls-files', '*.test.ts', ':!packages/reporter', ':!lint/test-clocks.test.ts'], {
      cwd: ROOT,
      encoding: 'utf8',
    })
      .split('\n')
      .filter(Boolean);
    const found = files.flatMap((f) => clockProblems(readFileSync(join(ROOT, f), 'utf8')).map((p) => `${f}: ${p}`));
    expect(found).toEqual([]);
  });

  it('flags a budget on the wall clock, and takes a chosen clock or a reason', () => {
    const budget = "await mutate('towns.setBudget', { period: 'day' });";
    expect(clockProblems(`const s = await startTestServer({ autoTick: false });\n${budget}`)).toHaveLength(1);
    expect(clockProblems(`const s = await startTestServer({ autoTick: false, clock });\n${budget}`)).toEqual([]);
    expect(clockProblems(`startTownServer('gg-x', 'T', { clock: middayClock('Europe/Paris') });\n${budget}`)).toEqual([]);
    expect(clockProblems(`// clock-free: refusals only\nstartTestServer();\n${budget}`)).toEqual([]);
    expect(clockProblems(`const host = useHost(start);\n${budget}`)).toHaveLength(1);
    expect(clockProblems('const clock = middayClock();\nrecords: [{ at: Date.now() }]')).toHaveLength(1);
    expect(clockProblems("startTownServer('gg-x', 'T');\nclick({ name: 'Save budget' });")).toHaveLength(1);
    expect(clockProblems('startTestServer();')).toEqual([]);
  });
});
