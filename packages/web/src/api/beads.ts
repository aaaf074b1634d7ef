/** Fetchers for beads (per-task accounts) and a town's runaway rules; types inferred from the router. */
import { trpc } from './trpc.js';

export type BeadsListInput = Parameters<typeof trpc.beads.list.query>[0];
export type BeadsPage = Awaited<ReturnType<typeof trpc.beads.list.query>>;
export type BeadRow = BeadsPage['items'][number];
export type BeadSort = NonNullable<BeadsListInput['sort']>;
export type BeadStatusFilter = NonNullable<BeadsListInput['status']>;
export type BeadStats = Awaited<ReturnType<typeof trpc.beads.stats.query>>;
export type BeadDetail = Awaited<ReturnType<typeof trpc.beads.get.query>>;
export type TimelineEntry = BeadDetail['timeline'][number];

export type RunawayRules = Parameters<typeof trpc.towns.setRunawayRules.mutate>[0];
export type RunawayRulesSettings = Omit<RunawayRules, 'townId'>;
/** The rules and the episodes under way (an agent or bead a rule flags now). */
export type RunawayRulesState = Awaited<ReturnType<typeof trpc.towns.getRunawayRules.query>>;
export type RunawayEpisode = RunawayRulesState['episodes'][number];

export function fetchBeads(input: BeadsListInput, signal: AbortSignal): Promise<BeadsPage> {
  return trpc.beads.list.query(input, { signal });
}

export function fetchBeadStats(input: { townId: string; from: number; to: number }, signal: AbortSignal): Promise<BeadStats> {
  return trpc.beads.stats.query(input, { signal });
}

export function fetchBead(townId: string, beadId: string, signal: AbortSignal): Promise<BeadDetail> {
  return trpc.beads.get.query({ townId, beadId }, { signal });
}

export function fetchRunawayRules(townId: string, signal: AbortSignal): Promise<RunawayRulesState> {
  return trpc.towns.getRunawayRules.query({ townId }, { signal });
}

export function saveRunawayRules(rules: RunawayRules): Promise<RunawayRulesSettings> {
  return trpc.towns.setRunawayRules.mutate(rules);
}
