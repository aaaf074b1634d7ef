import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentMap } from './agents.js';
import { PriceList } from './claude/pricing.js';
import { ClaudeSource } from './claude/source.js';
import { Store } from './outbox/store.js';
import { canonicalPath } from './paths.js';
import { removeDir, tempDir } from './testing/server.js';
import type { UsageRecord } from './wire.js';

let dir: string;
let real: string;
let link: string;
beforeEach(() => {
  dir = tempDir('gg-agents-');
  // The town lives in real/gt; ~/gt-style access goes through a symlink to it.
  real = join(dir, 'real', 'gt');
  for (const d of ['gastown/polecats/toast/src', 'gastown/crew/joe', 'mayor']) mkdirSync(join(real, d), { recursive: true });
  link = join(dir, 'gt-link');
  symlinkSync(real, link);
});
afterEach(() => removeDir(dir));

/** Claude transcripts under `dir/claude`, agents named from the town root reached through the symlink. */
const claudeSource = (store: Store) =>
  new ClaudeSource({
    store,
    configDirs: [join(dir, 'claude')],
    agents: new AgentMap({ gastownRoot: link }),
    prices: PriceList.load(),
  });

describe('AgentMap through symlinks', () => {
  it('names one agent once, whether its cwd or the town root is spelled through a symlink', () => {
    for (const root of [link, real]) {
      const agents = new AgentMap({ gastownRoot: root });
      expect(agents.agentFor(join(real, 'gastown/polecats/toast/src'))).toBe('gastown/polecats/toast');
      expect(agents.agentFor(join(link, 'gastown/polecats/toast'))).toBe('gastown/polecats/toast');
      expect(agents.agentFor(join(link, 'mayor'))).toBe('mayor');
      // A worktree removed since its transcript was written: its missing tail is kept on the real path.
      expect(agents.agentFor(join(link, 'gastown/polecats/gone/src'))).toBe('gastown/polecats/gone');
    }
  });

  it('matches explicit directories through symlinks too', () => {
    const agents = new AgentMap({ paths: [{ path: join(link, 'gastown/crew/joe'), agentId: 'crew-joe' }] });
    expect(agents.agentFor(join(real, 'gastown/crew/joe'))).toBe('crew-joe');
    const reverse = new AgentMap({ paths: [{ path: join(real, 'gastown/crew/joe'), agentId: 'crew-joe' }] });
    expect(reverse.agentFor(join(link, 'gastown/crew/joe'))).toBe('crew-joe');
  });

  it('gives transcript records written from either spelling of a worktree the same agent', async () => {
    const ts = new Date().toISOString();
    const line = (id: string, cwd: string) =>
      JSON.stringify({
        type: 'assistant',
        cwd,
        sessionId: 's',
        timestamp: ts,
        requestId: `req_${id}`,
        message: { id, model: 'claude-sonnet-4-5', usage: { input_tokens: 1, output_tokens: 1 } },
      });
    const projects = join(dir, 'claude', 'projects', 'p');
    mkdirSync(projects, { recursive: true });
    writeFileSync(
      join(projects, 's.jsonl'),
      `${line('msg_1', join(link, 'gastown/polecats/toast'))}\n${line('msg_2', join(real, 'gastown/polecats/toast/src'))}\n`,
    );
    const store = new Store(join(dir, 'state'));
    try {
      const src = claudeSource(store);
      await src.poll();
      const records = (store.sql.prepare("SELECT body FROM outbox WHERE kind = 'usage'").pluck().all() as string[]).map(
        (b) => JSON.parse(b) as UsageRecord,
      );
      expect(records.map((r) => r.agentId)).toEqual(['gastown/polecats/toast', 'gastown/polecats/toast']);
    } finally {
      store.close();
    }
  });

  it('made-up cwds cost the reporter little: 2,000 of 2,000 missing levels, and one of 400 KB', async () => {
    const ts = new Date().toISOString();
    const line = (i: number, cwd: string) =>
      JSON.stringify({
        cwd,
        sessionId: 's',
        timestamp: ts,
        requestId: `req_${i}`,
        message: { id: `msg_${i}`, model: 'claude-sonnet-4-5', usage: { input_tokens: 1, output_tokens: 1 } },
      });
    const projects = join(dir, 'claude', 'projects', 'p');
    mkdirSync(projects, { recursive: true });
    const deep = Array.from({ length: 2000 }, (_, i) => line(i, `${'/x'.repeat(2000)}/${i}`));
    // Resolved level by level from the bottom, 400 KB of `/x` kept the reporter busy for over ten minutes.
    const huge = line(2000, '/x'.repeat(200_000));
    const inTown = line(2001, join(real, 'gastown/polecats/toast/src'));
    writeFileSync(join(projects, 's.jsonl'), `${[...deep, huge, inTown].join('\n')}\n`);
    const store = new Store(join(dir, 'state'));
    try {
      const src = claudeSource(store);
      const started = performance.now();
      await src.poll();
      // Two minutes before (56 ms a line); about a second now, on a busy machine too.
      expect(performance.now() - started).toBeLessThan(15_000);
      const agents = store.sql
        .prepare("SELECT json_extract(body, '$.agentId') FROM outbox WHERE kind = 'usage' ORDER BY id")
        .pluck()
        .all();
      expect(new Set(agents).size).toBe(2002);
      expect(agents).toContain('1999');
      expect(agents).toContain('unknown');
      expect(agents).toContain('gastown/polecats/toast');
    } finally {
      store.close();
    }
  }, 120_000);

  it('canonicalPath resolves symlinks, keeps a missing tail, and resolves relative paths', () => {
    expect(canonicalPath(join(link, 'mayor'))).toBe(join(canonicalPath(real), 'mayor'));
    expect(canonicalPath(join(link, 'no/such/dir'))).toBe(join(canonicalPath(real), 'no/such/dir'));
    expect(canonicalPath('/no-such-root-dir/x')).toBe('/no-such-root-dir/x');
  });
});
