import { appendFileSync, mkdirSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentMap } from '../agents.js';
import { Store } from '../outbox/store.js';
import { growOnEachCursor } from '../testing/fast-writer.js';
import { removeDir, tempDir } from '../testing/server.js';
import { PriceList } from './pricing.js';
import { ClaudeSource } from './source.js';

let dir: string;
let store: Store;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => {
  store?.close();
  removeDir(dir);
});
const prices = PriceList.load();
const source = (workerBytes: number) => {
  store = new Store(join(dir, 'state'));
  return new ClaudeSource({ store, configDirs: [join(dir, 'claude')], agents: new AgentMap(), prices, rescanMs: 0, workerBytes });
};
const line = (id: string) =>
  JSON.stringify({
    type: 'assistant',
    cwd: '/work/polecats/toast',
    sessionId: 's1',
    timestamp: '2026-11-25T10:00:00.000Z',
    requestId: 'r',
    message: {
      id,
      model: 'claude-sonnet-4-5-20250929',
      usage: { input_tokens: 1, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    },
  });
const lines = (p: string, from: number, n: number) =>
  Array.from({ length: n }, (_, i) => `${line(`${p}${from + i}`)}\n`).join('');
const path = (rel: string) => join(dir, 'claude', 'projects', rel);
function put(rel: string, text: string, append = true) {
  mkdirSync(dirname(path(rel)), { recursive: true });
  if (append) appendFileSync(path(rel), text);
  else writeFileSync(path(rel), text);
}
const ids = () => new Set(store.sql.prepare("SELECT id FROM outbox WHERE kind = 'usage'").pluck().all() as string[]);
const idsOf = (p: string, from: number, n: number) => Array.from({ length: n }, (_, i) => `${p}${from + i}:r`);

/** What is done to the transcript after the pass's first step; the ids its last content holds. */
const mutations: [string, () => string[]][] = [
  [
    'truncated then written smaller',
    () => {
      truncateSync(path('p/a.jsonl'), 0);
      put('p/a.jsonl', lines('b', 0, 1000));
      return idsOf('b', 0, 1000);
    },
  ],
  [
    'renamed over by a larger file',
    () => {
      put('p/tmp', lines('c', 0, 50_000), false);
      renameSync(path('p/tmp'), path('p/a.jsonl'));
      return idsOf('c', 0, 50_000);
    },
  ],
  [
    'renamed over by a smaller file',
    () => {
      put('p/tmp', lines('c', 0, 100), false);
      renameSync(path('p/tmp'), path('p/a.jsonl'));
      return idsOf('c', 0, 100);
    },
  ],
  [
    'deleted',
    () => {
      rmSync(path('p/a.jsonl'));
      return [];
    },
  ],
];

/**
 * A transcript changed in the middle of a pass (after its first step, ~11 MB, more than a step reads), in this thread
 * and in the parse worker: the file after it is read in the same pass, and the next passes read all the last content.
 */
describe('ClaudeSource: a transcript changed in the middle of a pass', () => {
  async function run(mutate: () => string[], workerBytes: number): Promise<string[]> {
    put('p/a.jsonl', lines('a', 0, 40_000));
    put('q/z.jsonl', lines('z', 0, 10));
    const src = source(workerBytes);
    let expected: string[] = [];
    growOnEachCursor(store, () => (expected = mutate()), 1);
    try {
      await src.poll();
      expect([...ids()].filter((id) => id.startsWith('z'))).toHaveLength(10);
      for (let k = 0; k < 3; k++) await src.poll();
      const all = ids();
      return expected.filter((id) => !all.has(id));
    } finally {
      src.close();
    }
  }

  for (const [name, mutate] of mutations)
    for (const [where, workerBytes] of [
      ['in its thread', Number.POSITIVE_INFINITY],
      ['in a parse worker', 0],
    ] as const)
      it(`${name} (${where})`, async () => {
        expect(await run(mutate, workerBytes)).toEqual([]);
      }, 60_000);

  // Known, not fixed: the same inode and a size past the cursor look like the file grew, so reading resumes at the
  // cursor and the new content's head is never read. Deleting and writing the file again does the same where the
  // file system reuses the inode at once (ext4 here: every time). The cursor would need the file's birth time.
  it.fails('truncated in place then written past the cursor: the new head is read (KNOWN BUG)', async () => {
    const missing = await run(() => {
      truncateSync(path('p/a.jsonl'), 0);
      put('p/a.jsonl', lines('e', 0, 50_000));
      return idsOf('e', 0, 50_000);
    }, Number.POSITIVE_INFINITY);
    expect(missing).toEqual([]);
  }, 60_000);
});
