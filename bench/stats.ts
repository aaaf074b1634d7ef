/** Nearest-rank percentile (p in 0..100) of unsorted samples. */
export function percentile(samples: ArrayLike<number>, p: number): number {
  const sorted = Float64Array.from(samples).sort();
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}

export function mean(samples: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i] as number;
  return sum / samples.length;
}

/** Times `fn` once in milliseconds. */
export function timeMs(fn: () => unknown): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

// biome-ignore lint/plugin/no-intl-per-call: a module constant, built once
const GROUPED = new Intl.NumberFormat('en-US');
export const fmtInt = (n: number): string => GROUPED.format(Math.round(n));
/** A change, always signed: "+12", "−236" (a minus sign), "0"; never "+-236" from a "+" glued before fmtInt. */
export const fmtDelta = (n: number): string => {
  const r = Math.round(n);
  return `${r > 0 ? '+' : r < 0 ? '−' : ''}${fmtInt(Math.abs(r))}`;
};
export const fmtMs = (n: number): string => `${n < 1 ? n.toFixed(3) : n < 10 ? n.toFixed(2) : n.toFixed(1)} ms`;

/** Mean wall time of `runs` calls of fn, after one warm-up call (for the standalone bench scripts). */
export function meanMs(fn: () => unknown, runs = 5): number {
  fn();
  const started = performance.now();
  for (let i = 0; i < runs; i++) fn();
  return (performance.now() - started) / runs;
}

/**
 * Mean wall times of `a` and `b`, timed in alternation (`rounds` rounds of meanMs with `runs` calls each), so
 * both see the same machine state: [a ms, b ms].
 */
export function alternatedMeanMs(a: () => unknown, b: () => unknown, rounds = 3, runs = 2): [number, number] {
  let ta = 0;
  let tb = 0;
  for (let r = 0; r < rounds; r++) {
    ta += meanMs(a, runs) / rounds;
    tb += meanMs(b, runs) / rounds;
  }
  return [ta, tb];
}
