import { appendFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentMap } from '../agents.js';
import { PriceList } from '../claude/pricing.js';
import { ClaudeSource } from '../claude/source.js';
import { Store } from '../outbox/store.js';
import { waitFor } from '../testing/processes.js';
import { removeDir, tempDir } from '../testing/server.js';
import { FileList } from './file-list.js';
import { type WatchDir, watchDir } from './tree-watcher.js';

let dir: string;
const lists: FileList[] = [];
beforeEach(() => {
  dir = tempDir('gg-file-list-');
});
afterEach(() => {
  for (const l of lists.splice(0)) l.close();
  removeDir(dir);
});

/** Every `*.jsonl` under dir, as the sources list theirs. */
function walk(d: string, out: string[] = []): string[] {
  for (const e of readdirSync(d, { withFileTypes: true })) {
    if (e.isDirectory()) walk(join(d, e.name), out);
    else if (e.name.endsWith('.jsonl')) out.push(join(d, e.name));
  }
  return out.sort();
}

function fileList(opts: { now?: () => number; watchDir?: WatchDir; onChange?: () => void } = {}): FileList {
  const l = new FileList({ list: () => walk(dir), roots: () => [dir], accepts: (p) => p.endsWith('.jsonl'), ...opts });
  lists.push(l);
  return l;
}

describe('FileList, watched', () => {
  it('names the files a stopped pass left (unread) at the next call, only known ones, without a poll at once', () => {
    writeFileSync(join(dir, 'a.jsonl'), 'x\n');
    writeFileSync(join(dir, 'b.jsonl'), 'x\n');
    const list = fileList();
    list.watch();
    expect(list.current().files).toHaveLength(2);
    list.unread([join(dir, 'b.jsonl'), join(dir, 'not-listed.jsonl')]);
    expect(list.behind).toBe(false);
    expect(list.current().files).toEqual([join(dir, 'b.jsonl')]);
    expect(list.current().files).toEqual([]);
  });

  it('names only the files an event named, and finds new files in new directories at once', async () => {
    writeFileSync(join(dir, 'a.jsonl'), 'x\n');
    writeFileSync(join(dir, 'b.jsonl'), 'x\n');
    let events = 0;
    const list = fileList({ onChange: () => events++ });
    list.watch();
    expect(list.current()).toEqual({ files: [join(dir, 'a.jsonl'), join(dir, 'b.jsonl')], count: 2, rescanned: true });
    // Nothing changed: nothing to check.
    expect(list.current()).toEqual({ files: [], count: 2, rescanned: false });
    appendFileSync(join(dir, 'b.jsonl'), 'y\n');
    await waitFor('an event for b', () => (events > 0 ? true : undefined), 5000);
    expect(list.current().files).toEqual([join(dir, 'b.jsonl')]);
    // A new directory, then a file in it: its watch is added when its parent reports it.
    mkdirSync(join(dir, 'p', 'q'), { recursive: true });
    await new Promise((r) => setTimeout(r, 100));
    writeFileSync(join(dir, 'p', 'q', 'c.jsonl'), 'z\n');
    await new Promise((r) => setTimeout(r, 1100)); // a new file lists the tree again at most once a second
    await waitFor('the new file', () => (list.current().files.includes(join(dir, 'p', 'q', 'c.jsonl')) ? true : undefined), 5000);
    appendFileSync(join(dir, 'p', 'q', 'c.jsonl'), 'w\n');
    await waitFor(
      'an event for c',
      () => (list.current().files.includes(join(dir, 'p', 'q', 'c.jsonl')) ? true : undefined),
      5000,
    );
  });

  it('when watches cannot be had (the inotify limit), says why and checks every file every poll', () => {
    writeFileSync(join(dir, 'a.jsonl'), 'x\n');
    const full: WatchDir = () => {
      throw Object.assign(new Error('ENOSPC: System limit for number of file watchers reached'), { code: 'ENOSPC' });
    };
    const list = fileList({ watchDir: full });
    list.watch();
    expect(list.current()).toMatchObject({ files: [join(dir, 'a.jsonl')], rescanned: true });
    expect(list.watchFailure).toMatch(/ENOSPC/);
    expect(list.current()).toMatchObject({ files: [join(dir, 'a.jsonl')], rescanned: false });
  });

  it('without watching, has every known file checked every poll and lists again every rescanMs', () => {
    writeFileSync(join(dir, 'a.jsonl'), 'x\n');
    let t = 0;
    const list = new FileList({ list: () => walk(dir), roots: () => [dir], accepts: () => true, rescanMs: 5000, now: () => t });
    expect(list.current()).toMatchObject({ files: [join(dir, 'a.jsonl')], rescanned: true });
    writeFileSync(join(dir, 'b.jsonl'), 'x\n');
    t = 4999;
    expect(list.current()).toMatchObject({ files: [join(dir, 'a.jsonl')], rescanned: false });
    t = 5000;
    expect(list.current()).toMatchObject({ files: [join(dir, 'a.jsonl'), join(dir, 'b.jsonl')], rescanned: true });
  });
});

describe('a missed event loses no data', () => {
  const transcript = (id: string) =>
    `${JSON.stringify({
      type: 'assistant',
      cwd: '/w/toast',
      sessionId: 's1',
      timestamp: '2026-11-25T10:00:00.000Z',
      requestId: `req_${id}`,
      message: { id, model: 'claude-sonnet-4-5-20250929', usage: { input_tokens: 10, output_tokens: 5 } },
    })}\n`;

  it('with every event dropped, what was appended is read at the next safety rescan', async () => {
    const projects = join(dir, 'claude', 'projects', 'p');
    mkdirSync(projects, { recursive: true });
    const file = join(projects, 's.jsonl');
    writeFileSync(file, transcript('msg_1'));
    let t = 1_000_000;
    let opened = 0;
    // Real watches whose events never arrive: what a missed inotify event (or a queue overflow) looks like.
    const deaf: WatchDir = (d) => {
      opened++;
      return watchDir(d, () => {});
    };
    const store = new Store(join(dir, 'state'));
    const src = new ClaudeSource({
      store,
      configDirs: [join(dir, 'claude')],
      agents: new AgentMap(),
      prices: PriceList.load(),
      now: () => t,
      safetyMs: 60_000,
      watchDir: deaf,
    });
    try {
      src.watch();
      await src.poll();
      expect(opened).toBeGreaterThan(0);
      expect(store.pendingCount()).toBe(1);
      appendFileSync(file, transcript('msg_2'));
      t += 59_000;
      await src.poll();
      expect(store.pendingCount()).toBe(1); // no event, no safety rescan yet
      t += 1000;
      await src.poll();
      expect(store.pendingCount()).toBe(2);
    } finally {
      src.close();
      store.close();
    }
  });
});
