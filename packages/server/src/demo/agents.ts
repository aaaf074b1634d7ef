import type { Random } from './random.js';

/** A demo town's crew, after Gas Town's roles: a mayor, a witness on patrol, a refinery that merges, polecats that build. */
export interface AgentSpec {
  id: string;
  role: 'mayor' | 'witness' | 'refinery' | 'polecat';
  model: string;
  /** Runs away: once on a bead it never finishes, writes no lines and hardly rests (trips the runaway rules). */
  runaway?: boolean;
}

export const DEMO_AGENTS: readonly AgentSpec[] = [
  { id: 'mayor', role: 'mayor', model: 'claude-opus-4-1' },
  { id: 'witness', role: 'witness', model: 'claude-haiku-4-5' },
  { id: 'refinery', role: 'refinery', model: 'claude-sonnet-4-5' },
  { id: 'polecat-1', role: 'polecat', model: 'claude-sonnet-4-5' },
  { id: 'polecat-2', role: 'polecat', model: 'claude-sonnet-4-5' },
  { id: 'polecat-3', role: 'polecat', model: 'gpt-5' },
  { id: 'polecat-4', role: 'polecat', model: 'claude-sonnet-4-5' },
  { id: 'polecat-5', role: 'polecat', model: 'claude-opus-4-1', runaway: true },
];

/** One assistant message's final token counts and how long it streams, by role. */
export interface MessageShape {
  inputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  outputTokens: number;
  reasoningTokens: number;
  durationMs: number;
}

export function messageShape(rng: Random, spec: AgentSpec): MessageShape {
  const reasoning = spec.model === 'gpt-5' ? rng.int(200, 3000) : spec.model.includes('opus') ? rng.int(0, 1200) : 0;
  switch (spec.role) {
    case 'witness':
      return shape(rng.int(300, 2000), rng.int(5_000, 40_000), rng.int(0, 800), rng.int(50, 400), 0, rng.int(2_000, 6_000));
    case 'mayor':
      return shape(
        rng.int(800, 5000),
        rng.int(20_000, 120_000),
        rng.int(500, 4000),
        rng.int(200, 1500),
        reasoning,
        rng.int(6_000, 20_000),
      );
    case 'refinery':
      return shape(
        rng.int(1000, 8000),
        rng.int(20_000, 100_000),
        rng.int(500, 5000),
        rng.int(200, 1200),
        0,
        rng.int(4_000, 12_000),
      );
    case 'polecat':
      return shape(
        rng.int(500, 6000),
        rng.int(10_000, 90_000),
        rng.int(500, 6000),
        rng.int(150, 2500),
        reasoning,
        rng.int(4_000, 25_000),
      );
  }
}

function shape(
  inputTokens: number,
  cacheReadTokens: number,
  cacheWriteTokens: number,
  outputTokens: number,
  reasoningTokens: number,
  durationMs: number,
): MessageShape {
  return { inputTokens, cacheReadTokens, cacheWriteTokens, outputTokens, reasoningTokens, durationMs };
}

/** Pause between messages (tool calls, tests running), by role: the mayor thinks rarely, polecats often. */
export function restMs(rng: Random, spec: AgentSpec): number {
  if (spec.runaway) return rng.int(300, 1_500);
  if (spec.role === 'mayor') return rng.int(20_000, 70_000);
  if (spec.role === 'witness') return rng.int(8_000, 30_000);
  return rng.int(1_000, 6_000);
}

export const BEAD_TITLES = [
  'Add retry with backoff to the outbox',
  'Fix flaky timeseries test',
  'Paginate the event feed',
  'Normalize cache tokens for OTLP',
  'Dark theme for the charts',
  'Rate-limit the login form',
  'Split the scheduler into due table and timer',
  'Document the ingest token TTL',
  'Speed up rollup pruning',
  'Handle SIGTERM in the reporter',
  'Cursor sync across charts',
  'Migrate sessions to the control DB',
  'Gas tank balance from provider API',
  'Worktree LOC poller reports 0/0 after merge',
];
