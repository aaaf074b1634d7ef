import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { AgentMap } from './agents.js';
import { geminiPrices } from './gemini/prices.js';
import { GeminiSource } from './gemini/source.js';
import { OpencodeDiskSource } from './opencode/disk.js';
import { OpencodePrices } from './opencode/prices.js';
import { Store } from './outbox/store.js';
import { readSmallFile } from './small-file.js';
import { generateGeminiTree } from './testing/gemini-chats.js';
import { removeDir, tempDir } from './testing/server.js';

const fifo = (path: string) => execFileSync('mkfifo', [path]);

/**
 * A process that writes `{}` into the FIFO 3 s after each reader came: a plain read of the FIFO waits
 * for it (without it, forever, which no test timeout can interrupt in a synchronous read).
 */
function lateWriter(path: string): ChildProcess {
  const script = `const w = () => { require('fs').writeFileSync(${JSON.stringify(path)}, '{}'); setTimeout(w, 3000); }; setTimeout(w, 3000);`;
  return spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
}

describe('readSmallFile', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) removeDir(d);
  });
  const dir = () => {
    const d = tempDir('gg-small-file-');
    dirs.push(d);
    return d;
  };

  it('reads a regular file up to the bound, and nothing that is bigger, not a file, or endless', () => {
    const d = dir();
    writeFileSync(join(d, 'ok.json'), '{"a":"é"}');
    writeFileSync(join(d, 'big.json'), 'x'.repeat(1001));
    fifo(join(d, 'fifo.json'));
    symlinkSync('/dev/zero', join(d, 'zero.json'));
    mkdirSync(join(d, 'dir.json'));
    expect(readSmallFile(join(d, 'ok.json'), 1000)).toBe('{"a":"é"}');
    expect(readSmallFile(join(d, 'big.json'), 1000)).toBeUndefined();
    expect(readSmallFile(join(d, 'big.json'), 1001)).toHaveLength(1001);
    const t0 = Date.now();
    expect(readSmallFile(join(d, 'fifo.json'), 1000)).toBeUndefined();
    expect(readSmallFile(join(d, 'zero.json'), 1000)).toBeUndefined();
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(readSmallFile(join(d, 'dir.json'), 1000)).toBeUndefined();
    expect(() => readSmallFile(join(d, 'gone.json'), 1000)).toThrow(/ENOENT/);
  });

  it('an OpenCode message file that is a FIFO or /dev/zero is counted as malformed at once; the others are read', async () => {
    const d = dir();
    const data = join(d, 'opencode');
    const session = join(data, 'storage', 'message', 'ses_1');
    mkdirSync(session, { recursive: true });
    const info = {
      id: 'msg_1',
      sessionID: 'ses_1',
      role: 'assistant',
      modelID: 'm',
      tokens: { input: 1, output: 2 },
      cost: 0.001,
    };
    writeFileSync(join(session, 'msg_1.json'), JSON.stringify(info));
    fifo(join(session, 'msg_2.json'));
    symlinkSync('/dev/zero', join(session, 'msg_3.json'));
    const writer = lateWriter(join(session, 'msg_2.json'));
    const store = new Store(join(d, 'state'));
    const source = new OpencodeDiskSource({ store, dirs: [data], agents: new AgentMap(), prices: OpencodePrices.load() });
    try {
      const t0 = Date.now();
      await source.poll();
      expect(Date.now() - t0).toBeLessThan(2000);
      expect(source.stats.malformed).toBe(2);
      expect(store.pendingCount()).toBe(1);
    } finally {
      writer.kill();
      source.close();
      store.close();
    }
  });

  it("a Gemini CLI project's .project_root that is a FIFO does not hold the reporter up", async () => {
    const d = dir();
    const data = join(d, 'tmp');
    const tree = generateGeminiTree({ seed: 1, root: join(d, 'work') });
    for (const [rel, content] of tree.files) {
      mkdirSync(dirname(join(data, rel)), { recursive: true });
      writeFileSync(join(data, rel), content);
    }
    const root = [...tree.files.keys()].find((k) => k.endsWith('.project_root'));
    expect(root).toBeDefined();
    rmSync(join(data, root as string));
    fifo(join(data, root as string));
    const writer = lateWriter(join(data, root as string));
    const store = new Store(join(d, 'state'));
    const source = new GeminiSource({ store, dirs: [data], agents: new AgentMap(), prices: geminiPrices(), rescanMs: 0 });
    try {
      const t0 = Date.now();
      await source.poll();
      expect(Date.now() - t0).toBeLessThan(2000);
      expect(store.pendingCount()).toBeGreaterThan(0);
    } finally {
      writer.kill();
      source.close();
      store.close();
    }
  });
});

/** The reporter's own files, which a user names and which are no agent's output: read whole, as they are. */
const OWN_FILES = new Set(['outbox/store.ts', 'http/token.ts']);

/** readFile or readFileSync imported from node:fs or node:fs/promises, or called on a namespace. */
const WHOLE_READ = /import\s*\{[^}]*\breadFile(Sync)?\b[^}]*\}\s*from\s*'(node:)?fs(\/promises)?'|\bfs\w*\.readFile(Sync)?\(/;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'testing' ? [] : sources(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('reading what agents leave behind', () => {
  it('no source reads a file whole except through readSmallFile (a FIFO or /dev/zero would hang it or fill memory)', () => {
    const src = fileURLToPath(new URL('.', import.meta.url));
    const offenders = sources(src)
      .map((f) => relative(src, f))
      .filter((f) => !OWN_FILES.has(f) && f !== 'small-file.ts')
      .filter((f) => WHOLE_READ.test(readFileSync(join(src, f), 'utf8')));
    expect(offenders).toEqual([]);
  });
});
