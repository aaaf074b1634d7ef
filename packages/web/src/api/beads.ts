/**
 * Fetchers for beads (per-task accounts) and a town's runaway rules; bead types inferred from the router.
 * CONTRACT SHIM: the runaway rules and the agents' bead fields are /work/briefs/beads-contract.md,
 * written out until the router has them; then they are inferred like the rest.
 */
import { trpc } from './trpc.js';

export type BeadsListInput = Parameters<typeof trpc.beads.list.query>[0];
export type BeadsPage = Awaited<ReturnType<typeof trpc.beads.list.query>>;
export type BeadRow = BeadsPage['items'][number];
export type BeadSort = NonNullable<BeadsListInput['sort']>;
export type BeadStatusFilter = NonNullable<BeadsListInput['status']>;
export type BeadStats = Awaited<ReturnType<typeof trpc.beads.stats.query>>;
export type BeadDetail = Awaited<ReturnType<typeof trpc.beads.get.query>>;
export type TimelineEntry = BeadDetail['timeline'][number];

export interface RunawayRulesSettings {
  spendRate: { enabled: boolean; microdollars: number; windowMinutes: number };
  noProgress: { enabled: boolean; minutes: number; minMicrodollars: number };
  beadBudgetMicrodollars: number | null;
}
export type RunawayRules = RunawayRulesSettings & { townId: string };
/** What metrics.agents adds to each agent for beads and runaway rules. */
export interface AgentBeadFields {
  costLastHourMicrodollars: number;
  currentBeadId: string | null;
  currentBeadCostMicrodollars: number | null;
  runaway: null | { rule: 'spendRate' | 'noProgress'; since: number };
}

interface RulesClient {
  towns: {
    getRunawayRules: { query(input: { townId: string }, opts: { signal: AbortSignal }): Promise<RunawayRulesSettings> };
    setRunawayRules: { mutate(input: RunawayRules): Promise<unknown> };
  };
}
const rulesClient = trpc as unknown as RulesClient;

export function fetchBeads(input: BeadsListInput, signal: AbortSignal): Promise<BeadsPage> {
  return trpc.beads.list.query(input, { signal });
}

export function fetchBeadStats(input: { townId: string; from: number; to: number }, signal: AbortSignal): Promise<BeadStats> {
  return trpc.beads.stats.query(input, { signal });
}

export function fetchBead(townId: string, beadId: string, signal: AbortSignal): Promise<BeadDetail> {
  return trpc.beads.get.query({ townId, beadId }, { signal });
}

export function fetchRunawayRules(townId: string, signal: AbortSignal): Promise<RunawayRulesSettings> {
  return rulesClient.towns.getRunawayRules.query({ townId }, { signal });
}

export function saveRunawayRules(rules: RunawayRules): Promise<unknown> {
  return rulesClient.towns.setRunawayRules.mutate(rules);
}
