import type { Tokens } from './models.js';

/** The ingest API's JSON bodies (docs/api.md), as the demo fleet posts them. */
export interface UsageWire extends Tokens {
  id: string;
  agentId: string;
  model: string;
  provider: string;
  costMicrodollars: number;
  at: number;
  mode?: 'cumulative' | 'delta';
}

export type EventWire =
  | { id: string; at: number; type: 'agent'; agentId: string; role: string; status: string; beadId?: string }
  | {
      id: string;
      at: number;
      type: 'bead';
      beadId: string;
      status: string;
      kind?: string;
      title?: string;
      assigneeAgentId?: string;
      parentId?: string;
    }
  | { id: string; at: number; type: 'note'; name: string; data?: unknown };

export interface LocWire {
  agentId: string;
  additions: number;
  deletions: number;
  files?: number;
}

/** What the fleet posts in one step; empty lists are not posted. */
export interface Batch {
  usage: UsageWire[];
  events: EventWire[];
  loc: LocWire[];
}
