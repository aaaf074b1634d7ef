import { type AgentSpec, BEAD_TITLES, DEMO_AGENTS, type MessageShape, messageShape, restMs } from './agents.js';
import { crewShareAt } from './history.js';
import { costMicrodollars, providerOf, type Tokens } from './models.js';
import type { Random } from './random.js';
import type { Batch, EventWire } from './wire.js';

interface Message {
  id: string;
  shape: MessageShape;
  startedAt: number;
  /** Totals last sent, so an unchanged message is not re-sent. */
  sent: number;
}

interface Agent {
  spec: AgentSpec;
  status: 'idle' | 'working' | 'waiting' | 'stalled';
  beadId: string | null;
  message: Message | null;
  /** No new message before this time (tool calls between messages, or a stall). */
  until: number;
  /** Messages left on the current bead (polecats) or review (refinery). */
  left: number;
  additions: number;
  deletions: number;
}

/** How often (in steps) the fleet reports lines of code: well inside the 90 s time-to-live of a report. */
const LOC_EVERY_STEPS = 5;

/**
 * A simulated town, stepped once a second. It produces what real reporters send: cumulative usage
 * records that grow while a message streams, agent and bead events as beads move from open to
 * closed, and outstanding lines of code (0/0 once a bead's work is merged). Pure: time and
 * randomness come in, batches go out; `demo/run.ts` posts them through the ingest API.
 */
export class Fleet {
  private readonly agents: Agent[];
  private readonly review: { beadId: string; polecat: Agent }[] = [];
  private seq = 0;
  private steps = 0;
  private started = false;

  constructor(
    private readonly rng: Random,
    /** Distinguishes this run's message, event and bead ids from an earlier run's. */
    private readonly runId: string,
    specs: readonly AgentSpec[] = DEMO_AGENTS,
  ) {
    this.agents = specs.map((spec) => ({
      spec,
      status: 'idle',
      beadId: null,
      message: null,
      until: 0,
      left: 0,
      additions: 0,
      deletions: 0,
    }));
  }

  /** The epic (a Gas Town convoy) some of the beads belong to, so a bead page shows a roll-up. */
  private get convoy(): string {
    return `gt-${this.runId}-convoy`;
  }

  step(now: number): Batch {
    const batch: Batch = { usage: [], events: [], loc: [] };
    if (!this.started) {
      this.started = true;
      for (const a of this.agents) {
        if (a.spec.role === 'mayor' || a.spec.role === 'witness') this.setStatus(batch, now, a, 'working');
        else this.setStatus(batch, now, a, 'idle');
        // Staggered, as a running town would be: not every agent starting a message in the same second.
        a.until = now + this.rng.int(0, 15_000);
      }
      batch.events.push({
        id: this.id('e'),
        at: now,
        type: 'bead',
        beadId: this.convoy,
        status: 'open',
        kind: 'epic',
        title: 'Convoy: ship the beads tab',
      });
    }
    for (const a of this.agents) this.stepAgent(batch, now, a);
    if (this.steps++ % LOC_EVERY_STEPS === 0) {
      batch.loc = this.agents.map((a) => ({ agentId: a.spec.id, additions: a.additions, deletions: a.deletions }));
    }
    if (this.rng.chance(0.02)) {
      const to = this.rng.pick(this.agents.filter((a) => a.spec.role === 'polecat'));
      batch.events.push({
        id: this.id('e'),
        at: now,
        type: 'note',
        name: 'mail',
        data: { from: 'mayor', to: to.spec.id, subject: 'Status check' },
      });
    }
    return batch;
  }

  private stepAgent(batch: Batch, now: number, a: Agent): void {
    if (a.message) {
      this.stream(batch, now, a, a.message);
      return;
    }
    if (now < a.until) return;
    if (a.status === 'stalled' || a.status === 'waiting') {
      this.setStatus(batch, now, a, 'working');
      return;
    }
    switch (a.spec.role) {
      case 'mayor':
      case 'witness':
        this.startMessage(now, a);
        return;
      case 'refinery':
        this.refine(batch, now, a);
        return;
      case 'polecat':
        this.build(batch, now, a);
        return;
    }
  }

  /** A polecat takes a bead, works through a few messages (writing lines), then hands it to the refinery. */
  private build(batch: Batch, now: number, a: Agent): void {
    if (a.status === 'idle') {
      if (!this.rng.chance(0.2)) return;
      const beadId = `gt-${this.runId}${(++this.seq).toString(36)}`;
      batch.events.push({
        id: this.id('e'),
        at: now,
        type: 'bead',
        beadId,
        status: 'open',
        kind: 'task',
        title: this.rng.pick(BEAD_TITLES),
        assigneeAgentId: a.spec.id,
        ...(this.rng.chance(0.4) ? { parentId: this.convoy } : {}),
      });
      this.bead(batch, now, beadId, 'in_progress', a.spec.id);
      a.beadId = beadId;
      // Most beads take a handful of messages; one in ten is a slog, and costs several times as much.
      a.left = this.rng.chance(0.1) ? this.rng.int(25, 50) : this.rng.int(4, 14);
      this.setStatus(batch, now, a, 'working');
      return;
    }
    if (a.left > 0) {
      if (this.rng.chance(0.02) && !a.spec.runaway) {
        this.setStatus(batch, now, a, this.rng.chance(0.5) ? 'stalled' : 'waiting');
        a.until = now + this.rng.int(15_000, 45_000);
        return;
      }
      this.startMessage(now, a);
      return;
    }
    if (a.beadId) {
      this.bead(batch, now, a.beadId, 'in_review', a.spec.id);
      this.review.push({ beadId: a.beadId, polecat: a });
    }
    this.setStatus(batch, now, a, 'idle', null);
    a.until = now + this.rng.int(2_000, 10_000);
  }

  /** The refinery reviews the oldest bead in its queue, merges it (closed) and the polecat's lines go to 0/0. */
  private refine(batch: Batch, now: number, a: Agent): void {
    if (a.left > 0) {
      this.startMessage(now, a);
      return;
    }
    if (a.beadId) {
      const done = this.review.shift();
      if (done) {
        this.bead(batch, now, done.beadId, 'closed', done.polecat.spec.id);
        done.polecat.additions = 0;
        done.polecat.deletions = 0;
      }
    }
    const next = this.review[0];
    if (!next) {
      if (a.status !== 'idle') this.setStatus(batch, now, a, 'idle', null);
      return;
    }
    a.left = this.rng.int(1, 3);
    this.setStatus(batch, now, a, 'working', next.beadId);
  }

  private startMessage(now: number, a: Agent): void {
    a.message = { id: this.id('m'), shape: messageShape(this.rng, a.spec), startedAt: now, sent: -1 };
  }

  /** The prompt (input, cache) counts at once; output and reasoning grow as the message streams. */
  private stream(batch: Batch, now: number, a: Agent, m: Message): void {
    const progress = Math.min(1, (now - m.startedAt) / m.shape.durationMs);
    const tokens: Tokens = {
      inputTokens: m.shape.inputTokens,
      cacheReadTokens: m.shape.cacheReadTokens,
      cacheWriteTokens: m.shape.cacheWriteTokens,
      outputTokens: Math.round(m.shape.outputTokens * progress),
      reasoningTokens: Math.round(m.shape.reasoningTokens * progress),
    };
    const total = tokens.outputTokens + tokens.reasoningTokens;
    if (total !== m.sent) {
      m.sent = total;
      batch.usage.push({
        id: m.id,
        agentId: a.spec.id,
        model: a.spec.model,
        provider: providerOf(a.spec.model),
        ...tokens,
        costMicrodollars: costMicrodollars(a.spec.model, tokens),
        at: now,
      });
    }
    if (progress < 1) return;
    a.message = null;
    if (a.spec.runaway) {
      a.until = now + restMs(this.rng, a.spec);
      return; // spends on, and nothing moves, day and night
    }
    // Busy by day and quiet by night like the history before it: a longer pause makes the agent work the history's
    // share of its busiest time.
    const rest = restMs(this.rng, a.spec);
    a.until = now + rest + Math.round((m.shape.durationMs + rest) * (1 / crewShareAt(now) - 1));
    if (a.left > 0) a.left--;
    if (a.spec.role === 'polecat') {
      a.additions += this.rng.int(0, 60);
      a.deletions += this.rng.int(0, 20);
    }
  }

  private setStatus(batch: Batch, now: number, a: Agent, status: Agent['status'], beadId: string | null = a.beadId): void {
    a.status = status;
    a.beadId = beadId;
    const event: EventWire = { id: this.id('e'), at: now, type: 'agent', agentId: a.spec.id, role: a.spec.role, status };
    if (beadId) event.beadId = beadId;
    batch.events.push(event);
  }

  private bead(batch: Batch, now: number, beadId: string, status: string, assignee: string): void {
    batch.events.push({ id: this.id('e'), at: now, type: 'bead', beadId, status, assigneeAgentId: assignee });
  }

  private id(kind: string): string {
    return `demo-${this.runId}-${kind}${(++this.seq).toString(36)}`;
  }
}
