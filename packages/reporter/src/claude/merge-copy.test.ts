import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../outbox/store.js';
import { removeDir, tempDir } from '../testing/server.js';
import { mergeCopy, type ReadEntry } from './chunk.js';
import { ClaudeDedupe } from './dedupe.js';

let root: string;
let store: Store;
beforeAll(() => {
  root = tempDir('gg-merge-');
  store = new Store(join(root, 'state'));
});
afterAll(() => {
  store.close();
  removeDir(root);
});

/** A copy of one of a few responses: few ids, sides and totals, so runs of copies, ties and joins are common. */
const copy = fc.record({
  messageId: fc.constantFrom('m1', 'm2', undefined),
  requestId: fc.constantFrom('r1', 'r2', undefined),
  sidechain: fc.boolean(),
  input: fc.integer({ min: 0, max: 2 }),
  output: fc.integer({ min: 0, max: 2 }),
  speedSet: fc.boolean(),
});

type Copy = typeof copy extends fc.Arbitrary<infer T> ? T : never;

/** Distinct `at` per copy, so the kept copy is identified exactly. */
function entries(copies: readonly Copy[], from: number): ReadEntry[] {
  return copies.map((c, i) => ({
    ...c,
    sessionId: 's1',
    model: 'claude-sonnet-4-5-20250929',
    at: from + i,
    cwd: undefined,
    costUSD: undefined,
    cacheRead: 0,
    cacheWrite5m: 0,
    cacheWrite1h: 0,
    cacheWrite: 0,
    fast: false,
    fromProgress: false,
    ...(c.messageId === undefined ? { lineDigest: `line-${from + i}` } : {}),
  }));
}

/** What ClaudeSource makes of steps of copies: the copy each record ends with, and the stored groups and keys. */
function outcome(steps: readonly ReadEntry[][]): unknown {
  store.sql.exec('DELETE FROM claude_groups; DELETE FROM claude_keys');
  const dedupe = new ClaudeDedupe(store.sql);
  const kept = new Map<string, number>();
  for (const step of steps) {
    store.transaction(() => {
      for (const e of step) {
        const id = dedupe.offer(e, 1);
        if (id !== undefined) kept.set(id, e.at);
      }
      dedupe.flush();
    });
  }
  return {
    kept: [...kept].sort(),
    groups: store.sql.prepare('SELECT * FROM claude_groups ORDER BY rowid').all(),
    keys: store.sql.prepare('SELECT * FROM claude_keys ORDER BY msg_id, req_id').all(),
  };
}

function merged(step: readonly ReadEntry[]): ReadEntry[] {
  const out: ReadEntry[] = [];
  for (const e of step) if (!mergeCopy(out, e)) out.push(e);
  return out;
}

describe('mergeCopy', () => {
  it('ends in the state the dedupe reaches when offered every copy, whatever came before', () => {
    fc.assert(
      fc.property(fc.array(copy, { maxLength: 6 }), fc.array(copy, { minLength: 1, maxLength: 14 }), (before, copies) => {
        const earlier = entries(before, 0);
        const step = entries(copies, 100);
        expect(outcome([earlier, merged(step)])).toEqual(outcome([earlier, step]));
      }),
      { numRuns: 200 },
    );
  });

  it('merges a streamed response into its largest copy and keeps the first of equal copies', () => {
    const [a, b, c, d] = entries(
      [
        { messageId: 'm1', requestId: 'r1', sidechain: false, input: 1, output: 0, speedSet: false },
        { messageId: 'm1', requestId: 'r1', sidechain: false, input: 1, output: 2, speedSet: false },
        { messageId: 'm1', requestId: 'r1', sidechain: false, input: 1, output: 2, speedSet: false },
        { messageId: 'm1', requestId: 'r1', sidechain: true, input: 9, output: 9, speedSet: false },
      ],
      0,
    );
    expect(merged([a, b, c, d] as ReadEntry[])).toEqual([b, d]);
  });
});
