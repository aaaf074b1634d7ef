import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AgentMap } from './agents.js';
import { PriceList } from './claude/pricing.js';
import { ClaudeSource } from './claude/source.js';
import { codexPrices } from './codex/prices.js';
import { CodexSource } from './codex/source.js';
import { StateError } from './errors.js';
import { GastownSource } from './gastown/source.js';
import { geminiPrices } from './gemini/prices.js';
import { GeminiSource } from './gemini/source.js';
import { OpencodeDiskSource } from './opencode/disk.js';
import { OpencodePrices } from './opencode/prices.js';
import { Store } from './outbox/store.js';
import { generateCodexTree } from './testing/codex-rollouts.js';
import { generateGeminiTree } from './testing/gemini-chats.js';
import { generateOpencodeStore } from './testing/opencode-stores.js';
import { removeDir, tempDir } from './testing/server.js';
import { generateTree, writeTree } from './testing/transcripts.js';

interface FileSource {
  poll(): Promise<boolean>;
  close(): void;
}

/** Each source that reads files into the outbox: its data written under `dir`, and the source reading it. */
const SOURCES: { name: string; write: (dir: string) => void; open: (store: Store, dir: string) => FileSource }[] = [
  {
    name: 'Claude Code',
    write: (dir) =>
      writeTree(join(dir, 'claude'), generateTree({ seed: 3, agents: 2, sessionsPerAgent: 2, responsesPerSession: 8 }).files),
    open: (store, dir) =>
      new ClaudeSource({
        store,
        configDirs: [join(dir, 'claude')],
        agents: new AgentMap(),
        prices: PriceList.load(),
        rescanMs: 0,
        workerBytes: Number.POSITIVE_INFINITY,
      }),
  },
  {
    name: 'Codex',
    write: (dir) =>
      writeTree(join(dir, 'codex'), generateCodexTree({ seed: 2, agents: 2, sessionsPerAgent: 2, turnsPerSession: 6 }).files),
    open: (store, dir) =>
      new CodexSource({
        store,
        homes: [join(dir, 'codex')],
        agents: new AgentMap(),
        prices: codexPrices(),
        rescanMs: 0,
        settleMs: 0,
      }),
  },
  {
    name: 'Gemini CLI',
    write: (dir) => {
      for (const [rel, content] of generateGeminiTree({ seed: 2, root: join(dir, 'work') }).files) {
        mkdirSync(dirname(join(dir, 'gemini', rel)), { recursive: true });
        writeFileSync(join(dir, 'gemini', rel), content);
      }
    },
    open: (store, dir) =>
      new GeminiSource({ store, dirs: [join(dir, 'gemini')], agents: new AgentMap(), prices: geminiPrices(), rescanMs: 0 }),
  },
  {
    name: 'Gas Town events',
    write: (dir) => {
      const at = (s: number) => new Date(Date.UTC(2026, 10, 20, 10, 0, s)).toISOString().replace(/\.\d{3}Z$/, 'Z');
      const ev = (s: number, type: string, actor: string, payload: object) =>
        JSON.stringify({ ts: at(s), source: 'gt', type, actor, payload, visibility: 'feed' });
      const lines: string[] = [];
      // ~2.4 MB: read in three batches, so a failure can fall after the first (the order is reset at the file's start).
      const note = 'x'.repeat(1000);
      for (let i = 0; i < 1200; i++) {
        // Several events in one second: their order within it is what the source keeps in memory.
        lines.push(ev(Math.floor(i / 3), 'sling', 'mayor', { bead: `gt-${i}`, target: `gastown/polecats/P${i % 4}`, note }));
        lines.push(ev(Math.floor(i / 3), 'hook', `gastown/polecats/P${i % 4}`, { bead: `gt-${i}`, note }));
      }
      mkdirSync(join(dir, 'town'), { recursive: true });
      writeFileSync(join(dir, 'town', '.events.jsonl'), `${lines.join('\n')}\n`);
    },
    open: (store, dir) => Object.assign(new GastownSource(store, join(dir, 'town')), { close: () => {} }),
  },
  {
    name: 'OpenCode',
    write: (dir) => void generateOpencodeStore(join(dir, 'opencode'), { seed: 2, sessions: 3 }),
    open: (store, dir) =>
      new OpencodeDiskSource({ store, dirs: [join(dir, 'opencode')], agents: new AgentMap(), prices: OpencodePrices.load() }),
  },
];

/** The outbox's records by kind and id, as sent. */
function outbox(store: Store): Map<string, string> {
  const rows = store.sql.prepare('SELECT kind, id, body FROM outbox ORDER BY kind, id').raw().all() as [string, string, string][];
  return new Map(rows.map(([kind, id, body]) => [`${kind}:${id}`, body]));
}

/**
 * Makes the `at`-th write of a record, cursor or counter through the store throw as a full disk does (once),
 * and counts them.
 */
function failingAt(store: Store, at: number): { writes: () => number } {
  let n = 0;
  const fail = () => {
    n++;
    if (n === at) throw new StateError('reporter state write failed: database or disk is full');
  };
  const enqueue = store.enqueue.bind(store);
  const setCursor = store.setCursor.bind(store);
  const addCounterIn = store.addCounterIn.bind(store);
  store.enqueue = (...args) => {
    fail();
    enqueue(...args);
  };
  store.setCursor = (...args) => {
    fail();
    setCursor(...args);
  };
  store.addCounterIn = (...args) => {
    fail();
    addCounterIn(...args);
  };
  return { writes: () => n };
}

/** Polls until a poll ends without a state error (at most a few), then twice more to settle. */
async function readAll(source: FileSource): Promise<void> {
  for (let tries = 0; ; tries++) {
    try {
      await source.poll();
      break;
    } catch (err) {
      if (!(err instanceof StateError) || tries > 5) throw err;
    }
  }
  await source.poll();
  await source.poll();
}

/**
 * The class behind two lost-record bugs: a source that remembered in memory what it had enqueued (a
 * record's body, a file's signature) before the transaction holding it committed skipped the record for
 * good when that transaction rolled back. For each file source, a state write that fails at any one point
 * of a read leaves, once the writes succeed again, the same outbox as a read with no failure.
 */
describe('a failed state write loses nothing', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) removeDir(d);
  });

  for (const s of SOURCES) {
    it(`${s.name}: the outbox after a failure at any write equals the outbox of a clean read`, async () => {
      const dir = tempDir('gg-state-failures-');
      dirs.push(dir);
      s.write(dir);
      const clean = new Store(join(dir, 'clean'));
      const counted = failingAt(clean, 0);
      const cleanSource = s.open(clean, dir);
      await readAll(cleanSource);
      cleanSource.close();
      const expected = outbox(clean);
      const writes = counted.writes();
      clean.close();
      expect(expected.size).toBeGreaterThan(3);

      // The first writes, some in the middle, and the last.
      const points = [...new Set([1, 2, 3, Math.floor(writes / 3), Math.floor(writes / 2), writes - 1, writes])];
      for (const at of points.filter((p) => p >= 1)) {
        const store = new Store(join(dir, `failing-${at}`));
        failingAt(store, at);
        const source = s.open(store, dir);
        await readAll(source);
        source.close();
        expect([at, outbox(store)]).toEqual([at, expected]);
        store.close();
      }
    }, 60_000);
  }
});
