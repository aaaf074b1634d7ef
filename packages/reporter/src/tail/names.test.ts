import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentMap } from '../agents.js';
import { PriceList } from '../claude/pricing.js';
import { ClaudeSource } from '../claude/source.js';
import { codexPrices } from '../codex/prices.js';
import { CodexSource } from '../codex/source.js';
import { geminiPrices } from '../gemini/prices.js';
import { GeminiSource } from '../gemini/source.js';
import { OpencodeDiskSource } from '../opencode/disk.js';
import { OpencodePrices } from '../opencode/prices.js';
import { Store } from '../outbox/store.js';
import { removeDir, tempDir } from '../testing/server.js';
import type { UsageRecord } from '../wire.js';
import { fsPath, listDir, nameEndsWith, nameOf } from './names.js';

describe('file names that are not UTF-8', () => {
  it('are kept as text that gives their exact bytes back, distinct from every other name', () => {
    const raw = fc.uint8Array({ minLength: 1, maxLength: 12 }).map((a) => Buffer.from(a.filter((b) => b !== 0x2f && b !== 0)));
    fc.assert(
      fc.property(raw, raw, (a, b) => {
        // No entry is named "", "." or "..": readdir never lists them.
        if ([a, b].some((n) => n.length === 0 || /^\.\.?$/.test(n.toString('latin1')))) return;
        const path = join('/data', nameOf(a), nameOf(b));
        expect(Buffer.from(fsPath(path))).toEqual(Buffer.concat([Buffer.from('/data/'), a, Buffer.from('/'), b]));
        if (!a.equals(b)) expect(nameOf(a)).not.toBe(nameOf(b));
      }),
      { numRuns: 3000 },
    );
    expect(nameOf(Buffer.from('session-1.jsonl'))).toBe('session-1.jsonl');
    expect(fsPath('/data/session-1.jsonl')).toBe('/data/session-1.jsonl');
    // A valid name holding U+FFFD is escaped too, so that no valid name reads as an escaped one.
    const tricky = Buffer.from('\uFFFD{ff}');
    expect(nameOf(tricky)).not.toBe('\uFFFD{ff}');
    expect(fsPath(`/d/${nameOf(tricky)}`)).toEqual(Buffer.from('/d/\uFFFD{ff}'));
    expect(nameEndsWith(`/d/${nameOf(Buffer.from([0x73, 0xff, 0x2e, 0x6a, 0x73, 0x6f, 0x6e, 0x6c]))}`, '.jsonl')).toBe(true);
  });
});

describe('listDir', () => {
  it('names every entry so that its path gives the exact bytes back, whether the listing is read as text or as bytes', () => {
    const base = tempDir('gg-listdir-');
    const names = fc.uniqueArray(
      fc.uint8Array({ minLength: 1, maxLength: 6 }).map((a) => Buffer.from(a.filter((b) => b !== 0x2f && b !== 0))),
      { maxLength: 6, selector: (b) => b.toString('hex') },
    );
    let round = 0;
    try {
      fc.assert(
        fc.property(names, (raw) => {
          const d = join(base, String(round++));
          mkdirSync(d);
          for (const n of raw) {
            if (n.length === 0 || /^\.\.?$/.test(n.toString('latin1'))) continue;
            writeFileSync(Buffer.concat([Buffer.from(`${d}/`), n]), '');
          }
          const expected = (readdirSync(d, { encoding: 'buffer' }) as Buffer[]).map((n) => n.toString('hex')).sort();
          const listed = listDir(d).map((e) =>
            Buffer.from(fsPath(join(d, e.name)))
              .subarray(d.length + 1)
              .toString('hex'),
          );
          expect(listed.sort()).toEqual(expected);
          rmSync(d, { recursive: true });
        }),
        { numRuns: 200 },
      );
    } finally {
      removeDir(base);
    }
  });
});

let dir: string;
let store: Store;
beforeEach(() => {
  dir = tempDir('gg-names-');
});
afterEach(() => {
  store?.close();
  removeDir(dir);
});

/** `dir/rel/` + a name of raw bytes (`s\xff.jsonl`, say), created with `content`. */
function writeBytesName(rel: string, name: Buffer, content: string): void {
  mkdirSync(join(dir, rel), { recursive: true });
  writeFileSync(Buffer.concat([Buffer.from(`${join(dir, rel)}/`), name]), content);
}
const bad = (prefix: string, byte: number, ext: string) =>
  Buffer.concat([Buffer.from(prefix), Buffer.from([byte]), Buffer.from(ext)]);

function records(): UsageRecord[] {
  return (store.sql.prepare("SELECT body FROM outbox WHERE kind = 'usage' ORDER BY id").pluck().all() as string[]).map(
    (b) => JSON.parse(b) as UsageRecord,
  );
}
const cursors = (source: string) => store.cursors(source).length;

/** Polls a source over the two files its test wrote (10 and 20 output tokens): both read, each with its own cursor. */
async function bothRead(src: { poll(): Promise<unknown> }, source: string): Promise<void> {
  await src.poll();
  expect(
    records()
      .map((r) => r.outputTokens)
      .sort(),
  ).toEqual([10, 20]);
  expect(cursors(source)).toBe(2);
}

describe('transcripts named with bytes that are not UTF-8 are read, each keyed by its exact name', () => {
  it('Claude Code', async () => {
    const line = (id: string) =>
      `${JSON.stringify({
        type: 'assistant',
        cwd: '/w',
        sessionId: 's1',
        timestamp: '2026-11-25T10:00:00.000Z',
        requestId: `req_${id}`,
        message: { id: `msg_${id}`, model: 'claude-sonnet-4-5-20250929', usage: { input_tokens: 10, output_tokens: 100 } },
      })}\n`;
    writeBytesName('claude/projects/p', bad('s', 0xff, '.jsonl'), line('a'));
    writeBytesName('claude/projects/p', bad('s', 0xfe, '.jsonl'), line('b'));
    mkdirSync(Buffer.concat([Buffer.from(join(dir, 'claude/projects/')), bad('q', 0xe9, '')]));
    writeFileSync(
      Buffer.concat([Buffer.from(join(dir, 'claude/projects/')), bad('q', 0xe9, ''), Buffer.from('/s.jsonl')]),
      line('c'),
    );
    // In this thread, and in the parse worker (a backfill), which is handed the paths as text.
    for (const [state, workerBytes] of [
      ['state', Number.POSITIVE_INFINITY],
      ['worker-state', 0],
    ] as const) {
      const open = () => {
        store = new Store(join(dir, state));
        return new ClaudeSource({
          store,
          configDirs: [join(dir, 'claude')],
          agents: new AgentMap(),
          prices: PriceList.load(),
          rescanMs: 0,
          workerBytes,
        });
      };
      const src = open();
      await src.poll();
      expect(records().map((r) => r.id)).toEqual(['msg_a:req_a', 'msg_b:req_b', 'msg_c:req_c']);
      expect(cursors('claude')).toBe(3);
      src.close();
      store.close();
      const again = open();
      await again.poll();
      expect(again.stats.bytes).toBe(0); // each resumed at its own saved offset
      again.close();
      store.close();
    }
  });

  it('Codex CLI', async () => {
    const ts = (s: number) => new Date(Date.UTC(2026, 10, 20, 10, 0, s)).toISOString();
    const rollout = (out: number) =>
      [
        { timestamp: ts(0), type: 'turn_context', payload: { cwd: '/w', model: 'gpt-5.2-codex' } },
        {
          timestamp: ts(out),
          type: 'event_msg',
          payload: {
            type: 'token_count',
            info: {
              total_token_usage: {
                input_tokens: 100,
                cached_input_tokens: 0,
                output_tokens: out,
                reasoning_output_tokens: 0,
                total_tokens: 100 + out,
              },
            },
          },
        },
      ]
        .map((l) => `${JSON.stringify(l)}\n`)
        .join('');
    writeBytesName('codex/sessions/2026/11/20', bad('rollout-', 0xff, '.jsonl'), rollout(10));
    writeBytesName('codex/sessions/2026/11/20', bad('rollout-', 0xfe, '.jsonl'), rollout(20));
    store = new Store(join(dir, 'state'));
    await bothRead(
      new CodexSource({ store, homes: [join(dir, 'codex')], agents: new AgentMap(), prices: codexPrices(), rescanMs: 0 }),
      'codex',
    );
  });

  it('Gemini CLI', async () => {
    const response = (id: string, output: number) =>
      JSON.stringify({ id, type: 'gemini', model: 'gemini-2.5-flash', tokens: { input: 100, output, total: 100 + output } });
    writeBytesName(
      'gemini/p/chats',
      bad('session-', 0xff, '.jsonl'),
      `${JSON.stringify({ sessionId: 'a' })}\n${response('g1', 10)}\n`,
    );
    writeBytesName(
      'gemini/p/chats',
      bad('session-', 0xfe, '.json'),
      JSON.stringify({ sessionId: 'b', messages: [JSON.parse(response('g1', 20))] }),
    );
    store = new Store(join(dir, 'state'));
    await bothRead(
      new GeminiSource({ store, dirs: [join(dir, 'gemini')], agents: new AgentMap(), prices: geminiPrices(), rescanMs: 0 }),
      'gemini',
    );
  });

  it('OpenCode and Kilo (the older per-message files, and the session files that name their agent)', async () => {
    const message = (id: string, session: string, output: number) =>
      JSON.stringify({
        id,
        sessionID: session,
        role: 'assistant',
        modelID: 'claude-sonnet-4-5',
        providerID: 'anthropic',
        time: { created: 1_780_000_000_000 },
        tokens: { input: 100, output, reasoning: 0, cache: { read: 0, write: 0 } },
        cost: 0.01,
      });
    // A message file, and a session directory, named with bytes that are not UTF-8.
    writeBytesName('opencode/storage/message/ses_1', bad('msg_', 0xff, '.json'), message('msg_1', 'ses_1', 10));
    mkdirSync(Buffer.concat([Buffer.from(join(dir, 'opencode/storage/message/')), bad('ses_', 0xfe, '')]), { recursive: true });
    writeFileSync(
      Buffer.concat([Buffer.from(join(dir, 'opencode/storage/message/')), bad('ses_', 0xfe, ''), Buffer.from('/msg_2.json')]),
      message('msg_2', 'ses_2', 20),
    );
    // ses_2's session file, its name not UTF-8 either: its own id names the session, its directory the agent.
    writeBytesName(
      'opencode/storage/session/p',
      bad('ses_', 0xfd, '.json'),
      JSON.stringify({ id: 'ses_2', directory: '/w/seven' }),
    );
    store = new Store(join(dir, 'state'));
    const src = new OpencodeDiskSource({
      store,
      dirs: [join(dir, 'opencode')],
      agents: new AgentMap({ paths: [{ path: '/w/seven', agentId: 'polecat-7' }] }),
      prices: OpencodePrices.load(),
    });
    await src.poll();
    expect(records().map((r) => [r.id, r.outputTokens, r.agentId])).toEqual([
      ['msg_1', 10, expect.not.stringMatching(/^polecat-7$/)],
      ['msg_2', 20, 'polecat-7'],
    ]);
    expect(src.stats).toMatchObject({ messages: 2, malformed: 0 });
    src.close();
  });
});
