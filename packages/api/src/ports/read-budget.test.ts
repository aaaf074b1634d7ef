import { describe, expect, it } from 'vitest';
import { chargedHandle, enterRead, type ReadBudget } from './read-budget.js';
import type { TownHandle } from './town.js';

/** Holds the thread for `ms`, as a synchronous SQLite read does. */
function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

describe('chargedHandle', () => {
  it('charges the synchronous part of each call, measured, and not the wait after it', async () => {
    const charges: [string, number][] = [];
    const budget: ReadBudget = { admit: () => {}, charge: (p, ms) => charges.push([p, ms]), turn: async () => {} };
    const slow = {
      // 30 ms on the thread, then 100 ms of waiting (an RPC, a timer) that holds no loop.
      throughput: () => {
        busy(30);
        return new Promise((resolve) => setTimeout(() => resolve({ tokensPerSecond: 1 }), 100));
      },
    } as unknown as TownHandle;
    const handle = chargedHandle(slow, budget, 'user:u1');
    expect(await handle.throughput()).toEqual({ tokensPerSecond: 1 });
    expect(charges).toHaveLength(1);
    const [principal, ms] = charges[0] as [string, number];
    expect(principal).toBe('user:u1');
    expect(ms).toBeGreaterThanOrEqual(30);
    expect(ms).toBeLessThan(90);
  });

  it('with a budget that has begin (a Worker isolate), spans each call until its answer settles, throws included', async () => {
    const spans: [string, number][] = [];
    const budget: ReadBudget = {
      admit: () => {},
      charge: () => {
        throw new Error('charge is not used when begin is there');
      },
      turn: async () => {},
      begin: (p) => {
        const started = performance.now();
        return () => spans.push([p, performance.now() - started]);
      },
    };
    const rpc = {
      throughput: () => new Promise((resolve) => setTimeout(() => resolve({ tokensPerSecond: 1 }), 100)),
      totals: () => new Promise((_, reject) => setTimeout(() => reject(new Error('object reset')), 50)),
    } as unknown as TownHandle;
    const handle = chargedHandle(rpc, budget, 'user:u1');
    expect(await handle.throughput()).toEqual({ tokensPerSecond: 1 });
    await expect(handle.totals()).rejects.toThrow('object reset');
    expect(spans.map(([p]) => p)).toEqual(['user:u1', 'user:u1']);
    expect(spans[0]?.[1]).toBeGreaterThanOrEqual(95);
    expect(spans[1]?.[1]).toBeGreaterThanOrEqual(45);
  });

  it('charges a call that throws too; without a budget the handle is untouched', () => {
    const charges: number[] = [];
    const budget: ReadBudget = { admit: () => {}, charge: (_p, ms) => charges.push(ms), turn: async () => {} };
    const failing = {
      throughput: () => {
        busy(5);
        throw new Error('town closed');
      },
    } as unknown as TownHandle;
    expect(() => chargedHandle(failing, budget, 'town:t').throughput()).toThrow('town closed');
    expect(charges[0]).toBeGreaterThanOrEqual(5);
    expect(chargedHandle(failing, undefined, 'town:t')).toBe(failing);
  });

  it('enterRead admits, then waits for the turn; a refusal takes no turn', async () => {
    const log: string[] = [];
    const budget: ReadBudget = {
      admit: (p) => {
        log.push(`admit ${p}`);
        if (p === 'user:spent') throw new Error('read budget spent');
      },
      charge: () => {},
      turn: async (p) => {
        log.push(`turn ${p}`);
      },
    };
    await enterRead(budget, 'user:u1');
    await expect(enterRead(budget, 'user:spent')).rejects.toThrow('read budget spent');
    await enterRead(undefined, 'user:u1');
    expect(log).toEqual(['admit user:u1', 'turn user:u1', 'admit user:spent']);
  });
});
