import { LocalTowns } from '@gasgauge/api';
import { MAX_TICK_BATCH, TICK_TARGET_MS } from '@gasgauge/core';
import { describe, expect, it } from 'vitest';
import { DataDir } from './data-dir.js';
import { tempDir, usageRecord } from './testing/temp.js';
import { FileTownDirectory } from './town-directory.js';

const T0 = Date.UTC(2026, 10, 1, 12);
const rec = (id: string, outputTokens: number) => usageRecord({ id, outputTokens, at: T0 });

function directory(maxOpen: number): FileTownDirectory {
  return new FileTownDirectory(new DataDir(tempDir('gg-dir-')), () => T0 + 1000, { maxOpen });
}

const outputTokens = (dir: FileTownDirectory, id: string) =>
  dir.get(id).timeseries({ from: T0, to: T0 + 5000, maxPoints: 1 }).series.output_tokens;

describe('FileTownDirectory (LRU of open towns)', () => {
  it('keeps the page cache of the hotTowns most recently used towns only: reading many big towns does not keep each cache', () => {
    // Twelve towns of ~9 MB of usage records each, written and closed (a closed town holds no cache).
    const dataDir = new DataDir(tempDir('gg-dir-hot-'));
    const ids = Array.from({ length: 12 }, (_, i) => `big${i}`);
    const builder = new FileTownDirectory(dataDir, () => T0 + 1000, { maxOpen: 1 });
    const pad = 'x'.repeat(200);
    for (const id of ids)
      for (let i = 0; i < 30_000; i += 5000)
        builder.get(id).ingestUsage(Array.from({ length: 5000 }, (_, j) => rec(`${pad}${i + j}`, 1)));
    builder.close();
    const dir = new FileTownDirectory(dataDir, () => T0 + 1000, { hotTowns: 2 });
    try {
      const before = process.memoryUsage().rss;
      // Each scan reads every page of the town's records into its page cache (up to 16 MB a town).
      for (const id of ids)
        expect(dir.get(id).sql.rows('SELECT COUNT(*), SUM(length(id)) FROM usage_records')[0]?.[0]).toBe(30_000);
      const grownMiB = (process.memoryUsage().rss - before) / 2 ** 20;
      // Every cache kept: ~12 × 9 MB. Two kept: ~18 MB.
      expect(dir.openCount()).toBe(12);
      expect(grownMiB).toBeLessThan(48);
    } finally {
      dir.close();
    }
  });

  it('keeps at most maxOpen towns open, closing the least recently used, and reopens them transparently', () => {
    const dir = directory(2);
    try {
      dir.get('a').ingestUsage([rec('a1', 1)]);
      dir.get('b').ingestUsage([rec('b1', 2)]);
      dir.get('a'); // a is now the most recently used: opening c closes b
      const staleB = dir.get('b');
      dir.get('a');
      dir.get('c').ingestUsage([rec('c1', 3)]);
      expect(dir.openCount()).toBe(2);
      // A handle kept past its eviction throws instead of writing beside a newer handle on the same file.
      expect(() => staleB.throughput()).toThrow(/not open/);
      expect(outputTokens(dir, 'b')).toEqual([2]);
      expect(outputTokens(dir, 'a')).toEqual([1]);
      expect(dir.openCount()).toBe(2);
    } finally {
      dir.close();
    }
  });

  it('a LocalTowns handle stays good across evictions: it gets the town again in every call', async () => {
    const dir = directory(1);
    try {
      const handles = new LocalTowns((id) => dir.get(id));
      const a = handles.get('a');
      await a.ingest({ kind: 'usage', records: [rec('a1', 1)] });
      dir.get('b'); // closes a
      expect((await a.timeseries({ from: T0, to: T0 + 5000, maxPoints: 1 })).series.output_tokens).toEqual([1]);
      await a.tick();
      dir.get('b');
      expect(await a.ingest({ kind: 'usage', records: [rec('a1', 1), rec('a2', 4)] })).toMatchObject({
        accepted: 1,
        duplicates: 1,
      });
      expect(outputTokens(dir, 'a')).toEqual([5]);
    } finally {
      dir.close();
    }
  });

  it('counts a usage record exactly once across a close and reopen, before and after the tick indexed it', () => {
    const dir = directory(1);
    try {
      expect(dir.get('t').ingestUsage([rec('m1', 10), rec('m2', 5)])).toMatchObject({ accepted: 2 });
      dir.get('other'); // closes t: its ids of records since the last tick were only in memory
      expect(dir.get('t').ingestUsage([rec('m1', 10), rec('m2', 5)])).toMatchObject({ accepted: 0, duplicates: 2 });
      dir.get('t').tick();
      dir.get('other');
      expect(dir.get('t').ingestUsage([rec('m1', 10), rec('m3', 1)])).toMatchObject({ accepted: 1, duplicates: 1 });
      dir.get('other');
      expect(outputTokens(dir, 't')).toEqual([16]);
    } finally {
      dir.close();
    }
  });

  it("keeps a town's cut tick batch across a close: a slow town reopened is not held a full batch again", () => {
    // The clock moves only when told: with 1 s a read, a tick (three reads) "takes" 2 s and is cut to an eighth.
    const now = { t: T0 + 1000, perCall: 0 };
    const dir = new FileTownDirectory(
      new DataDir(tempDir('gg-dir-')),
      () => {
        now.t += now.perCall;
        return now.t;
      },
      { maxOpen: 1 },
    );
    try {
      expect(dir.get('slow').tickBatchSize).toBe(MAX_TICK_BATCH);
      now.perCall = 1_000;
      dir.get('slow').tick();
      now.perCall = 0;
      const cut = Math.floor((MAX_TICK_BATCH * TICK_TARGET_MS) / 2_000);
      expect(dir.get('slow').tickBatchSize).toBe(cut);
      dir.get('other'); // closes slow
      expect(dir.openCount()).toBe(1);
      expect(dir.get('slow').tickBatchSize).toBe(cut);
      // A town whose ticks were never cut, and a new one, start at the cap.
      expect(dir.get('other').tickBatchSize).toBe(MAX_TICK_BATCH);
      expect(dir.get('new').tickBatchSize).toBe(MAX_TICK_BATCH);
      dir.close();
      expect(dir.get('slow').tickBatchSize).toBe(cut);
    } finally {
      dir.close();
    }
  });

  it('never closes a town inside a transaction; the bound holds again once it is idle', () => {
    const dir = directory(1);
    try {
      const a = dir.get('a');
      a.sql.transaction(() => {
        dir.get('b');
        a.sql.run('UPDATE town_state SET last_tick_at = 1 WHERE id = 1'); // a is still open here
      });
      expect(dir.openCount()).toBe(2);
      dir.get('c');
      expect(dir.openCount()).toBe(1);
      expect(dir.get('a').state().lastTickAt).toBe(1);
    } finally {
      dir.close();
    }
  });
});
