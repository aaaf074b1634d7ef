import { BoundedMap } from '@gasgauge/core/bounded-map';
/** The five token amounts and the cost (integer microdollars) of one step, or of a whole message. */
export interface Amounts {
  input: number;
  output: number;
  reasoning: number;
  cacheRead: number;
  cacheWrite: number;
  cost: number;
}

export const ZERO: Amounts = { input: 0, output: 0, reasoning: 0, cacheRead: 0, cacheWrite: 0, cost: 0 };

/** Per-field maximum: two views of the same usage combined without adding one to the other. */
export function maxAmounts(a: Amounts, b: Amounts): Amounts {
  return {
    input: Math.max(a.input, b.input),
    output: Math.max(a.output, b.output),
    reasoning: Math.max(a.reasoning, b.reasoning),
    cacheRead: Math.max(a.cacheRead, b.cacheRead),
    cacheWrite: Math.max(a.cacheWrite, b.cacheWrite),
    cost: Math.max(a.cost, b.cost),
  };
}

/**
 * The step-finish parts seen per message, keyed by part id (so a replayed part counts once), and
 * their sum. The reporter keeps them in its state database so a restart mid-message loses no step.
 */
export interface StepLedger {
  /** Records one step; false when this part id was already recorded. */
  add(messageId: string, partId: string, step: Amounts): boolean;
  /** The sum of the recorded steps of a message (undefined when none). */
  sum(messageId: string): Amounts | undefined;
  /**
   * The agent the message's first record named: `agentId` when none was recorded (it is recorded then).
   * The server keeps a record's first agent and ignores an update naming another, so a message must keep
   * it, across restarts too, even once its session maps to another agent.
   */
  firstAgent(messageId: string, agentId: string): string;
  /**
   * The totals (OpencodeUsage's key) and agent of the message's last record, when a ledger kept across restarts knows
   * them: a message read again by a new process (a store's re-read window, the older files) sends nothing unless it grew.
   */
  sent?(messageId: string): Sent | undefined;
  /** Remembers them, in the caller's transaction (with the record's enqueue). */
  setSent?(messageId: string, sent: Sent): void;
}

/** What a message's last record was sent with (see StepLedger.sent). */
export interface Sent {
  key: string;
  agentId: string;
}

/** Messages an in-memory ledger keeps. */
const MAX_MESSAGES = 10_000;
/** Steps it keeps, all messages together (~150 bytes each: ~30 MB). */
export const MAX_MEMORY_STEPS = 200_000;
/** Steps it keeps of one message (a real one has tens): past it the oldest go. */
export const MAX_STEPS_PER_MESSAGE = 10_000;

/**
 * An in-memory ledger (the library's default; the reporter keeps its steps in SQLite, ledger.ts): at most
 * MAX_MESSAGES messages, MAX_STEPS_PER_MESSAGE steps of one and MAX_MEMORY_STEPS in all, the least recently
 * added to going first. Bounded for the reason ledger.ts is: a stream can send step parts of new ids for ever.
 * A step forgotten only lowers its message's sum; the records already sent are cumulative, and the server keeps
 * the larger totals.
 */
export class MemoryStepLedger implements StepLedger {
  private readonly messages = new BoundedMap<string, BoundedMap<string, Amounts>>(MAX_MESSAGES, {
    max: MAX_MEMORY_STEPS,
    of: (parts) => parts.size,
  });
  private readonly agents = new BoundedMap<string, string>(MAX_MESSAGES);

  firstAgent(messageId: string, agentId: string): string {
    const kept = this.agents.get(messageId);
    if (kept !== undefined) return kept;
    this.agents.set(messageId, agentId);
    return agentId;
  }

  add(messageId: string, partId: string, step: Amounts): boolean {
    const parts = this.messages.get(messageId) ?? new BoundedMap<string, Amounts>(MAX_STEPS_PER_MESSAGE);
    if (parts.has(partId)) return false;
    // Out while it changes, so the messages' weight is counted at its new size, and back in as the newest.
    this.messages.delete(messageId);
    parts.set(partId, step);
    this.messages.set(messageId, parts);
    return true;
  }

  sum(messageId: string): Amounts | undefined {
    const parts = this.messages.get(messageId);
    if (!parts) return undefined;
    const s = { ...ZERO };
    for (const p of parts.values()) {
      s.input += p.input;
      s.output += p.output;
      s.reasoning += p.reasoning;
      s.cacheRead += p.cacheRead;
      s.cacheWrite += p.cacheWrite;
      s.cost += p.cost;
    }
    return s;
  }
}
