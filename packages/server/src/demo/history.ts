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
 * agent per bucket (finer for recent time, see GRAIN), and beads opened and closed through each hour.
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
  const events: EventWire[] = [];
  // Up to the current 5 s slot, where the live fleet takes over: no gap between history and now.
  const end = Math.floor(now / 5000) * 5000;
  let lastHour = -1;
  for (let t = end - days * DAY; t < end; ) {
    const bucket = grainAt(end - t);
    const level = activity(t);
    for (const spec of specs) {
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
    const hour = Math.floor(t / HOUR) * HOUR;
    if (hour !== lastHour) events.push(...hourOfBeads(rng, hour, activity(hour), specs));
    lastHour = hour;
    t += bucket;
  }
  // A bead opened late in the last hour may close after now: leave it open rather than report the future.
  return { usage, events: events.filter((e) => e.at < now) };
}

/**
 * The tokens an agent used in one bucket: the share of one typical message that its working time in
 * the bucket covers, at the day's activity level, with noise; sometimes none (idle).
 */
function bucketTokens(rng: Random, spec: AgentSpec, bucketMs: number, level: number): Tokens | undefined {
  if (!rng.chance(0.3 + 0.65 * level)) return undefined;
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

function hourOfBeads(rng: Random, hourStart: number, level: number, specs: readonly AgentSpec[]): EventWire[] {
  const polecats = specs.filter((s) => s.role === 'polecat');
  const events: EventWire[] = [];
  const n = Math.round(rng.int(3, 9) * level);
  for (let i = 0; i < n; i++) {
    const beadId = `gt-h${(hourStart / HOUR).toString(36)}${i}`;
    const opened = hourStart + rng.int(0, 30 * MINUTE);
    const assigneeAgentId = rng.pick(polecats).id;
    // Most beads close within half an hour; a few drag on for hours and cost many times as much.
    const closed = opened + (rng.chance(0.05) ? rng.int(60, 180) : rng.int(5, 29)) * MINUTE;
    const title = rng.pick(BEAD_TITLES);
    // The agent events say who worked on it when, so the history's usage is attributed to its beads.
    const role = 'polecat';
    events.push(
      { id: `demo-h-${beadId}-open`, at: opened, type: 'bead', beadId, status: 'open', kind: 'task', title, assigneeAgentId },
      { id: `demo-h-${beadId}-take`, at: opened, type: 'agent', agentId: assigneeAgentId, role, status: 'working', beadId },
      { id: `demo-h-${beadId}-start`, at: opened, type: 'bead', beadId, status: 'in_progress', assigneeAgentId },
      { id: `demo-h-${beadId}-closed`, at: closed, type: 'bead', beadId, status: 'closed', assigneeAgentId },
      { id: `demo-h-${beadId}-done`, at: closed, type: 'agent', agentId: assigneeAgentId, role, status: 'idle' },
    );
  }
  return events;
}
