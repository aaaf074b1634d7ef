import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { peakRssMiB, resetPeakRss, settledRssMiB } from './memory.js';
import { fmtDelta } from './stats.js';

const BENCH = fileURLToPath(new URL('.', import.meta.url));

describe('bench memory figures', () => {
  it('samples RSS after a full collection: garbage made before the sample is gone', async () => {
    const ref = new WeakRef(Array.from({ length: 100 }, () => new Array(10_000).fill(1)));
    await new Promise((r) => setImmediate(r)); // a WeakRef's target lives until the end of the turn that made it
    expect(settledRssMiB()).toBeGreaterThan(0);
    expect(ref.deref()).toBeUndefined();
  });

  it('reads the peak RSS, from the reset on', () => {
    expect(resetPeakRss()).toBe(true);
    const peak = peakRssMiB();
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeGreaterThanOrEqual(process.memoryUsage().rss / 2 ** 20 - 1);
  });

  it('prints a change with one sign, never "+-"', () => {
    expect([fmtDelta(-236.4), fmtDelta(1234.6), fmtDelta(0.2), fmtDelta(-0.4)]).toEqual(['−236', '+1,235', '0', '0']);
  });

  it('no bench row glues a "+" before a formatted number (fmtDelta signs a change)', () => {
    const glued = readdirSync(BENCH)
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .flatMap((f) => (readFileSync(`${BENCH}${f}`, 'utf8').match(/\+\$\{fmt\w*\(/g) ?? []).map((m) => `${f}: ${m}`));
    expect(glued).toEqual([]);
  });
});
