import { appendFileSync, mkdirSync, renameSync, statSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentMap } from '../agents.js';
import { Store } from '../outbox/store.js';
import { growOnEachCursor } from '../testing/fast-writer.js';
import { removeDir, tempDir } from '../testing/server.js';
import type { UsageRecord } from '../wire.js';
import { geminiPrices } from './prices.js';
import { GeminiSource } from './source.js';

let dir: string;
let store: Store;
beforeEach(() => {
  dir = tempDir('gg-gemini-');
});
afterEach(() => {
  store?.close();
  removeDir(dir);
});

const source = () => {
  store = new Store(join(dir, 'state'));
  return new GeminiSource({ store, dirs: [join(dir, 'tmp')], agents: new AgentMap(), prices: geminiPrices(), rescanMs: 0 });
};
const reopen = () => {
  store.close();
  return source();
};

const chatPath = () => join(dir, 'tmp', 'p', 'chats', 'session-1.jsonl');
const header = `${JSON.stringify({ sessionId: 'gs-1', projectHash: 'h', startTime: '2026-11-20T10:00:00.000Z' })}\n`;
/** One response record; `model` only when given (a record's model stands for those after it). */
const response = (n: number, model?: string) =>
  `${JSON.stringify({
    id: `g${n}`,
    type: 'gemini',
    timestamp: new Date(Date.UTC(2026, 10, 20, 10) + n * 1000).toISOString(),
    ...(model === undefined ? {} : { model }),
    content: 'x'.repeat(150),
    tokens: { input: 1000 + n, output: 10, cached: 0, thoughts: 0, tool: 0, total: 1010 + n },
  })}\n`;

function records(): UsageRecord[] {
  return (store.sql.prepare("SELECT body FROM outbox WHERE kind = 'usage' ORDER BY id").pluck().all() as string[]).map(
    (b) => JSON.parse(b) as UsageRecord,
  );
}

describe('Gemini CLI .jsonl chats are tailed', () => {
  it('appending one line to a large chat reads only that line’s bytes', async () => {
    mkdirSync(join(dir, 'tmp', 'p', 'chats'), { recursive: true });
    const lines = Array.from({ length: 20_000 }, (_, i) => response(i, i === 0 ? 'gemini-2.5-flash' : undefined));
    writeFileSync(chatPath(), header + lines.join(''));
    const size = statSync(chatPath()).size;
    expect(size).toBeGreaterThan(4_000_000);
    const src = source();
    await src.poll();
    expect(src.stats).toMatchObject({ bytes: size, responses: 20_000, malformed: 0 });

    const more = response(20_000);
    appendFileSync(chatPath(), more);
    await src.poll();
    expect(src.stats).toMatchObject({ bytes: size + Buffer.byteLength(more), responses: 20_001 });
    // An unchanged file is not read again.
    await src.poll();
    expect(src.stats.bytes).toBe(size + Buffer.byteLength(more));
    expect(records().find((r) => r.inputTokens === 21_000)).toMatchObject({
      model: 'gemini-2.5-flash',
      outputTokens: 10,
      session: 'gs-1',
    });
  });

  it('watched (a running reporter), a pass reads at most passFileBytes of one chat and goes on to the next; the next polls read the rest', async () => {
    mkdirSync(join(dir, 'tmp', 'p', 'chats'), { recursive: true });
    mkdirSync(join(dir, 'tmp', 'q', 'chats'), { recursive: true });
    // ~3.8 MB: passes of about 1 MiB (a step may go a batch past it).
    writeFileSync(
      chatPath(),
      header + Array.from({ length: 12_000 }, (_, i) => response(i, i === 0 ? 'gemini-2.5-flash' : undefined)).join(''),
    );
    const other = join(dir, 'tmp', 'q', 'chats', 'session-2.jsonl');
    writeFileSync(other, header.replace('gs-1', 'gs-2') + response(12_000, 'gemini-2.5-flash'));
    store = new Store(join(dir, 'state'));
    const src = new GeminiSource({
      store,
      dirs: [join(dir, 'tmp')],
      agents: new AgentMap(),
      prices: geminiPrices(),
      passFileBytes: 1024 * 1024,
    });
    src.watch();
    try {
      await src.poll();
      expect(src.stats.bytes).toBeLessThan(statSync(chatPath()).size);
      expect(src.stats.responses).toBeGreaterThan(0);
      // Nothing is written meanwhile: the chat cut short is looked at again all the same.
      for (let k = 0; k < 4; k++) await src.poll();
      expect(src.stats).toMatchObject({ bytes: statSync(chatPath()).size + statSync(other).size, responses: 12_001 });
    } finally {
      src.close();
    }
  });

  it('a chat written faster than it is read ends its pass at the size the pass began with; the next pass reads on', async () => {
    mkdirSync(join(dir, 'tmp', 'p', 'chats'), { recursive: true });
    writeFileSync(
      chatPath(),
      header + Array.from({ length: 6_000 }, (_, i) => response(i, i === 0 ? 'gemini-2.5-flash' : undefined)).join(''),
    );
    const size = statSync(chatPath()).size;
    const src = source();
    let n = 6_000;
    // ~1.2 MiB more per 1 MiB batch read.
    growOnEachCursor(store, () => appendFileSync(chatPath(), Array.from({ length: 6_000 }, () => response(n++)).join('')), 6);
    await src.poll();
    expect(src.stats).toMatchObject({ bytes: size, responses: 6_000 });
    // Each pass ends where its file was when it began, the growth after it for the next.
    for (let pass = 0; pass < 10 && src.stats.bytes < statSync(chatPath()).size; pass++) await src.poll();
    expect(src.stats).toMatchObject({ bytes: statSync(chatPath()).size, responses: 42_000 });
  });

  it('a restart resumes at the saved offset with the session and model the earlier lines named', async () => {
    mkdirSync(join(dir, 'tmp', 'p', 'chats'), { recursive: true });
    writeFileSync(chatPath(), header + response(1, 'gemini-2.5-pro') + response(2));
    await source().poll();
    const first = records().map((r) => r.id);
    // Gemini CLI appends a response and, later, an update of it (the same id, grown); a line is still being written.
    const appended = response(3) + response(3).replace('"output":10', '"output":25');
    appendFileSync(chatPath(), `${appended}{"id":"g4","ty`);
    const src = reopen();
    await src.poll();
    expect(src.stats.bytes).toBe(Buffer.byteLength(appended));
    const after = records();
    expect(after).toHaveLength(3);
    expect(after.map((r) => r.id).filter((id) => !first.includes(id))).toHaveLength(1);
    expect(after.find((r) => r.inputTokens === 1003)).toMatchObject({ model: 'gemini-2.5-pro', outputTokens: 25 });
  });

  it('a chat replaced or truncated is read again from its start, adding no record twice', async () => {
    mkdirSync(join(dir, 'tmp', 'p', 'chats'), { recursive: true });
    const body = header + response(1, 'gemini-2.5-flash') + response(2) + response(3);
    writeFileSync(chatPath(), body);
    const src = source();
    await src.poll();
    const before = records();
    expect(before).toHaveLength(3);

    // Replaced by a rename (another inode), shorter: read from its start.
    writeFileSync(`${chatPath()}.tmp`, header + response(1, 'gemini-2.5-flash'));
    renameSync(`${chatPath()}.tmp`, chatPath());
    await src.poll();
    expect(src.stats.bytes).toBe(body.length + statSync(chatPath()).size);
    // Truncated in place (seen so), then grown again past where it was read up to: from its start too.
    truncateSync(chatPath(), 0);
    await src.poll();
    writeFileSync(chatPath(), body + response(4));
    await src.poll();
    expect(src.stats.bytes).toBe(
      body.length + (header + response(1, 'gemini-2.5-flash')).length + body.length + response(4).length,
    );
    const after = records();
    expect(after).toHaveLength(4);
    expect(after.filter((r) => r.inputTokens !== 1004)).toEqual(before);
    expect(src.stats.responses).toBe(4); // the same responses read again were not sent again
  });

  it('a chat truncated in place and written past the cursor before the next poll is read from its start', async () => {
    mkdirSync(join(dir, 'tmp', 'p', 'chats'), { recursive: true });
    writeFileSync(chatPath(), header + response(1, 'gemini-2.5-flash') + response(2) + response(3));
    const src = source();
    await src.poll();
    expect(records()).toHaveLength(3);
    // The same inode, larger than the cursor, never seen smaller: only the line before the cursor tells.
    truncateSync(chatPath(), 0);
    appendFileSync(chatPath(), header + response(5, 'gemini-2.5-flash') + response(6) + response(7) + response(8));
    await src.poll();
    expect(
      records()
        .map((r) => r.inputTokens)
        .sort(),
    ).toEqual([1001, 1002, 1003, 1005, 1006, 1007, 1008]);
  });

  it('a cursor saved by a version that read the chat whole (no saved state) reads it again from its start', async () => {
    mkdirSync(join(dir, 'tmp', 'p', 'chats'), { recursive: true });
    writeFileSync(chatPath(), header + response(1, 'gemini-2.5-pro'));
    await source().poll();
    store.sql.prepare('DELETE FROM gemini_files').run();
    appendFileSync(chatPath(), response(2));
    const src = reopen();
    await src.poll();
    expect(src.stats.bytes).toBe(statSync(chatPath()).size);
    expect(records().map((r) => r.model)).toEqual(['gemini-2.5-pro', 'gemini-2.5-pro']);
  });
});

describe('Gemini CLI chats and a state write that fails', () => {
  it('a rolled-back read sends its responses when the chat is read again (nothing is taken as sent before its commit)', async () => {
    mkdirSync(join(dir, 'tmp', 'p', 'chats'), { recursive: true });
    const whole = join(dir, 'tmp', 'p', 'chats', 'session-2.json');
    const chat = (n: number) =>
      JSON.stringify({
        sessionId: 'gs-2',
        projectHash: 'h',
        startTime: '2026-11-20T10:00:00.000Z',
        messages: Array.from({ length: n }, (_, i) => JSON.parse(response(i, 'gemini-2.5-pro'))),
      });
    writeFileSync(whole, chat(2));
    writeFileSync(chatPath(), header + response(10, 'gemini-2.5-flash'));
    const src = source();
    // The state database refuses the first commit (as a full disk does): everything read in it rolls back.
    const sql = store.sql;
    let fail = true;
    const real = store.setCursor.bind(store);
    store.setCursor = (...args: Parameters<Store['setCursor']>) => {
      if (fail) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
      real(...args);
    };
    await expect(src.poll()).rejects.toThrow(/disk is full/);
    expect(sql.prepare('SELECT count(*) FROM outbox').pluck().get()).toBe(0);
    fail = false;
    await src.poll();
    expect(
      records()
        .map((r) => r.inputTokens)
        .sort(),
    ).toEqual([1000, 1001, 1010]);
  });
});

describe('Gemini CLI chats rewritten to the same size', () => {
  const whole = () => join(dir, 'tmp', 'p', 'chats', 'session-3.json');
  /** A `.json` chat of `n` responses, padded with a user message to `size` bytes when given. */
  const chat = (n: number, size?: number) => {
    const body = (pad: string) =>
      JSON.stringify({
        sessionId: 'gs-3',
        projectHash: 'h',
        startTime: '2026-11-20T10:00:00.000Z',
        messages: [
          { id: 'u0', type: 'user', content: pad },
          ...Array.from({ length: n }, (_, i) => JSON.parse(response(i, 'gemini-2.5-pro'))),
        ],
      });
    const bare = body('');
    return size === undefined ? bare : body('y'.repeat(size - Buffer.byteLength(bare)));
  };
  const tenSecondsAgo = () => new Date(Date.now() - 10_000);

  it.each([
    ['by the next process (--once again)', true],
    ['by the same one', false],
  ])(
    'a .json chat rewritten in place to the same size with one more response is read again %s, nothing doubled',
    async (_, restart) => {
      mkdirSync(join(dir, 'tmp', 'p', 'chats'), { recursive: true });
      const size = Buffer.byteLength(chat(2)) + 64;
      writeFileSync(whole(), chat(1, size));
      // Its times as Gemini CLI left them a turn before (the rewrite below is then surely another tick).
      utimesSync(whole(), tenSecondsAgo(), tenSecondsAgo());
      const ino = statSync(whole()).ino;
      let src = source();
      await src.poll();
      expect(records().map((r) => r.inputTokens)).toEqual([1000]);

      // The next turn: the user's message shorter by as much as the new response takes, the same inode.
      writeFileSync(whole(), chat(2, size));
      expect(statSync(whole())).toMatchObject({ ino, size });
      if (restart) src = reopen();
      await src.poll();
      expect(records()).toHaveLength(2);
      expect(
        records()
          .map((r) => r.inputTokens)
          .sort(),
      ).toEqual([1000, 1001]);
      // Unchanged since: not read again, by this process or the next.
      const bytes = src.stats.bytes;
      await src.poll();
      expect(src.stats.bytes).toBe(bytes);
      src = reopen();
      await src.poll();
      expect(src.stats).toMatchObject({ bytes: 0, responses: 0 });
      expect(records()).toHaveLength(2);
    },
  );

  it('a .jsonl chat whose last response was rewritten to the same size is read again from its start, nothing doubled', async () => {
    mkdirSync(join(dir, 'tmp', 'p', 'chats'), { recursive: true });
    writeFileSync(chatPath(), header + response(1, 'gemini-2.5-flash'));
    utimesSync(chatPath(), tenSecondsAgo(), tenSecondsAgo());
    let src = source();
    await src.poll();
    // Another response in place of the last one, digit for digit as long (g1 → g2, 1001 → 1002 tokens).
    writeFileSync(chatPath(), header + response(2, 'gemini-2.5-flash'));
    src = reopen();
    await src.poll();
    expect(
      records()
        .map((r) => r.inputTokens)
        .sort(),
    ).toEqual([1001, 1002]);
    src = reopen();
    await src.poll();
    expect(src.stats).toMatchObject({ bytes: 0, responses: 0 });
  });
});

describe('Gemini CLI responses without an id', () => {
  it('two alike in a .jsonl chat are two, also when a restart falls between them (what came before is saved with the offset)', async () => {
    mkdirSync(join(dir, 'tmp', 'p', 'chats'), { recursive: true });
    const alike = `${JSON.stringify({ type: 'gemini', model: 'gemini-2.5-flash', tokens: { input: 7, output: 3 } })}\n`;
    writeFileSync(chatPath(), header + alike);
    let src = source();
    await src.poll();
    src = reopen();
    appendFileSync(chatPath(), alike);
    await src.poll();
    expect(records().map((r) => r.inputTokens)).toEqual([7, 7]);
    // Read again from its start (replaced): the same two ids, nothing more.
    const copy = `${chatPath()}.new`;
    writeFileSync(copy, header + alike + alike);
    renameSync(copy, chatPath());
    src = reopen();
    await src.poll();
    expect(records()).toHaveLength(2);
  });
});
