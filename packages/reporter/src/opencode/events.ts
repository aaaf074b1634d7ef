import { BoundedMap, BoundedSet } from '@gasgauge/core/bounded-map';
import { boundedId } from '../ids.js';
import type { JsonFields } from '../json.js';
import { CommittedMap, type TransactionEnd } from '../outbox/committed-map.js';
import type { UsageRecord } from '../wire.js';
import { type Amounts, MemoryStepLedger, maxAmounts, type StepLedger, ZERO } from './steps.js';

/** An SDK event as `client.event.subscribe()` yields it (`{type, properties}`), or wrapped as a global event (`{directory, payload}`). */
export interface SdkEvent {
  type?: string;
  properties?: unknown;
  payload?: { type?: string; properties?: unknown };
}

/**
 * What `client.event.subscribe()` gives, in the SDK versions seen: the async iterable itself, or a
 * result holding it as `.stream` (v1 SDK, server-sent events), possibly still a promise.
 */
export type EventSource =
  | AsyncIterable<SdkEvent>
  | { stream: AsyncIterable<SdkEvent> }
  | Promise<AsyncIterable<SdkEvent> | { stream: AsyncIterable<SdkEvent> }>;

/**
 * Which agent a session belongs to: a Map or a function; undefined when unknown. (Not a plain object: a
 * session id such as `constructor` would find one of its built-in properties.) It is asked with the
 * session id as boundedId gives it.
 */
export type SessionAgents = ReadonlyMap<string, string> | ((sessionID: string) => string | undefined);

export interface OpencodeOptions {
  agents: SessionAgents;
  /** The agent for a session the map does not know; without it such usage is kept under `session:<id>` (bounded as ids are). */
  defaultAgentId?: string;
  /** Receives each record whose totals grew (the caller stores it in the outbox, keyed by id). */
  emit: (record: UsageRecord) => void;
  /** Where step-finish parts are remembered (default: in memory). */
  steps?: StepLedger;
  /** Microdollars for a message whose `cost` is 0, from a price list (default: left at 0). */
  price?: (model: string, provider: string | undefined, amounts: Amounts) => number;
  /** The state database `emit` writes to: what was emitted counts as such once its transaction commits. */
  tx?: TransactionEnd;
}

export interface OpencodeStats {
  events: number;
  /** `message.updated` events of messages that can carry usage (see handle). */
  assistantUpdates: number;
  /** Records emitted (first sighting or grown totals of a message). */
  records: number;
  /** `message.part.updated` step-finish parts (each counted once, by part id). */
  stepFinishes: number;
  /** Sessions with no agent in the map (counted under the default agent). */
  unmappedSessions: number;
}

type Obj = JsonFields;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null;
/** A token count: a positive whole number, else 0 (a fraction or a string counts 0, as in ccusage 20.0.24). */
const count = (v: unknown): number => (typeof v === 'number' && Number.isSafeInteger(v) && v > 0 ? v : 0);
/** A model or provider id as ccusage takes it: a string that is not empty. */
const named = (v: unknown): v is string => typeof v === 'string' && v !== '';

/** `tokens` + `cost` (dollars) of a message or a step-finish part, as integer amounts. */
function amountsOf(o: Obj): Amounts {
  const tokens = isObj(o.tokens) ? o.tokens : {};
  const cache = isObj(tokens.cache) ? tokens.cache : {};
  return {
    input: count(tokens.input),
    output: count(tokens.output),
    reasoning: count(tokens.reasoning),
    cacheRead: count(cache.read),
    cacheWrite: count(cache.write),
    // Dollars to integer microdollars, rounded once here.
    cost: typeof o.cost === 'number' && o.cost > 0 ? Math.round(o.cost * 1e6) : 0,
  };
}

/** What a record needs of a message besides its amounts. */
interface MessageInfo {
  id: string;
  sessionID: string;
  modelID: string;
  providerID: string | undefined;
  at: number;
}

/**
 * Turns the Kilo / OpenCode SDK event stream into cumulative usage records, one per assistant message.
 *
 * Usage comes from `message.updated` whose `properties.info` is an assistant message: `tokens`
 * (`input`, `output`, `reasoning`, `cache.read`, `cache.write`) and `cost` (USD), re-sent many times
 * per message — so each becomes a cumulative record keyed by the message id and the server counts only
 * the increase. OpenCode already reports `input` without cached tokens and the five amounts apart, the
 * API's convention.
 *
 * `message.part.updated` step-finish parts repeat usage per step and are never added on top of the
 * message's. But OpenCode (and Kilo) set a message's `tokens` to its *latest* step's on each step while
 * adding each step's `cost` (`assistantMessage.cost += usage.cost; assistantMessage.tokens =
 * usage.tokens`), so a message that ran several steps (tool calls) shows only its last step's tokens.
 * The record therefore holds, per amount, the larger of the message's figure and the sum of its
 * step-finish parts (each part counted once, by id): the sum when every step was seen, the message's
 * figure when none was — never the two added together.
 */
export class OpencodeUsage {
  readonly stats: OpencodeStats = { events: 0, assistantUpdates: 0, records: 0, stepFinishes: 0, unmappedSessions: 0 };
  /**
   * The last totals emitted per message, so identical re-sends are not stored again, and the agent its
   * first record named (kept in the step ledger too, so across restarts): the server keeps a record's
   * first agent and ignores an update naming another, so a message first read from a store that did not
   * yet show its session's directory (then `session:<id>`) would otherwise stop growing once a live
   * event names the directory.
   */
  private readonly last: CommittedMap<string, { key: string; agentId: string }>;
  /** The latest message.updated of each message: its amounts and what a record needs. */
  private readonly messages = new BoundedMap<string, { info: MessageInfo; amounts: Amounts }>(10_000);
  private readonly unmapped = new BoundedSet<string>(10_000);
  private readonly steps: StepLedger;

  constructor(private readonly opts: OpencodeOptions) {
    this.steps = opts.steps ?? new MemoryStepLedger();
    // Bounded: an evicted message that updates again is merely stored again (the server dedupes).
    this.last = new CommittedMap(opts.tx, 50_000);
  }

  /** Consumes the stream until it ends (or throws, with the stream's own error). */
  async consume(source: EventSource): Promise<void> {
    const resolved = await source;
    const stream = Symbol.asyncIterator in resolved ? resolved : resolved.stream;
    for await (const event of stream) this.handle(event);
  }

  /**
   * Every id, model and provider is cut to what the server takes (boundedId) on the way in, before it
   * is a key of the maps below or of the step ledger: an event may be 1 MiB, and 10,000 messages keyed
   * by 1 MiB ids would hold 10 GB.
   */
  handle(raw: SdkEvent): void {
    this.stats.events++;
    const event = isObj(raw.payload) && raw.type === undefined ? raw.payload : raw;
    if (!isObj(event.properties)) return;
    if (event.type === 'message.part.updated') {
      const part = event.properties.part;
      if (!isObj(part) || part.type !== 'step-finish') return;
      if (typeof part.id !== 'string' || typeof part.messageID !== 'string') return;
      const messageId = boundedId(part.messageID);
      if (!this.steps.add(messageId, boundedId(part.id), amountsOf(part))) return;
      this.stats.stepFinishes++;
      this.update(messageId);
      return;
    }
    if (event.type !== 'message.updated') return;
    const info = event.properties.info;
    if (!isObj(info) || typeof info.id !== 'string' || typeof info.sessionID !== 'string') return;
    // An assistant message, or as ccusage 20.0.24 also counts, any message naming its model and provider at the
    // top level (a user message names them inside `model`, and carries no tokens).
    if (info.role !== 'assistant' && !(named(info.modelID) && named(info.providerID))) return;
    this.stats.assistantUpdates++;
    const time = isObj(info.time) ? info.time : {};
    const id = boundedId(info.id);
    this.messages.set(id, {
      info: {
        id,
        sessionID: boundedId(info.sessionID),
        modelID: named(info.modelID) ? boundedId(info.modelID) : 'unknown',
        providerID: named(info.providerID) ? boundedId(info.providerID) : undefined,
        at: count(time.completed) || count(time.created) || Date.now(),
      },
      amounts: amountsOf(info),
    });
    this.update(id);
  }

  /** Emits the message's record if its totals grew. A step seen before its message waits for it. */
  private update(messageId: string): void {
    const message = this.messages.get(messageId);
    if (!message) return;
    const a = maxAmounts(message.amounts, this.steps.sum(messageId) ?? ZERO);
    // A message announced before its first token carries zeros: nothing to count yet.
    if (a.input + a.output + a.reasoning + a.cacheRead + a.cacheWrite + a.cost === 0) return;
    if (a.cost === 0 && this.opts.price) a.cost = this.opts.price(message.info.modelID, message.info.providerID, a);
    const key = `${a.input}/${a.output}/${a.reasoning}/${a.cacheRead}/${a.cacheWrite}/${a.cost}`;
    // What this process sent, else what the ledger kept (a message read again by a new process: the rows of a store's
    // re-read window, the older files, a live server's replay).
    const previous = this.last.get(messageId) ?? this.steps.sent?.(messageId);
    if (previous?.key === key) return;
    const { info } = message;
    const agentId = previous?.agentId ?? this.steps.firstAgent(messageId, this.agentFor(info.sessionID));
    const record: UsageRecord = {
      id: info.id,
      agentId,
      model: info.modelID,
      inputTokens: a.input,
      outputTokens: a.output,
      reasoningTokens: a.reasoning,
      cacheReadTokens: a.cacheRead,
      cacheWriteTokens: a.cacheWrite,
      costMicrodollars: a.cost,
      at: info.at,
    };
    if (info.providerID) record.provider = info.providerID;
    this.stats.records++;
    this.opts.emit(record);
    // After the emit, and kept once its transaction commits: a record not stored is not taken as sent.
    this.last.set(messageId, { key, agentId });
    this.steps.setSent?.(messageId, { key, agentId });
  }

  private agentFor(sessionID: string): string {
    const a = this.opts.agents;
    const agent = typeof a === 'function' ? a(sessionID) : a.get(sessionID);
    if (agent) return agent;
    if (!this.unmapped.has(sessionID)) {
      // Bounded: past it a session may be counted twice in a statistic, which is all this set is for.
      this.unmapped.add(sessionID);
      this.stats.unmappedSessions++;
    }
    return this.opts.defaultAgentId ?? boundedId(`session:${sessionID}`);
  }
}
