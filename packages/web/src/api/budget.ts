/** A town's spending cap (towns.setBudget); the current one comes with the throughput (metrics.throughput). */
import { trpc } from './trpc.js';

export type BudgetPeriod = Parameters<typeof trpc.towns.setBudget.mutate>[0]['period'];

export async function fetchBudget(townId: string, signal: AbortSignal) {
  return (await trpc.metrics.throughput.query({ townId }, { signal })).budget;
}

/** `capMicrodollars: null` removes the cap. */
export function saveBudget(townId: string, period: BudgetPeriod, capMicrodollars: number | null, tz: string) {
  return trpc.towns.setBudget.mutate({ townId, period, capMicrodollars, tz });
}
