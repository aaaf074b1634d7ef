/**
 * Fetchers for beads (per-task accounts) and a town's runaway rules.
 * CONTRACT SHIM: the shapes below are /work/briefs/beads-contract.md, written out until the router has
 * the beads procedures; then they are inferred from the router like every other type here.
 */
import { trpc } from './trpc.js';

export type BeadSort = 'cost' | 'tokens' | 'duration' | 'closedAt';
export type BeadStatusFilter = 'open' | 'in_progress' | 'in_review' | 'blocked' | 'closed';

export interface BeadRow {
  beadId: string;
  title: string | null;
  status: string | null;
  parentId: string | null;
  costMicrodollars: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
  agents: string[];
  createdAt: number | null;
  closedAt: number | null;
  durationMs: number | null;
  attempts: number;
}
export interface BeadsListInput {
  townId: string;
  from?: number;
  to?: number;
  status?: BeadStatusFilter;
  sort?: BeadSort;
  cursor?: string;
  limit?: number;
}
export interface BeadsPage {
  items: BeadRow[];
  nextCursor: string | null;
}
export interface BeadStats {
  closedBeads: number;
  costPerClosedBead: { median: number | null; p90: number | null };
  tokensPerLine: number | null;
  neverClosedShare: number;
  noBeadCostMicrodollars: number;
  totalCostMicrodollars: number;
}
export interface TimelineEntry {
  t: number;
  kind: 'status' | 'agent';
  status?: string;
  agentId?: string;
}
export interface BeadDetail {
  bead: BeadRow;
  statusTime: { open: number; in_progress: number; in_review: number; blocked: number };
  locAtReview: number | null;
  children: BeadRow[];
  timeline: TimelineEntry[];
  cost: { step?: number; t: number[]; cost: (number | null)[] };
}
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

interface BeadsClient {
  beads: {
    list: { query(input: BeadsListInput, opts: { signal: AbortSignal }): Promise<BeadsPage> };
    stats: { query(input: { townId: string; from: number; to: number }, opts: { signal: AbortSignal }): Promise<BeadStats> };
    get: { query(input: { townId: string; beadId: string }, opts: { signal: AbortSignal }): Promise<BeadDetail> };
  };
  towns: {
    getRunawayRules: { query(input: { townId: string }, opts: { signal: AbortSignal }): Promise<RunawayRulesSettings> };
    setRunawayRules: { mutate(input: RunawayRules): Promise<unknown> };
  };
}
const client = trpc as unknown as BeadsClient;

export function fetchBeads(input: BeadsListInput, signal: AbortSignal): Promise<BeadsPage> {
  return client.beads.list.query(input, { signal });
}

export function fetchBeadStats(input: { townId: string; from: number; to: number }, signal: AbortSignal): Promise<BeadStats> {
  return client.beads.stats.query(input, { signal });
}

export function fetchBead(townId: string, beadId: string, signal: AbortSignal): Promise<BeadDetail> {
  return client.beads.get.query({ townId, beadId }, { signal });
}

export function fetchRunawayRules(townId: string, signal: AbortSignal): Promise<RunawayRulesSettings> {
  return client.towns.getRunawayRules.query({ townId }, { signal });
}

export function saveRunawayRules(rules: RunawayRules): Promise<unknown> {
  return client.towns.setRunawayRules.mutate(rules);
}
