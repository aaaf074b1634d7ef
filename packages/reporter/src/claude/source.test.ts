import { appendFileSync, mkdirSync, renameSync, rmSync, statSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentMap } from '../agents.js';
import { Store } from '../outbox/store.js';
import { growOnEachCursor } from '../testing/fast-writer.js';
import { removeDir, tempDir } from '../testing/server.js';
import { generateTree, writeTree } from '../testing/transcripts.js';
import type { UsageRecord } from '../wire.js';
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
const source = (agents = new AgentMap(), workerBytes = Number.POSITIVE_INFINITY, state = 'state') => {
  store = new Store(join(dir, state));
  return new ClaudeSource({ store, configDirs: [join(dir, 'claude')], agents, prices, rescanMs: 0, workerBytes });
};
const reopen = () => {
  store.close();
  return source();
};

function line(o: {
  id?: string;
  req?: string;
  out?: number;
  input?: number;
  read?: number;
  write?: number;
  sidechain?: boolean;
  ts?: string;
  cwd?: string;
  model?: string;
  cost?: number;
}): string {
  return JSON.stringify({
    type: 'assistant',
    isSidechain: o.sidechain ?? false,
    cwd: o.cwd ?? '/work/polecats/toast',
    sessionId: 's1',
    version: '2.0.31',
    timestamp: o.ts ?? '2026-11-25T10:00:00.000Z',
    requestId: o.req ?? 'req_1',
    ...(o.cost === undefined ? {} : { costUSD: o.cost }),
    message: {
      id: o.id ?? 'msg_1',
      model: o.model ?? 'claude-sonnet-4-5-20250929',
      usage: {
        input_tokens: o.input ?? 10,
        output_tokens: o.out ?? 100,
        cache_creation_input_tokens: o.write ?? 0,
        cache_read_input_tokens: o.read ?? 0,
      },
    },
  });
}

function write(rel: string, ...lines: string[]): string {
  const path = join(dir, 'claude', 'projects', rel);
  mkdirSync(dirname(path), { recursive: true });
  appendFileSync(path, lines.map((l) => `${l}\n`).join(''));
  return path;
}

function records(): UsageRecord[] {
  return (store.sql.prepare("SELECT body FROM outbox WHERE kind = 'usage' ORDER BY id").pluck().all() as string[]).map(
    (b) => JSON.parse(b) as UsageRecord,
  );
}

describe('ClaudeSource', () => {
  it('keeps one record per message.id + requestId with the largest copy of a streamed response', async () => {
    const src = source();
    write('p/s1.jsonl', line({ out: 10 }), line({ out: 60 }), line({ out: 250 }), line({ id: 'msg_2', req: 'req_2', out: 5 }));
    await src.poll();
    const recs = records();
    expect(recs.map((r) => [r.id, r.outputTokens])).toEqual([
      ['msg_1:req_1', 250],
      ['msg_2:req_2', 5],
    ]);
    expect(src.stats).toMatchObject({ usageLines: 4, merged: 2, updates: 2, duplicates: 0 });
    // A copy smaller than what was kept adds nothing.
    write('p/s1.jsonl', line({ out: 60 }));
    await src.poll();
    expect(records()[0]?.outputTokens).toBe(250);
    expect(src.stats.duplicates).toBe(1);
  });

  it.each([
    ['in its thread', Number.POSITIVE_INFINITY],
    ['in a parse worker', 0],
  ])(
    'a transcript written faster than it is read (%s) ends its pass at the size the pass began with; the next pass reads on',
    async (_, workerBytes) => {
      const lines = (from: number, n: number) => Array.from({ length: n }, (_, i) => line({ id: `m${from + i}`, input: 1 }));
      // More than a step's 4 MiB and than the worker's 8 MiB read ahead; as much again after the first step.
      const path = write('p/s.jsonl', ...lines(0, 40_000));
      const size = statSync(path).size;
      const src = source(new AgentMap(), workerBytes);
      growOnEachCursor(store, () => write('p/s.jsonl', ...lines(40_000, 40_000)), 1);
      await src.poll();
      expect(src.stats).toMatchObject({ bytes: size, updates: 40_000 });
      await src.poll();
      expect(src.stats).toMatchObject({ bytes: statSync(path).size, updates: 80_000 });
    },
  );

  it.each([
    ['in its thread', Number.POSITIVE_INFINITY],
    ['in a parse worker', 0],
  ])(
    'watched (a running reporter), a pass reads at most passFileBytes of one file and goes on to the next; the next polls read the rest (%s)',
    async (_, workerBytes) => {
      const lines = (from: number, n: number) => Array.from({ length: n }, (_, i) => line({ id: `m${from + i}`, input: 1 }));
      // ~11 MB: three passes of 4 MiB. Before, one pass read it all, however far a runaway writer had taken it.
      const big = write('p/a.jsonl', ...lines(0, 40_000));
      const small = write('q/z.jsonl', line({ id: 'z', input: 1 }));
      store = new Store(join(dir, 'state'));
      const src = new ClaudeSource({
        store,
        configDirs: [join(dir, 'claude')],
        agents: new AgentMap(),
        prices,
        workerBytes,
        passFileBytes: 4 * 1024 * 1024,
      });
      src.watch();
      try {
        await src.poll();
        expect(src.stats.bytes).toBeLessThan(statSync(big).size / 2);
        expect(records().some((r) => r.id === 'z:req_1')).toBe(true);
        // Nothing is written meanwhile: the file cut short is looked at again all the same.
        for (let k = 0; k < 4; k++) await src.poll();
        expect(src.stats).toMatchObject({ bytes: statSync(big).size + statSync(small).size, updates: 40_001 });
      } finally {
        src.close();
      }
    },
  );

  it('watched, a pass the full outbox stopped leaves the files after it for the next poll, with no change to name them', async () => {
    for (const p of ['a', 'b', 'c', 'd']) write(`${p}/s.jsonl`, line({ id: `m${p}` }));
    // Full after any one record: a pass reads one file, then stops.
    store = new Store(join(dir, 'state'), { maxPendingBytes: 1 });
    const src = new ClaudeSource({ store, configDirs: [join(dir, 'claude')], agents: new AgentMap(), prices });
    src.watch();
    try {
      const delivered = new Set<string>();
      for (let k = 0; k < 6 && delivered.size < 4; k++) {
        await src.poll();
        // Delivered (acknowledged): room again. Nothing is written, so no watch event names the files not read.
        for (const r of records()) delivered.add(r.id);
        store.sql.prepare('DELETE FROM outbox').run();
        store.recount();
      }
      expect([...delivered].sort()).toEqual(['ma:req_1', 'mb:req_1', 'mc:req_1', 'md:req_1']);
    } finally {
      src.close();
    }
  });

  it('counts a resumed session that begins with copies of earlier lines once', async () => {
    const src = source();
    write('p/s1.jsonl', line({ out: 250 }));
    await src.poll();
    store.sql.prepare('DELETE FROM outbox').run(); // as if delivered
    write('p/s2.jsonl', line({ out: 250 }), line({ id: 'msg_3', req: 'req_3' }));
    await src.poll();
    expect(records().map((r) => r.id)).toEqual(['msg_3:req_3']);
  });

  it('drops side-question replays (sidechain, same message.id, new requestId) and keeps real sidechain responses', async () => {
    const src = source();
    write('p/s1.jsonl', line({ out: 250, read: 5000 }));
    write(
      'p/s1/subagents/agent-aside.jsonl',
      // The replay carries the parent's usage under a new request id, written minutes later.
      line({ req: 'req_aside', out: 250, read: 5000, sidechain: true, ts: '2026-11-25T10:05:00.000Z' }),
      line({ id: 'msg_answer', req: 'req_answer', out: 40, sidechain: true }),
    );
    await src.poll();
    expect(records().map((r) => [r.id, r.outputTokens, r.cacheReadTokens])).toEqual([
      ['msg_1:req_1', 250, 5000],
      ['msg_answer:req_answer', 40, 0],
    ]);
  });

  it('prefers the parent copy when a replay was read first', async () => {
    const src = source();
    // Sorted file order puts the replay's file first; the parent's copy replaces it under the same record id.
    write('a/replay.jsonl', line({ req: 'req_aside', out: 250, sidechain: true, model: 'claude-haiku-4-5' }));
    await src.poll();
    write('b/parent.jsonl', line({ out: 250 }));
    await src.poll();
    const recs = records();
    expect(recs).toHaveLength(1);
    expect(recs[0]).toMatchObject({ id: 'msg_1:req_aside', model: 'claude-sonnet-4-5-20250929' });
  });

  it('counts an agent_progress copy and the subagent file it mirrors once', async () => {
    const src = source();
    const sub = line({ id: 'msg_sub', req: 'req_sub', out: 77, sidechain: true });
    const progress = JSON.stringify({
      type: 'progress',
      cwd: '/work/polecats/toast',
      sessionId: 's1',
      timestamp: '2026-11-25T10:00:01.000Z',
      data: { type: 'agent_progress', message: JSON.parse(sub) },
    });
    write('p/s1.jsonl', line({}), progress);
    write('p/s1/subagents/agent-x.jsonl', sub);
    await src.poll();
    expect(records().map((r) => [r.id, r.outputTokens])).toEqual([
      ['msg_1:req_1', 100],
      ['msg_sub:req_sub', 77],
    ]);
  });

  it('skips and counts malformed lines, and reads a partial last line only once its newline arrives', async () => {
    const src = source();
    const path = write('p/s1.jsonl', '{"message":{"usage":{ cut short', line({}));
    const partial = line({ id: 'msg_2', req: 'req_2', out: 9 });
    appendFileSync(path, partial.slice(0, 50));
    await src.poll();
    expect(src.stats.malformed).toBe(1);
    expect(records()).toHaveLength(1);
    appendFileSync(path, `${partial.slice(50)}\n`);
    await src.poll();
    expect(records().map((r) => r.id)).toEqual(['msg_1:req_1', 'msg_2:req_2']);
    // The count survives a restart.
    expect(reopen().stats.malformed).toBe(1);
  });

  it('picks up files that appear and lines appended while tailing, without re-reading', async () => {
    const src = source();
    await src.poll();
    expect(records()).toHaveLength(0);
    write('p/s1.jsonl', line({}));
    await src.poll();
    const bytes = src.stats.bytes;
    write('p/s1.jsonl', line({ id: 'msg_2', req: 'req_2' }));
    write('q/s9.jsonl', line({ id: 'msg_9', req: 'req_9' }));
    await src.poll();
    expect(records()).toHaveLength(3);
    // Only the appended bytes were read.
    expect(src.stats.bytes - bytes).toBe(
      Buffer.byteLength(`${line({ id: 'msg_2', req: 'req_2' })}\n${line({ id: 'msg_9', req: 'req_9' })}\n`),
    );
  });

  it('survives truncation and replacement of a file without counting anything twice', async () => {
    const src = source();
    const path = write('p/s1.jsonl', line({ out: 100 }), line({ id: 'msg_2', req: 'req_2' }));
    await src.poll();
    store.sql.prepare('DELETE FROM outbox').run();
    writeFileSync(path, `${line({ out: 100 })}\n`); // truncated below the saved offset
    await src.poll();
    expect(records()).toHaveLength(0);
    const tmp = `${path}.tmp`;
    writeFileSync(tmp, `${line({ out: 100 })}\n${line({ id: 'msg_4', req: 'req_4' })}\n`);
    renameSync(tmp, path); // replaced: a new inode
    await src.poll();
    expect(records().map((r) => r.id)).toEqual(['msg_4:req_4']);
  });

  it('a file truncated to nothing, seen so, then written past the old offset is read from its start', async () => {
    const src = source();
    const path = write('p/s1.jsonl', line({ out: 100 }), line({ id: 'msg_2', req: 'req_2' }));
    await src.poll();
    truncateSync(path, 0); // as a log rotation in place does
    await src.poll();
    write('p/s1.jsonl', ...['msg_3', 'msg_4', 'msg_5'].map((id) => line({ id, req: id.replace('msg', 'req') })));
    await src.poll();
    expect(records().map((r) => r.id)).toEqual(['msg_1:req_1', 'msg_2:req_2', 'msg_3:req_3', 'msg_4:req_4', 'msg_5:req_5']);
    expect(src.stats.malformed).toBe(0);
  });

  it('resumes from its committed offsets after a restart and sends nothing twice', async () => {
    const src = source();
    write('p/s1.jsonl', line({}), line({ id: 'msg_2', req: 'req_2' }));
    await src.poll();
    store.sql.prepare('DELETE FROM outbox').run();
    const again = reopen();
    await again.poll();
    expect(records()).toHaveLength(0);
    expect(again.stats.bytes).toBe(0);
  });

  it('prices from costUSD when present, else from the price list, and attributes by cwd', async () => {
    const src = source(new AgentMap({ paths: [{ path: '/work/polecats/toast', agentId: 'toast' }] }));
    write(
      'p/s1.jsonl',
      line({ cost: 0.5 }),
      line({ id: 'msg_2', req: 'req_2', input: 1000, out: 1000, read: 1000, write: 1000, cwd: '/elsewhere/nux' }),
    );
    await src.poll();
    const [a, b] = records();
    expect(a).toMatchObject({ agentId: 'toast', costMicrodollars: 500_000 });
    // sonnet-4-5: 3 + 15 + 0.3 + 3.75 $/MTok
    expect(b).toMatchObject({ agentId: 'nux', costMicrodollars: 3000 + 15000 + 300 + 3750 });
  });

  it('reads a backfill in the parse worker to the same records, counts and cursors as in its own thread', async () => {
    const tree = generateTree({ seed: 7, agents: 3, sessionsPerAgent: 3, responsesPerSession: 30, padding: 3000 });
    writeTree(join(dir, 'claude'), tree.files);
    const outcome = async (workerBytes: number, state: string) => {
      const src = source(new AgentMap(), workerBytes, state);
      await src.poll();
      const cursors = store.cursors('claude').sort((a, b) => a.path.localeCompare(b.path));
      const result = { records: records(), cursors, stats: { ...src.stats, readAhead: 0 }, readAhead: src.stats.readAhead };
      src.close();
      store.close();
      return result;
    };
    const own = await outcome(Number.POSITIVE_INFINITY, 'own');
    const ahead = await outcome(0, 'ahead');
    expect(own.readAhead).toBe(0);
    expect(ahead.readAhead).toBeGreaterThanOrEqual(tree.files.size);
    expect(ahead.records).toEqual(own.records);
    expect(ahead.cursors).toEqual(own.cursors);
    expect(ahead.stats).toEqual(own.stats);
    expect(own.stats.malformed).toBe(tree.malformed);
  });

  it('stops the worker a first poll warmed when there was too little to read ahead, and can start it again', async () => {
    const tree = generateTree({ seed: 5, agents: 2, sessionsPerAgent: 2, responsesPerSession: 20, padding: 5000 });
    const claude = join(dir, 'claude');
    writeTree(claude, tree.files, (_, n) => [0, Math.min(n, 2)]);
    const src = source(new AgentMap(), 1024 * 1024);
    await src.poll();
    expect(src.stats.readAhead).toBe(0);
    writeTree(claude, tree.files, (_, n) => [Math.min(n, 2), n]);
    await src.poll();
    // A stopped worker that counted as failed would leave this poll to read in its own thread.
    expect(src.stats.readAhead).toBeGreaterThan(0);
    src.close();
  });

  it('hands the worker files in slices while still checking the rest, resuming each where its cursor is', async () => {
    // Over 256 files (one slice), each read in two halves: the second poll resumes every file mid-way.
    const tree = generateTree({ seed: 11, agents: 20, sessionsPerAgent: 14, responsesPerSession: 6, padding: 200 });
    expect(tree.files.size).toBeGreaterThan(2 * 256);
    const half = (_: string, n: number): [number, number] => [0, Math.floor(n / 2)];
    const rest = (_: string, n: number): [number, number] => [Math.floor(n / 2), n];
    const outcome = async (workerBytes: number, state: string) => {
      const claude = join(dir, state, 'claude');
      writeTree(claude, tree.files, half);
      store = new Store(join(dir, state, 'state'));
      const src = new ClaudeSource({ store, configDirs: [claude], agents: new AgentMap(), prices, rescanMs: 0, workerBytes });
      await src.poll();
      writeTree(claude, tree.files, rest);
      await src.poll();
      // Each outcome has a tree of its own: its paths relative to it, without inode numbers.
      const cursors = store.cursors('claude').map((c) => ({ path: c.path.slice(claude.length), offset: c.offset }));
      const result = {
        records: records(),
        cursors: cursors.sort((a, b) => a.path.localeCompare(b.path)),
        readAhead: src.stats.readAhead,
      };
      src.close();
      store.close();
      return result;
    };
    const own = await outcome(Number.POSITIVE_INFINITY, 'own');
    const ahead = await outcome(0, 'ahead');
    expect(own.readAhead).toBe(0);
    // Every file written is read ahead in each poll it has new lines for (a one-line file only in the second).
    const halves = [...tree.files.values()].filter((lines) => lines.length >= 2).length;
    expect(ahead.readAhead).toBeGreaterThanOrEqual(halves + tree.files.size);
    expect(ahead.records).toEqual(own.records);
    expect(ahead.cursors).toEqual(own.cursors);
    expect(own.records.length).toBeGreaterThan(0);
  });
});

describe('ClaudeSource: a transcript rewritten in place to the same size', () => {
  it.each([
    ['the same process, in its thread', false, Number.POSITIVE_INFINITY],
    ['the next process (--once again), in its thread', true, Number.POSITIVE_INFINITY],
    ['the next process, in a parse worker', true, 0],
  ])('is read again from its start by %s: the new response counts, nothing doubled', async (_, restart, workerBytes) => {
    // Two lines of one length, another response each (a tool rewrote the file, or it was restored from elsewhere).
    const path = write('p/s.jsonl', line({ id: 'msg_a', req: 'req_a', out: 100 }));
    const old = new Date(Date.now() - 10_000);
    utimesSync(path, old, old);
    const { ino, size } = statSync(path);
    let src = source(new AgentMap(), workerBytes);
    await src.poll();
    writeFileSync(path, `${line({ id: 'msg_b', req: 'req_b', out: 200 })}\n`);
    expect(statSync(path)).toMatchObject({ ino, size });
    if (restart) {
      store.close();
      src = source(new AgentMap(), workerBytes);
    }
    await src.poll();
    expect(records().map((r) => [r.id, r.outputTokens])).toEqual([
      ['msg_a:req_a', 100],
      ['msg_b:req_b', 200],
    ]);
    // Unchanged since: one stat, not read again.
    const bytes = src.stats.bytes;
    await src.poll();
    expect(src.stats.bytes).toBe(bytes);
    store.close();
    src = source(new AgentMap(), workerBytes);
    await src.poll();
    expect(src.stats).toMatchObject({ bytes: 0, usageLines: 0 });
  });

  it('only touched (its times changed, not its bytes): nothing is read but its mark, nothing sent', async () => {
    const path = write('p/s.jsonl', line({ id: 'msg_a', req: 'req_a', out: 100 }));
    let src = source();
    await src.poll();
    const later = new Date(Date.now() + 10_000);
    utimesSync(path, later, later);
    src = reopen();
    await src.poll();
    expect(src.stats).toMatchObject({ bytes: 0, usageLines: 0 });
    // Its new stamp was saved: the next process takes it as read.
    expect(store.cursor('claude', path)?.stamp).toBe(`${statSync(path).mtimeMs}/${statSync(path).ctimeMs}`);
  });
});

describe('a stop (Ctrl-C) during a backfill', () => {
  for (const [name, workerBytes] of [
    ['read in this thread', Number.POSITIVE_INFINITY],
    ['read ahead by the parse worker', 0],
  ] as const) {
    it(`ends the read at its next commit, and the next start reads the rest: the outbox equals one whole read (${name})`, async () => {
      // ~20 MB: five commits of COMMIT_BYTES.
      for (let chunk = 0; chunk < 3; chunk++) {
        const tree = generateTree({
          seed: 40 + chunk,
          agents: 4,
          sessionsPerAgent: 4,
          responsesPerSession: 40,
          padding: 2000,
          idPrefix: `s${chunk}_`,
        });
        writeTree(join(dir, 'claude'), tree.files);
      }
      const outbox = (s: Store) => new Map(s.sql.prepare('SELECT id, body FROM outbox').raw().all() as [string, string][]);
      const whole = source(new AgentMap(), workerBytes, 'whole');
      expect(await whole.poll()).toBe(true);
      const expected = outbox(store);
      const size = whole.stats.bytes;
      whole.close();
      store.close();

      const first = source(new AgentMap(), workerBytes, 'stopped');
      store.onEnqueued(() => store.stopReading()); // a signal right after the first commit
      expect(await first.poll()).toBe(false);
      expect(first.stats.bytes).toBeGreaterThan(0);
      expect(first.stats.bytes).toBeLessThan(size / 2);
      first.close();
      store.close();
      const rest = source(new AgentMap(), workerBytes, 'stopped');
      expect(await rest.poll()).toBe(true);
      expect(first.stats.bytes + rest.stats.bytes).toBe(size);
      expect(outbox(store)).toEqual(expected);
      rest.close();
    });
  }
});

/**
 * A transcript changed in the middle of a pass (after its first step, ~11 MB, more than a step reads), in this thread
 * and in the parse worker: the file after it is read in the same pass, and the next passes read all the last content.
 */
describe('ClaudeSource: a transcript changed in the middle of a pass', () => {
  const lines = (p: string, from: number, n: number) =>
    Array.from({ length: n }, (_, i) => `${line({ id: `${p}${from + i}`, req: 'r' })}\n`).join('');
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
    // The same inode and a size past the cursor look like growth: only the cursor's mark tells these apart.
    [
      'truncated in place then written past the cursor',
      () => {
        truncateSync(path('p/a.jsonl'), 0);
        put('p/a.jsonl', lines('e', 0, 50_000));
        return idsOf('e', 0, 50_000);
      },
    ],
    [
      'deleted and written again past the cursor (the inode reused)',
      () => {
        // ext4 hands the freed inode out again at once (every time here); where it does not, this is the rename case.
        rmSync(path('p/a.jsonl'));
        put('p/a.jsonl', lines('f', 0, 50_000));
        return idsOf('f', 0, 50_000);
      },
    ],
  ];

  async function run(mutate: () => string[], workerBytes: number): Promise<string[]> {
    put('p/a.jsonl', lines('a', 0, 40_000));
    put('q/z.jsonl', lines('z', 0, 10));
    const src = source(new AgentMap(), workerBytes);
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
});
