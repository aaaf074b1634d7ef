import { AppError } from '../errors.js';
import { keeps, TIERS, type Tier } from './tiers.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;
/** Bucket sizes a chart may get. Every one is a multiple of the raw 5 s slot. */
export const STEPS = [
  5 * S,
  10 * S,
  15 * S,
  30 * S,
  M,
  2 * M,
  5 * M,
  10 * M,
  15 * M,
  30 * M,
  H,
  2 * H,
  3 * H,
  6 * H,
  12 * H,
  D,
  2 * D,
  7 * D,
];

export const DEFAULT_MAX_POINTS = 500;
export const MAX_MAX_POINTS = 5000;
/**
 * The latest epoch ms a query may name (the year 2286, as for ingest). Calendar buckets reach a few
 * times past a range's end, and Intl fails past the year 275760: the bound keeps them well inside.
 */
export const MAX_QUERY_EPOCH_MS = 10_000_000_000_000;

export interface Resolution {
  /** Bucket size in ms. */
  step: number;
  /** Start of the first bucket: `from` rounded down to a multiple of step. */
  start: number;
  /** Number of buckets; the last ends at start + count * step, at or after `to`. */
  count: number;
  /** The coarsest stored tier whose slots fit the step exactly. */
  tier: Tier;
}

/**
 * The one place that decides the bucket size of a range (the UI never recomputes it):
 * the smallest step with at most maxPoints buckets, no finer than the finest tier that still keeps
 * `from`, read from the coarsest tier whose resolution divides it.
 */
export function chooseResolution(
  from: number,
  to: number,
  now: number,
  maxPoints = DEFAULT_MAX_POINTS,
  minStepMs = 0,
): Resolution {
  for (const [path, t] of [
    ['from', from],
    ['to', to],
  ] as const) {
    if (!Number.isSafeInteger(t) || t < 0 || t > MAX_QUERY_EPOCH_MS) {
      throw new AppError('bad_request', `${path} must be integer epoch milliseconds from 0 to ${MAX_QUERY_EPOCH_MS}`, { path });
    }
  }
  if (to <= from) throw new AppError('bad_request', 'to must be after from', { path: 'to' });
  if (!Number.isInteger(maxPoints) || maxPoints < 1 || maxPoints > MAX_MAX_POINTS) {
    throw new AppError('bad_request', `maxPoints must be an integer from 1 to ${MAX_MAX_POINTS}`, { path: 'maxPoints' });
  }
  const finest = TIERS.find((t) => keeps(t, from, now)) ?? (TIERS.at(-1) as Tier);
  for (const step of candidateSteps(Math.max(Math.abs(from), Math.abs(to)))) {
    if (step < finest.resolutionMs || step < minStepMs) continue;
    const start = Math.floor(from / step) * step;
    const count = Math.ceil((to - start) / step);
    if (count > maxPoints) continue;
    const tier = [...TIERS].reverse().find((t) => step % t.resolutionMs === 0) as Tier;
    return { step, start, count, tier };
  }
  throw new AppError('internal', 'no step fits the range'); // unreachable: candidateSteps grows until one bucket covers it
}

/** The listed steps, then ever larger multiples of a day, until a single aligned bucket covers the range. */
function* candidateSteps(magnitude: number): Generator<number> {
  yield* STEPS;
  for (let step = 14 * D; step <= 4 * Math.max(magnitude, D); step *= 2) yield step;
}
