import { join } from 'node:path';
import { openSqlite } from '@gasgauge/server/sqlite';
import { tempDir, usageRecord } from '@gasgauge/server/testing';
import { describe, expect, it } from 'vitest';
import { clampTickBatch, MAX_TICK_BATCH, MIN_TICK_BATCH, nextTickBatch, TICK_TARGET_MS } from './tick-batch.js';
import { Town } from './town.js';

const T0 = Date.UTC(2026, 10, 1, 12);

describe("a tick's batch", () => {
  it('shrinks to what fits the target after a slow tick, never under the floor', () => {
    expect(nextTickBatch(50_000, 3_000, 50_000)).toBe(Math.floor((50_000 * TICK_TARGET_MS) / 3_000));
    expect(nextTickBatch(50_000, 2 * TICK_TARGET_MS, 10)).toBe(25_000);
    expect(nextTickBatch(2_000, 60_000, 2_000)).toBe(MIN_TICK_BATCH);
  });

  it('doubles back towards the cap after a quick full tick, and stays after a tick with little to do', () => {
    expect(nextTickBatch(4_000, 10, 4_000)).toBe(8_000);
    expect(nextTickBatch(40_000, 10, 40_000)).toBe(MAX_TICK_BATCH);
    expect(nextTickBatch(4_000, 10, 100)).toBe(4_000);
    expect(nextTickBatch(4_000, TICK_TARGET_MS, 4_000)).toBe(4_000);
  });

  it('a batch handed to a town (a host reopening it) is clamped to the floor and the cap', () => {
    expect(clampTickBatch(6_250)).toBe(6_250);
    expect(clampTickBatch(10)).toBe(MIN_TICK_BATCH);
    expect(clampTickBatch(10 ** 9)).toBe(MAX_TICK_BATCH);
    expect(clampTickBatch(Number.NaN)).toBe(MAX_TICK_BATCH);
    expect(clampTickBatch(2.5)).toBe(MAX_TICK_BATCH);
  });

  it("sizes a town's next tick from how long the last took by the town's clock", () => {
    // The clock moves only when told: a tick "takes" what the test says.
    const now = { t: T0 + 1000, perCall: 0 };
    const town = new Town(openSqlite(join(tempDir(), 'town.sqlite')), () => {
      now.t += now.perCall;
      return now.t;
    });
    const n = MAX_TICK_BATCH + 20_000;
    for (let i = 0; i < n; i += 5000) {
      town.ingestUsage(
        Array.from({ length: Math.min(5000, n - i) }, (_, j) => usageRecord({ id: `r${i + j}`, outputTokens: 1, at: T0 })),
      );
    }
    const indexed = () => (town.sql.rows('SELECT COUNT(*) FROM usage_ids') as [[number]])[0][0];
    // Three clock reads a tick (start, the tick's time, end): 1.5 s each is a tick of 3 s. The first, of the cap, was slow.
    now.perCall = 1_500;
    expect(town.tick().applied).toBe(MAX_TICK_BATCH);
    expect(indexed()).toBe(MAX_TICK_BATCH);
    const small = Math.floor((MAX_TICK_BATCH * TICK_TARGET_MS) / 3_000);
    now.perCall = 0;
    expect(town.tick().applied).toBe(small);
    expect(indexed()).toBe(MAX_TICK_BATCH + small);
    // Quick and full: twice as many next.
    expect(town.tick().applied).toBe(2 * small);
    expect(indexed()).toBe(MAX_TICK_BATCH + 3 * small);
  });
});
