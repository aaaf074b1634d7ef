/**
 * The procedures added in the lead's metrics router after the UI began (agents, events, breakdown).
 * They are called only from here, with the result shapes written out, so a contract change shows up
 * as a type error in this one file.
 */
import { trpc } from './trpc.js';

export interface AgentRow {
  id: string;
  role: string | null;
  status: string;
  beadId: string | null;
  /** null for an agent seen only through its usage. */
  lastSeenAt: number | null;
  tokensLastHour: number;
}

export interface FeedEvent {
  id: string;
  at: number;
  type: string;
  agentId: string | null;
  beadId: string | null;
  status: string | null;
  body?: unknown;
}

export interface BreakdownInput {
  townId: string;
  from: number;
  to: number;
  maxPoints: number;
  by: 'agent' | 'model';
  metric: 'tokens' | 'cost';
}

export interface Breakdown {
  step: number;
  t: number[];
  series: Record<string, (number | null)[]>;
}

export async function fetchAgents(townId: string, signal: AbortSignal): Promise<AgentRow[]> {
  const r: { agents: AgentRow[] } = await trpc.metrics.agents.query({ townId }, { signal });
  return r.agents;
}

export async function fetchEvents(townId: string, limit: number, signal: AbortSignal): Promise<FeedEvent[]> {
  const r: { events: FeedEvent[] } = await trpc.metrics.events.query({ townId, limit }, { signal });
  return r.events;
}

export function fetchBreakdown(input: BreakdownInput, signal: AbortSignal): Promise<Breakdown> {
  return trpc.metrics.breakdown.query(input, { signal });
}
