/** Fetchers for the agent table, the event feed and the breakdown charts; types inferred from the router. */
import { trpc } from './trpc.js';

export type AgentsPage = Awaited<ReturnType<typeof trpc.metrics.agents.query>>;
export type AgentRow = AgentsPage['agents'][number];
export type FeedEvent = Awaited<ReturnType<typeof trpc.metrics.events.query>>['events'][number];
export type BreakdownInput = Parameters<typeof trpc.metrics.breakdown.query>[0];
export type Breakdown = Awaited<ReturnType<typeof trpc.metrics.breakdown.query>>;
export type Timeseries = Awaited<ReturnType<typeof trpc.metrics.timeseries.query>>;
/** The timeseries' fixed series names (counters, gauges, `<gauge>_max`). */
export type SeriesName = keyof Timeseries['series'];

/** The first `limit` agents by id; `nextCursor` is set when the town has more. */
export function fetchAgents(townId: string, limit: number, signal: AbortSignal): Promise<AgentsPage> {
  return trpc.metrics.agents.query({ townId, limit }, { signal });
}

/** The newest `limit` events; a note's data over 1 KiB is left out (`dataOmitted`), so a refetch stays small. */
export async function fetchEvents(townId: string, limit: number, signal: AbortSignal): Promise<FeedEvent[]> {
  return (await trpc.metrics.events.query({ townId, limit }, { signal })).events;
}

export function fetchBreakdown(input: BreakdownInput, signal: AbortSignal): Promise<Breakdown> {
  return trpc.metrics.breakdown.query(input, { signal });
}
