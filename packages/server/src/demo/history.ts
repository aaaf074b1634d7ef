import { type AgentSpec, BEAD_TITLES, DEMO_AGENTS, messageShape, restMs } from './agents.js';
import { costMicrodollars, providerOf, type Tokens } from './models.js';
import type { Random } from './random.js';
import type { EventWire, UsageWire } from './wire.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** A working day's shape: quiet at night (UTC), busiest mid-afternoon. */
export function activity(at: number): number {
  const hour = (at % DAY) / HOUR;
  return 0.25 + 0.75 * Math.max(0, Math.sin(((hour - 6) / 16) * Math.PI));
}

/** The chance an agent spends at all in a bucket of history at activity `level`; when it does, it works a share `level`. */
function spendChance(level: number): number {
  return 0.3 + 0.65 * level;
}

/**
 * The share of its busiest rate an agent of the crew spends at `at`, on average: what the history writes there, and
 * what the live fleet keeps to (so its burn goes on from the history's instead of jumping at "now").
 */
export function crewShareAt(at: number): number {
  const level = activity(at);
  return (spendChance(level) * level) / spendChance(1);
}

/**
 * How finely history is written, by age: as fine as the charts show that age by default (5 s over the
 * last hour, so the 15m and 1h presets are not a comb of one record a minute), coarser further back.
 */
const GRAIN: readonly [maxAgeMs: number, bucketMs: number][] = [
  [HOUR, 5_000],
  [6 * HOUR, 30_000],
  [DAY, MINUTE],
  [Number.POSITIVE_INFINITY, 10 * MINUTE],
];

function grainAt(ageMs: number): number {
  return (GRAIN.find(([maxAge]) => ageMs <= maxAge) ?? [0, 10 * MINUTE])[1];
}

/**
 * The past week of a demo town, so the charts have a history on first start: one delta record per
 * agent per bucket (finer for recent time, see GRAIN), and the beads the polecats work one after another.
 * Records are deltas with ids derived from the agent and bucket, so posting the same history twice
 * counts it once.
 */
export function history(
  rng: Random,
  now: number,
  days = 7,
  specs: readonly AgentSpec[] = DEMO_AGENTS,
): { usage: UsageWire[]; events: EventWire[] } {
  const usage: UsageWire[] = [];
  // Up to the current 5 s slot, where the live fleet takes over: no gap between history and now.
  const end = Math.floor(now / 5000) * 5000;
  const start = end - days * DAY;
  const { events, working } = beadsOf(rng, start, end, specs);
  for (let t = start; t < end; ) {
    const bucket = grainAt(end - t);
    const level = activity(t);
    for (const spec of specs) {
      // A polecat spends while it works a bead; the mayor, witness and refinery spend on no bead.
      if (spec.role === 'polecat' && !working.get(spec.id)?.at(t)) continue;
      const tokens = bucketTokens(rng, spec, bucket, level);
      if (!tokens) continue;
      usage.push({
        id: `demo-h-${spec.id}-${t}`,
        agentId: spec.id,
        model: spec.model,
        provider: providerOf(spec.model),
        ...tokens,
        costMicrodollars: costMicrodollars(spec.model, tokens),
        at: t + rng.int(0, bucket - 1),
        mode: 'delta',
      });
    }
    t += bucket;
  }
  // A bead opened late may close after now: leave it open rather than report the future.
  return { usage, events: events.filter((e) => e.at < now) };
}

/**
 * The tokens an agent used in one bucket: the share of one typical message that its working time in
 * the bucket covers, at the day's activity level, with noise; sometimes none (idle).
 */
function bucketTokens(rng: Random, spec: AgentSpec, bucketMs: number, level: number): Tokens | undefined {
  if (!rng.chance(spendChance(level))) return undefined;
  const m = messageShape(rng, spec);
  // The refinery only works while something waits for review.
  const duty = level * (spec.role === 'refinery' ? 0.4 : 1) * (0.5 + rng.next());
  const share = (bucketMs * duty) / (m.durationMs + restMs(rng, spec));
  const tokens: Tokens = {
    inputTokens: Math.round(m.inputTokens * share),
    outputTokens: Math.round(m.outputTokens * share),
    reasoningTokens: Math.round(m.reasoningTokens * share),
    cacheReadTokens: Math.round(m.cacheReadTokens * share),
    cacheWriteTokens: Math.round(m.cacheWriteTokens * share),
  };
  return tokens.inputTokens + tokens.outputTokens > 0 ? tokens : undefined;
}

/** When one agent works: sorted, disjoint [from, to) intervals, asked in increasing time order. */
class Shifts {
  private readonly spans: [number, number][] = [];
  private i = 0;

  add(from: number, to: number): void {
    this.spans.push([from, to]);
  }

  /** Whether `t` falls in a span; each call's `t` is at least the previous call's. */
  at(t: number): boolean {
    while (this.i < this.spans.length && (this.spans[this.i] as [number, number])[1] <= t) this.i++;
    const span = this.spans[this.i];
    return span !== undefined && span[0] <= t;
  }
}

/**
 * Each polecat works beads one after another, as Gas Town slings the next when one closes, with idle
 * gaps (longer at night): most beads close within half an hour, a few drag on for hours and cost many
 * times as much. The agent events say who worked on which bead when, so the history's spend is
 * attributed to its beads.
 */
function beadsOf(
  rng: Random,
  from: number,
  to: number,
  specs: readonly AgentSpec[],
): { events: EventWire[]; working: Map<string, Shifts> } {
  const events: EventWire[] = [];
  const working = new Map<string, Shifts>();
  const role = 'polecat';
  specs.forEach((spec, index) => {
    if (spec.role !== role) return;
    const shifts = new Shifts();
    working.set(spec.id, shifts);
    for (let opened = from; opened < to; ) {
      if (!rng.chance(0.35 + 0.6 * activity(opened))) {
        opened += rng.int(5, 40) * MINUTE;
        continue;
      }
      const beadId = `gt-h${Math.floor(opened / MINUTE).toString(36)}${index}`;
      const closed = opened + (rng.chance(0.05) ? rng.int(60, 180) : rng.int(5, 29)) * MINUTE;
      const title = rng.pick(BEAD_TITLES);
      const assigneeAgentId = spec.id;
      events.push(
        { id: `demo-h-${beadId}-open`, at: opened, type: 'bead', beadId, status: 'open', kind: 'task', title, assigneeAgentId },
        { id: `demo-h-${beadId}-take`, at: opened, type: 'agent', agentId: spec.id, role, status: 'working', beadId },
        { id: `demo-h-${beadId}-start`, at: opened, type: 'bead', beadId, status: 'in_progress', assigneeAgentId },
        { id: `demo-h-${beadId}-closed`, at: closed, type: 'bead', beadId, status: 'closed', assigneeAgentId },
        { id: `demo-h-${beadId}-done`, at: closed, type: 'agent', agentId: spec.id, role, status: 'idle' },
      );
      shifts.add(opened, closed);
      opened = closed + rng.int(1, 4) * MINUTE; // never at the same instant as the idle event
    }
  });
  events.sort((a, b) => a.at - b.at);
  return { events, working };
}
