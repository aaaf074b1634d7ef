import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TAIL_PADDING, writeClaudeTree } from '../bench/claude-tree.js';
import { Reporter } from './reporter.js';
import { freePort, waitFor } from './testing/processes.js';
import { removeDir, tempDir } from './testing/server.js';
import { generateTree, writeTree } from './testing/transcripts.js';

let dir: string;
beforeEach(() => {
  dir = tempDir('gg-reporter-run-');
});
afterEach(() => removeDir(dir));

/** A reporter with every source off, against a port nobody listens on: for what it does with its state. */
async function stateOnly() {
  writeFileSync(join(dir, 'token'), 'tok\n');
  return {
    serverUrl: `http://127.0.0.1:${await freePort()}`,
    townId: 't1',
    tokenFile: join(dir, 'token'),
    stateDir: join(dir, 'state'),
    claude: false,
    codex: false,
    gemini: false,
    opencode: false,
  };
}

describe('Reporter.run', () => {
  it('a file longer than a pass reads (passFileBytes) is read on at once, not a poll interval later for each pass', async () => {
    const claude = join(dir, 'claude');
    const tree = generateTree({ seed: 4, agents: 1, sessionsPerAgent: 1, responsesPerSession: 5_000 });
    writeTree(claude, tree.files);
    const bytes = [...tree.files.keys()].reduce((n, rel) => n + statSync(join(claude, rel)).size, 0);
    expect(bytes).toBeGreaterThan(4 * 1024 * 1024);
    // A poll interval no test waits out: only passes that follow one another at once read the file in time.
    const reporter = new Reporter({
      ...(await stateOnly()),
      claude: true,
      claudeDirs: [claude],
      pollMs: 600_000,
      passFileBytes: 1024 * 1024,
    });
    const running = reporter.run();
    try {
      await waitFor(
        () => `the whole tree read; ${reporter.claude?.stats.bytes} of ${bytes} bytes`,
        () => (reporter.claude?.stats.bytes === bytes ? true : undefined),
        60_000,
      );
      expect(reporter.claude?.stats.updates).toBeGreaterThan(0);
    } finally {
      reporter.stop();
      await running;
      reporter.close();
    }
  }, 90_000);

  it('prunes dedupe state older than 45 days periodically, not only at start', async () => {
    const reporter = new Reporter({ ...(await stateOnly()), pollMs: 20, pruneIntervalMs: 50 });
    const sql = reporter.store.sql;
    const day = 86_400_000;
    const running = reporter.run();
    try {
      // Written while the reporter runs (after its start-up prune): one response and one step 46 days old, one of each fresh.
      const group = sql.prepare(
        'INSERT INTO claude_groups (group_id, msg_id, sidechain, total, speed_set, seen_at) VALUES (?, ?, 0, 1, 0, ?)',
      );
      const key = sql.prepare('INSERT INTO claude_keys (msg_id, req_id, group_id) VALUES (?, ?, ?)');
      const step = sql.prepare(
        'INSERT INTO opencode_steps (part_id, message_id, input, output, reasoning, cache_read, cache_write, cost, seen_at) VALUES (?, ?, 0, 0, 0, 0, 0, 0, ?)',
      );
      const sent = sql.prepare(
        "INSERT INTO opencode_sent (message_id, totals, agent_id, seen_at) VALUES (?, '1/0/0/0/0/0', 'a', ?)",
      );
      sent.run('old-msg', Date.now() - 46 * day);
      sent.run('new-msg', Date.now());
      group.run('old:r', 'old', Date.now() - 46 * day);
      key.run('old', 'r', 'old:r');
      group.run('new:r', 'new', Date.now());
      key.run('new', 'r', 'new:r');
      step.run('old-part', 'm', Date.now() - 46 * day);
      step.run('new-part', 'm', Date.now());
      const left = () => ({
        groups: sql.prepare('SELECT group_id FROM claude_groups ORDER BY 1').pluck().all(),
        keys: sql.prepare('SELECT group_id FROM claude_keys ORDER BY 1').pluck().all(),
        steps: sql.prepare('SELECT part_id FROM opencode_steps ORDER BY 1').pluck().all(),
        sent: sql.prepare('SELECT message_id FROM opencode_sent ORDER BY 1').pluck().all(),
      });
      await waitFor(
        'the periodic prune',
        () => (left().groups.length === 1 && left().steps.length === 1 ? true : undefined),
        5000,
      );
      expect(left()).toEqual({ groups: ['new:r'], keys: ['new:r'], steps: ['new-part'], sent: ['new-msg'] });
    } finally {
      reporter.stop();
      await running;
      reporter.close();
    }
  });
});

describe('Reporter.run: a watched file that changes', () => {
  it('wakes the read loop alone: neither a prune nor a lines-of-code measure runs for it', async () => {
    const claude = join(dir, 'claude');
    const tree = generateTree({ seed: 5, agents: 1, sessionsPerAgent: 1, responsesPerSession: 3 });
    writeTree(claude, tree.files);
    const [rel] = [...tree.files.keys()] as [string];
    const worktree = join(dir, 'wt');
    mkdirSync(worktree);
    execFileSync('git', ['init', '-q', worktree]);
    const reporter = new Reporter({
      ...(await stateOnly()),
      claude: true,
      claudeDirs: [claude],
      worktrees: [{ agentId: 'polecat', path: worktree }],
      pollMs: 600_000,
    });
    const loc = reporter.loc as NonNullable<typeof reporter.loc>;
    const measure = loc.poll.bind(loc);
    let measured = 0;
    loc.poll = () => {
      measured++;
      return measure();
    };
    const prunedAt = () => reporter.store.counter('pruned.at');
    const running = reporter.run();
    try {
      const read = () => reporter.claude?.stats.bytes ?? 0;
      await waitFor('the first read', () => (read() > 0 ? true : undefined), 10_000);
      const pruned = prunedAt();
      expect(measured).toBe(1);
      // A poll interval no test waits out: only the watch's wake reads each append.
      for (let i = 0; i < 5; i++) {
        const before = read();
        appendFileSync(join(claude, rel), `${readFileSync(join(claude, rel), 'utf8').split('\n')[0]}\n`);
        await waitFor(`append ${i} read`, () => (read() > before ? true : undefined), 10_000);
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(prunedAt()).toBe(pruned);
      expect(measured).toBe(1);
    } finally {
      reporter.stop();
      await running;
      reporter.close();
    }
  }, 60_000);
});

describe('Reporter start-up prune', () => {
  it('runs at a start only when no reporter on this state pruned within the interval (a --once from cron scanned every response each time)', async () => {
    const opts = await stateOnly();
    const day = 86_400_000;
    const start = (old: number | undefined) => {
      const r = new Reporter(opts);
      const sql = r.store.sql;
      const groups = () => sql.prepare('SELECT group_id FROM claude_groups ORDER BY 1').pluck().all();
      const seen = groups();
      if (old !== undefined)
        sql
          .prepare('INSERT INTO claude_groups (group_id, msg_id, sidechain, total, speed_set, seen_at) VALUES (?, ?, 0, 1, 0, ?)')
          .run(`old${old}:r`, `old${old}`, Date.now() - 46 * day);
      r.close();
      return seen;
    };
    // The first start prunes (nothing yet) and notes when; a 46-day-old response is written after it.
    expect(start(1)).toEqual([]);
    // A start within the hour leaves it (it would have cost a scan of every response).
    expect(start(2)).toEqual(['old1:r']);
    // An hour on (the note moved back), or a clock set back before the note: the start prunes.
    const r = new Reporter(opts);
    r.store.transaction(() => r.store.setCounterIn('pruned.at', Date.now() - 3_600_001));
    r.close();
    expect(start(undefined)).toEqual([]);
    const back = new Reporter(opts);
    back.store.sql
      .prepare('INSERT INTO claude_groups (group_id, msg_id, sidechain, total, speed_set, seen_at) VALUES (?, ?, 0, 1, 0, ?)')
      .run('old3:r', 'old3', Date.now() - 46 * day);
    back.store.transaction(() => back.store.setCounterIn('pruned.at', Date.now() + day));
    back.close();
    expect(start(undefined)).toEqual([]);
  });
});

describe('Reporter.runOnce', () => {
  it('delivers while it reads: the first batch reaches the server before the transcripts are read to the end', async () => {
    const claude = join(dir, 'claude');
    const tree = writeClaudeTree(claude, 40 * 2 ** 20, TAIL_PADDING);
    let readAtFirstRequest: number | undefined;
    let records = 0;
    let reporter: Reporter | undefined;
    // A real HTTP server on loopback that takes every batch (this test is about when batches arrive).
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        readAtFirstRequest ??= reporter?.claude?.stats.bytes;
        const n = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { records: unknown[] }).records.length;
        records += n;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ accepted: n }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    writeFileSync(join(dir, 'token'), 'tok\n');
    try {
      reporter = new Reporter({
        serverUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        townId: 't1',
        tokenFile: join(dir, 'token'),
        stateDir: join(dir, 'state'),
        claudeDirs: [claude],
        codex: false,
        gemini: false,
        opencode: false,
      });
      const result = await reporter.runOnce(Date.now() + 60_000);
      expect(result).toMatchObject({ delivered: true, pending: 0 });
      expect(reporter.claude?.stats.bytes).toBe(tree.bytes);
      expect(records).toBe(reporter.sender.state.sent);
      // Read to the end first, then sent, this would be the whole tree.
      expect(readAtFirstRequest).toBeLessThan(tree.bytes);
    } finally {
      reporter?.close();
      await new Promise((r) => server.close(r));
    }
  });
});
