import { AppError } from '@gasgauge/core';
import { describe, expect, it } from 'vitest';
import { MAX_WAITING_READS, ReadTurns, TURN_QUANTUM_MS } from './read-turns.js';

/** Holds the thread for `ms`, as a synchronous SQLite read does. */
function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

/** An expensive read: over the quantum, so one a round. */
const EXPENSIVE_MS = TURN_QUANTUM_MS + 2;

/**
 * Reads through `turns` that hold the thread for `ms` once granted and log `principal` + `n` in `order`; with
 * `loop`, the clock `turns` was given, they take their `ms` of it instead (no real time passes).
 */
function reader(turns: ReadTurns, order: string[], loop?: { ms: number }) {
  return (principal: string, n: number, ms = EXPENSIVE_MS) =>
    turns.turn(principal).then(() => {
      if (loop) loop.ms += ms;
      else busy(ms);
      order.push(`${principal}${n}`);
    });
}

describe('ReadTurns', () => {
  it("goes round the principals: one user's queued reads do not all run before another's", async () => {
    const turns = new ReadTurns();
    const order: string[] = [];
    const read = reader(turns, order);
    // Arrival order: the greedy user's eight connections, then bob's read, then two more of the greedy user's.
    const reads = [
      ...[1, 2, 3, 4, 5, 6, 7, 8].map((n) => read('greedy', n)),
      read('bob', 1),
      read('greedy', 9),
      read('carol', 1),
    ];
    await Promise.all(reads);
    // greedy1 held the loop when the rest arrived; then one read each in rotation, greedy last.
    expect(order.slice(0, 5)).toEqual(['greedy1', 'bob1', 'carol1', 'greedy2', 'greedy3']);
    expect(order).toHaveLength(11);
    expect(order.filter((r) => r.startsWith('greedy'))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => `greedy${n}`));
  });

  it("serves a principal that arrives during a greedy one's turn next, not after one more of its reads", async () => {
    const turns = new ReadTurns();
    const order: string[] = [];
    const read = reader(turns, order);
    const greedy = [1, 2, 3, 4].map((n) => read('greedy', n));
    // greedy1 runs at once; bob asks during greedy2's turn.
    await greedy[1];
    const bob = read('bob', 1);
    await Promise.all([...greedy, bob]);
    expect(order).toEqual(['greedy1', 'greedy2', 'bob1', 'greedy3', 'greedy4']);
  });

  it("runs a principal's cheap reads (the web UI's batch) in one round, an expensive one alone", async () => {
    // On a clock only the reads move: on the real one, a busy machine that paused this process among the page's
    // 1 ms reads (load 15 here) stretched its round past the quantum, and greedy2 ran in the middle of it.
    const loop = { ms: 0 };
    const turns = new ReadTurns(() => loop.ms);
    const order: string[] = [];
    const read = reader(turns, order, loop);
    const reads = [...[1, 2, 3].map((n) => read('greedy', n)), ...[1, 2, 3, 4, 5].map((n) => read('page', n, 1))];
    await Promise.all(reads);
    expect(order).toEqual(['greedy1', 'page1', 'page2', 'page3', 'page4', 'page5', 'greedy2', 'greedy3']);
  });

  it('grants at once when nobody holds a turn, and one read a loop turn while others wait', async () => {
    const turns = new ReadTurns();
    let granted = 0;
    const first = turns.turn('a').then(() => granted++);
    const second = turns.turn('a').then(() => granted++);
    await first;
    expect(granted).toBe(1);
    await second;
    expect(granted).toBe(2);
    // Idle again: the next read is granted without waiting for the loop.
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    let now = false;
    const third = turns.turn('b').then(() => {
      now = true;
    });
    await Promise.resolve();
    expect(now).toBe(true);
    await third;
  });

  it('drops a read whose client went away while it waited: it never runs, leaves its queue, and the rest keep their order', async () => {
    const turns = new ReadTurns();
    const order: string[] = [];
    const read = reader(turns, order);
    const gone = new AbortController();
    const first = read('greedy', 1);
    const dropped = turns.turn('greedy', gone.signal).then(() => order.push('dropped'));
    const rest = [read('greedy', 2), read('bob', 1)];
    expect(turns.waitingCount).toBe(3);
    gone.abort();
    expect(turns.waitingCount).toBe(2);
    await expect(dropped).rejects.toSatisfy((e) => e instanceof AppError && e.code === 'cancelled' && e.status === 499);
    await Promise.all([first, ...rest]);
    expect(order).toEqual(['greedy1', 'bob1', 'greedy2']);
    // Already gone when it asks: refused without queueing.
    await expect(turns.turn('bob', gone.signal)).rejects.toSatisfy((e) => e instanceof AppError && e.code === 'cancelled');
  });

  it(`queues at most ${MAX_WAITING_READS} reads of one principal; past them a read is refused (429), others still queue`, async () => {
    const turns = new ReadTurns();
    const granted = turns.turn('greedy');
    const waiting = Array.from({ length: MAX_WAITING_READS }, () => turns.turn('greedy'));
    await expect(turns.turn('greedy')).rejects.toSatisfy((e) => e instanceof AppError && e.code === 'too_many_requests');
    const bob = turns.turn('bob');
    expect(turns.waitingCount).toBe(MAX_WAITING_READS + 1);
    await Promise.all([granted, ...waiting, bob]);
    expect(turns.waitingCount).toBe(0);
  });
});
