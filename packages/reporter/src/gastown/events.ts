import { boundedId } from '../ids.js';
import { type JsonFields, jsonDepthOver } from '../json.js';
import type { AgentStatus, BeadStatus, TownEvent } from '../wire.js';

/** One line of `<town>/.events.jsonl`, as Gas Town's `events.Log` writes it. */
export interface GtEvent {
  ts: string;
  source?: string;
  type: string;
  actor?: string;
  payload?: JsonFields;
  visibility?: string;
}

export interface MapContext {
  /** The bead a branch carried, from an earlier `done` event (`merged` names only the branch). */
  beadForBranch: (branch: string) => string | undefined;
}

export interface Mapped {
  events: TownEvent[];
  /** A `done` event ties a branch to its bead, for the `merged` that follows. */
  branch?: { branch: string; beadId: string };
}

const MAX_NOTE_DATA_CHARS = 2000;
/** The server's bound on a note's nesting (MAX_NOTE_DATA_DEPTH in packages/api/src/ingest/json-bounds.ts). */
export const MAX_NOTE_DATA_DEPTH = 32;

/** `gastown/polecats/Toast` → polecat; `mayor` → mayor. */
export function roleOf(agentId: string): string | undefined {
  const parts = agentId.split('/');
  if (parts.length === 1 && (parts[0] === 'mayor' || parts[0] === 'deacon')) return parts[0];
  if (parts[1] === 'polecats') return 'polecat';
  if (parts[1] === 'crew') return 'crew';
  if (parts[1] === 'refinery' || parts[1] === 'witness') return parts[1];
  return undefined;
}

/** Gas Town writes `mayor/` for the mayor in places; one spelling per agent. */
function agentName(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const s = v.replace(/\/+$/, '').trim();
  return s === '' ? undefined : s;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * Maps one Gas Town event to Gas Gauge events (the table in packages/reporter/README.md). `id` is the
 * line's stable id; each event made from it gets a suffix, so a line read twice sends the same ids.
 * Types without a mapping pass through as notes named `gt.<type>`.
 */
export function mapGastownEvent(e: GtEvent, id: string, at: number, ctx: MapContext): Mapped {
  const p = e.payload ?? {};
  const actor = agentName(e.actor);
  const agent = (agentId: string | undefined, status: AgentStatus, beadId?: string): TownEvent[] => {
    if (!agentId) return [];
    // Ids cut to what the server takes (boundedId), as every source's are: a 300-character bead id made
    // the server refuse the agent's status change with it, and the reporter quarantine both.
    const ev: TownEvent = { id: `${id}:agent`, at, type: 'agent', agentId: boundedId(agentId), status };
    const role = roleOf(agentId);
    if (role) ev.role = role;
    if (beadId) ev.beadId = boundedId(beadId);
    return [ev];
  };
  const bead = (beadId: string | undefined, status: BeadStatus, assignee?: string): TownEvent[] => {
    if (!beadId) return [];
    const ev: TownEvent = { id: `${id}:bead`, at, type: 'bead', beadId: boundedId(beadId), status };
    if (assignee) ev.assigneeAgentId = boundedId(assignee);
    return [ev];
  };
  const beadId = str(p.bead);

  switch (e.type) {
    case 'spawn': {
      const rig = str(p.rig);
      const polecat = str(p.polecat);
      if (rig && polecat) return { events: agent(`${rig}/polecats/${polecat}`, 'idle') };
      break;
    }
    case 'session_start':
      if (actor) return { events: agent(actor, 'working') };
      break;
    case 'session_end':
      if (actor) return { events: agent(actor, 'idle') };
      break;
    case 'sling': {
      const target = agentName(p.target);
      if (beadId) return { events: [...bead(beadId, 'in_progress', target), ...agent(target, 'working', beadId)] };
      break;
    }
    case 'hook':
      if (beadId) return { events: [...bead(beadId, 'in_progress', actor), ...agent(actor, 'working', beadId)] };
      break;
    case 'unhook':
      if (beadId) return { events: [...bead(beadId, 'open'), ...agent(actor, 'idle')] };
      break;
    case 'done': {
      if (!beadId) break;
      const branch = str(p.branch);
      const mapped: Mapped = { events: [...bead(beadId, 'in_review', actor), ...agent(actor, 'idle')] };
      if (branch) mapped.branch = { branch, beadId };
      return mapped;
    }
    case 'merged': {
      const branch = str(p.branch);
      const merged = branch ? ctx.beadForBranch(branch) : undefined;
      if (merged) return { events: [...bead(merged, 'closed'), note(e, id, at)] };
      break;
    }
    case 'kill': {
      const target = agentName(p.target);
      const rig = str(p.rig);
      const killed = target && !target.includes('/') && rig ? `${rig}/polecats/${target}` : target;
      if (killed) return { events: agent(killed, 'dead') };
      break;
    }
    case 'session_death': {
      const dead = agentName(p.agent) ?? actor;
      if (dead) return { events: agent(dead, 'dead') };
      break;
    }
  }
  return { events: [note(e, id, at)] };
}

type NoteData = Extract<TownEvent, { type: 'note' }>['data'];

function note(e: GtEvent, id: string, at: number): TownEvent {
  // The payload came from JSON.parse of the event log, so it is JSON. Its depth is measured without
  // recursion before JSON.stringify walks it (recursively: a line of 300,000 `[` overflowed the stack
  // and stopped the source on that line for good), and a note the server would refuse is not sent.
  let data = { actor: e.actor, ...(e.payload ?? {}) } as NoteData;
  if (jsonDepthOver(data, MAX_NOTE_DATA_DEPTH) || JSON.stringify(data).length > MAX_NOTE_DATA_CHARS)
    data = { actor: typeof e.actor === 'string' ? e.actor.slice(0, MAX_NOTE_DATA_CHARS) : null, truncated: true };
  return { id: `${id}:note`, at, type: 'note', name: `gt.${e.type}`.slice(0, 256), data };
}
