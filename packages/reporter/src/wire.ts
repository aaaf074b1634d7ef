/**
 * The records the ingest API takes (docs/api.md is the authority). Declared here rather than imported,
 * because the reporter runs beside the agents without the server's packages; the e2e tests post them
 * to the real server, so a drift fails a test.
 */

export interface UsageRecord {
  /** Cumulative: one response's id; its totals only grow. */
  id: string;
  agentId: string;
  model: string;
  provider?: string;
  inputTokens: number;
  outputTokens: number;
  reasoningTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  costMicrodollars: number;
  at: number;
  mode?: 'cumulative' | 'delta';
}

export interface LocReport {
  agentId: string;
  additions: number;
  deletions: number;
  files?: number;
}

export type AgentStatus = 'idle' | 'working' | 'waiting' | 'stalled' | 'dead';
export type BeadStatus = 'open' | 'in_progress' | 'in_review' | 'blocked' | 'closed' | 'failed';

export type TownEvent =
  | { id: string; at: number; type: 'agent'; agentId: string; role?: string; status: AgentStatus; beadId?: string }
  | {
      id: string;
      at: number;
      type: 'bead';
      beadId: string;
      status: BeadStatus;
      kind?: string;
      title?: string;
      assigneeAgentId?: string;
    }
  | { id: string; at: number; type: 'note'; name: string; data?: unknown };

/** The three things the outbox holds, each with the route it goes to and the body key it is sent under. */
export type RecordKind = 'usage' | 'loc' | 'event';

export const ROUTES: Record<RecordKind, { path: string; key: 'records' | 'agents' | 'events' }> = {
  usage: { path: 'usage', key: 'records' },
  loc: { path: 'loc', key: 'agents' },
  event: { path: 'events', key: 'events' },
};

/** Server bounds (packages/api/src/ingest/schemas.ts): ids are 1..256 characters. */
export const MAX_ID_LENGTH = 256;
