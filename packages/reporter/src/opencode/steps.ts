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
}

/** An in-memory ledger, bounded to the most recent 10,000 messages. */
export class MemoryStepLedger implements StepLedger {
  private readonly messages = new BoundedMap<string, Map<string, Amounts>>(10_000);
  private readonly agents = new BoundedMap<string, string>(10_000);

  firstAgent(messageId: string, agentId: string): string {
    const kept = this.agents.get(messageId);
    if (kept !== undefined) return kept;
    this.agents.set(messageId, agentId);
    return agentId;
  }

  add(messageId: string, partId: string, step: Amounts): boolean {
    let parts = this.messages.get(messageId);
    if (!parts) {
      parts = new Map();
      this.messages.set(messageId, parts);
    }
    if (parts.has(partId)) return false;
    parts.set(partId, step);
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
