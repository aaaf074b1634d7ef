import type { ActivityKind, UsageRecord } from '@gasgauge/core';
import { longerThan } from '@gasgauge/core';
import { MAX_ID_CHARS } from '../ingest/schemas.js';
import type { Family } from './points.js';

/** The usage amounts an OTLP point can count into. */
export type Amount =
  | 'inputTokens'
  | 'outputTokens'
  | 'reasoningTokens'
  | 'cacheReadTokens'
  | 'cacheWriteTokens'
  | 'costMicrodollars';

/** Every amount at zero: a log record or a point sets those it carries. */
export function noAmounts(): Record<Amount, number> {
  return { inputTokens: 0, outputTokens: 0, reasoningTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costMicrodollars: 0 };
}

interface MetricMapping {
  /** The attribute naming the kind of tokens, and the amount of each kind (a kind not listed is not counted). */
  kindAttribute?: string;
  kinds?: ReadonlyMap<string, Amount>;
  /**
   * Kinds that are a part of another kind's count (OpenAI's cached input is inside `input`, its
   * reasoning inside `output`; Gemini's cached tokens inside `input`): accepted and not counted, since
   * the town sums the five amounts and would count those tokens twice.
   */
  partsOf?: ReadonlySet<string>;
  /** For a metric of one amount (cost). */
  amount?: Amount;
  /** Multiplies the value (USD → microdollars). */
  scale?: number;
  provider?: string;
  /** The tool whose logs describe the same spend (its first signal counts it: points.ts Sources). */
  family?: Family;
  /**
   * Scopes (meter names) whose points of this metric repeat tokens another metric of the same meter counts:
   * accepted and not counted, like `partsOf`.
   */
  repeatedIn?: ReadonlySet<string>;
}

/**
 * The metrics Gas Gauge counts, by name (a Map: names come from senders). Everything else is accepted,
 * ignored and counted as rejected in `partial_success`.
 */
export const METRICS: ReadonlyMap<string, MetricMapping> = new Map<string, MetricMapping>([
  [
    'claude_code.token.usage',
    {
      kindAttribute: 'type',
      kinds: new Map<string, Amount>([
        ['input', 'inputTokens'],
        ['output', 'outputTokens'],
        ['cacheRead', 'cacheReadTokens'],
        ['cacheCreation', 'cacheWriteTokens'],
      ]),
      provider: 'anthropic',
      family: 'claude_code',
    },
  ],
  ['claude_code.cost.usage', { amount: 'costMicrodollars', scale: 1_000_000, provider: 'anthropic', family: 'claude_code' }],
  [
    'gemini_cli.token.usage',
    {
      kindAttribute: 'type',
      kinds: new Map<string, Amount>([
        ['input', 'inputTokens'],
        ['output', 'outputTokens'],
        ['thought', 'reasoningTokens'],
        ['tool', 'inputTokens'],
      ]),
      partsOf: new Set(['cache']),
      provider: 'google',
    },
  ],
  [
    'codex.turn.token_usage',
    {
      kindAttribute: 'token_type',
      kinds: new Map<string, Amount>([
        ['input', 'inputTokens'],
        ['output', 'outputTokens'],
      ]),
      partsOf: new Set(['cached_input', 'cache_write_input', 'reasoning_output', 'total']),
      provider: 'openai',
      family: 'codex',
    },
  ],
  [
    'gen_ai.client.token.usage',
    {
      kindAttribute: 'gen_ai.token.type',
      kinds: new Map<string, Amount>([
        ['input', 'inputTokens'],
        ['output', 'outputTokens'],
      ]),
      // Gemini CLI records every input and output token twice, in gemini_cli.token.usage and in this histogram
      // (its telemetry/metrics.ts recordTokenUsageMetrics), both from its meter `gemini-cli`: the first counts them.
      repeatedIn: new Set(['gemini-cli']),
    },
  ],
]);

/** An activity metric (core activity.ts): the kind of each `kindAttribute` value, or the one kind. */
export interface ActivityMapping {
  kindAttribute?: string;
  kinds?: ReadonlyMap<string, ActivityKind>;
  kind?: ActivityKind;
  /** Multiplies the value (seconds → ms). */
  scale?: number;
}

/**
 * Claude Code's counters of what its sessions did, counted as town activity (not spend). Lines of code
 * are lines changed, not the lines-of-code gauge (an agent's outstanding diff now), so they are
 * counters of their own. Active time is kept in integer milliseconds.
 */
export const ACTIVITY_METRICS: ReadonlyMap<string, ActivityMapping> = new Map<string, ActivityMapping>([
  [
    'claude_code.lines_of_code.count',
    {
      kindAttribute: 'type',
      kinds: new Map<string, ActivityKind>([
        ['added', 'lines_added'],
        ['removed', 'lines_removed'],
      ]),
    },
  ],
  ['claude_code.commit.count', { kind: 'commits' }],
  ['claude_code.pull_request.count', { kind: 'pull_requests' }],
  ['claude_code.session.count', { kind: 'sessions' }],
  ['claude_code.active_time.total', { kind: 'active_ms', scale: 1000 }],
]);

/**
 * The agent a record names itself (`gt.agent`, else `gt.actor`, else `agent.name`), if any. Not Claude Code's
 * `agent.name`: Claude Code 2.1 sets it on a subagent's points and events to the subagent's type
 * (`general-purpose`, `Explore`), which made one town-wide agent of every session's subagents of a type; their
 * spend is their session's, as in its transcripts.
 */
const namedAgent = (attr: (name: string) => string | undefined) =>
  attr('gt.agent') ?? attr('gt.actor') ?? (attr('service.name') === 'claude-code' ? undefined : attr('agent.name'));
const serviceOf = (attr: (name: string) => string | undefined) => attr('service.name') ?? 'unknown_service';

/** The agent a point belongs to: `gt.agent`, else `gt.actor`, else `agent.name`, else `service.name/session.id`. */
export function agentOf(attr: (name: string) => string | undefined): string {
  const named = namedAgent(attr);
  if (named !== undefined) return named;
  const session = attr('session.id');
  return session === undefined ? serviceOf(attr) : `${serviceOf(attr)}/${session}`;
}

/**
 * The agent that names a sender (points.ts Sources): agentOf's, without the session, which one signal may carry
 * and the other not. Claude Code's metrics drop `session.id` with OTEL_METRICS_INCLUDE_SESSION_ID=false, where its
 * events keep it: their agents (`claude-code`, `claude-code/<session>`) differ, and the two signals would be two
 * senders, each counted.
 */
export function senderAgentOf(attr: (name: string) => string | undefined, agentId: string | undefined): string {
  return agentId ?? namedAgent(attr) ?? serviceOf(attr);
}

/**
 * Who a point or log record is from and what for: the agent (the key's, if it names one), model and
 * bead, each at most 256 characters like every id (else why not).
 */
export function whoOf(
  attr: (name: string) => string | undefined,
  agentId: string | undefined,
): { agent: string; model: string; beadId: string | undefined } | string {
  const agent = agentId ?? agentOf(attr);
  const model = modelOf(attr);
  const beadId = beadOf(attr);
  if (longerThan(agent, MAX_ID_CHARS) || longerThan(model, MAX_ID_CHARS) || longerThan(beadId ?? '', MAX_ID_CHARS))
    return 'agent, model and gt.issue are at most 256 characters';
  return { agent, model, beadId };
}

/** The bead (Gas Town issue) a point's usage is for: `gt.issue`, as Gas Town sets it on its agents' resource. */
export function beadOf(attr: (name: string) => string | undefined): string | undefined {
  const bead = attr('gt.issue');
  return bead === '' ? undefined : bead;
}

/**
 * A context-window mark after a model name: Claude Code 2.1 names the model it runs with a 1M-token context
 * `claude-opus-4-8[1m]` in its metrics (its setting's name), where its api_request events and transcripts name the
 * API's model, `claude-opus-4-8`; the same spend then showed under two models, as it reached the town by one
 * signal or the other.
 */
const CONTEXT_MARK = /\[\d+[km]\]$/i;

export function modelOf(attr: (name: string) => string | undefined): string {
  const model = attr('model') ?? attr('gen_ai.request.model') ?? attr('gen_ai.response.model') ?? 'unknown';
  const plain = model.replace(CONTEXT_MARK, '');
  return plain === '' ? model : plain;
}

export function providerOf(attr: (name: string) => string | undefined, mapping: MetricMapping): string | undefined {
  return attr('gen_ai.provider.name') ?? attr('gen_ai.system') ?? mapping.provider;
}

export type { MetricMapping, UsageRecord };
