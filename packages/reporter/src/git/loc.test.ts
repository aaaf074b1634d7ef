import { execFileSync } from 'node:child_process';
import { appendFileSync, chmodSync, mkdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenSource } from '../http/token.js';
import { Sender } from '../outbox/sender.js';
import { Store } from '../outbox/store.js';
import { type InProcessServer, removeDir, startTestServer, tempDir, throughput } from '../testing/server.js';
import { inUnprivilegedChild, shareWithUnprivileged } from '../testing/unprivileged.js';
import { addNumstat, type Loc, mergeBase, worktreeLoc } from './loc.js';
import { LocPoller } from './poller.js';

const lines = (n: number, tag = 'line') => Array.from({ length: n }, (_, i) => `${tag} ${i}\n`).join('');

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@example.com',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@example.com',
      GIT_CONFIG_NOSYSTEM: '1',
      HOME: cwd,
    },
  });
}

describe('lines of code of a real git worktree', () => {
  let dir: string;
  let wt: string;
  let server: InProcessServer;
  let store: Store;
  let sender: Sender;
  let poller: LocPoller;

  beforeAll(async () => {
    dir = tempDir('gg-loc-');
    const origin = join(dir, 'origin.git');
    const seed = join(dir, 'seed');
    wt = join(dir, 'polecat-1');
    git(dir, 'init', '-q', '--bare', '-b', 'main', origin);
    mkdirSync(seed);
    git(seed, 'init', '-q', '-b', 'main');
    writeFileSync(join(seed, 'a.txt'), lines(10));
    writeFileSync(join(seed, 'logo.bin'), Buffer.from([0, 1, 2, 3, 0, 255]));
    writeFileSync(join(seed, 'old-name.txt'), lines(3, 'keep'));
    writeFileSync(join(seed, '.gitignore'), 'ignored.log\n');
    git(seed, 'add', '.');
    git(seed, 'commit', '-q', '-m', 'base');
    git(seed, 'remote', 'add', 'origin', origin);
    git(seed, 'push', '-q', 'origin', 'main');
    git(dir, 'clone', '-q', origin, wt); // sets origin/HEAD → origin/main
    git(wt, 'checkout', '-q', '-b', 'feature');

    server = await startTestServer(dir);
    store = new Store(join(dir, 'state'));
    sender = new Sender({
      store,
      serverUrl: server.url,
      townId: server.townId,
      token: new TokenSource({ file: server.tokenFile }),
    });
    poller = new LocPoller({ store, worktrees: [{ agentId: 'polecat-1', path: wt }] });
  });
  afterAll(async () => {
    store?.close();
    await server?.close();
    removeDir(dir);
  });

  const report = async (): Promise<Loc> => {
    const [r] = await poller.poll();
    expect(await sender.drain(Date.now() + 10_000)).toBe(true);
    const t = await throughput(server.url, server.adminToken, server.townId);
    expect([t.locAdditions, t.locDeletions]).toEqual([r?.additions, r?.deletions]);
    return { additions: r?.additions ?? -1, deletions: r?.deletions ?? -1, files: r?.files ?? -1 };
  };

  it('is 0/0 on a fresh branch, and that 0/0 is reported', async () => {
    expect(await report()).toEqual({ additions: 0, deletions: 0, files: 0 });
  });

  it('counts commits not on the default branch, staged and unstaged edits and untracked text files; skips binaries and ignored files', async () => {
    // Committed on the branch: 2 lines changed in a.txt, b.txt added (5 lines), a rename without edits.
    writeFileSync(join(wt, 'a.txt'), lines(10).replace('line 3\n', 'LINE 3\n').replace('line 7\n', 'LINE 7\n'));
    writeFileSync(join(wt, 'b.txt'), lines(5, 'b'));
    renameSync(join(wt, 'old-name.txt'), join(wt, 'new-name.txt'));
    git(wt, 'add', '-A');
    git(wt, 'commit', '-q', '-m', 'work');
    // Staged, not committed: c.txt (3 lines). Unstaged: one more line in b.txt, and a binary edit.
    writeFileSync(join(wt, 'c.txt'), lines(3, 'c'));
    git(wt, 'add', 'c.txt');
    appendFileSync(join(wt, 'b.txt'), 'one more\n');
    writeFileSync(join(wt, 'logo.bin'), Buffer.from([0, 9, 9, 9, 0]));
    // Untracked: a text file without a final newline (4 lines), a binary, an ignored log.
    writeFileSync(join(wt, 'd.txt'), 'd0\nd1\nd2\nd3');
    writeFileSync(join(wt, 'e.bin'), Buffer.from([1, 0, 2]));
    writeFileSync(join(wt, 'ignored.log'), lines(50));

    // a.txt +2/-2, b.txt +6, rename 0/0, c.txt +3, d.txt +4.
    expect(await report()).toEqual({ additions: 15, deletions: 2, files: 5 });
  });

  it('goes back to 0/0 once the branch is merged into the default branch', async () => {
    git(wt, 'add', '-A');
    git(wt, 'commit', '-q', '-m', 'rest');
    git(wt, 'checkout', '-q', 'main');
    git(wt, 'merge', '-q', '--no-ff', '-m', 'merge feature', 'feature');
    git(wt, 'push', '-q', 'origin', 'main');
    git(wt, 'fetch', '-q', 'origin');
    expect(await report()).toEqual({ additions: 0, deletions: 0, files: 0 });
  });

  it('reports 0/0 once for a worktree that disappears, then stops reporting it', async () => {
    writeFileSync(join(wt, 'z.txt'), lines(7));
    expect((await report()).additions).toBe(7);
    renameSync(wt, `${wt}-removed`);
    expect(await report()).toEqual({ additions: 0, deletions: 0, files: 0 });
    expect(await poller.poll()).toEqual([]);
    renameSync(`${wt}-removed`, wt);
    expect((await report()).additions).toBe(7);
  });

  it('uses --base when given, and says so when there is no default branch to find', async () => {
    const lonely = join(dir, 'lonely');
    mkdirSync(lonely);
    git(lonely, 'init', '-q', '-b', 'trunk');
    writeFileSync(join(lonely, 'x.txt'), lines(2));
    git(lonely, 'add', '.');
    git(lonely, 'commit', '-q', '-m', 'x');
    await expect(mergeBase(lonely)).rejects.toThrow(/pass --base/);
    expect(await worktreeLoc(lonely, 'trunk')).toEqual({ additions: 0, deletions: 0, files: 0 });
  });
});

describe('a worktree whose directory exists but where git fails', () => {
  let dir: string;
  let store: Store;
  beforeAll(() => {
    dir = tempDir('gg-loc-fail-');
    store = new Store(join(dir, 'state'));
  });
  afterAll(() => {
    store?.close();
    removeDir(dir);
  });

  /** Runs fn with extra environment for the git the poller starts, restoring it after. */
  async function withEnv<T>(env: Record<string, string>, fn: () => Promise<T>): Promise<T> {
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, env);
    try {
      return await fn();
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  }

  it('is not reported (no 0/0) and is logged once when the directory is not a git repository', async () => {
    const plain = join(dir, 'not-a-repo');
    mkdirSync(plain);
    writeFileSync(join(plain, 'a.txt'), lines(3));
    const logs: string[] = [];
    const poller = new LocPoller({ store, worktrees: [{ agentId: 'plain', path: plain }], log: (l) => logs.push(l) });
    // Git must not find a repository above the temp dir either.
    await withEnv({ GIT_CEILING_DIRECTORIES: dir }, async () => {
      expect(await poller.poll()).toEqual([]);
      expect(await poller.poll()).toEqual([]);
    });
    expect(store.pendingCount()).toBe(0);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/lines of code for plain: .*not a git repository/);

    // Only a directory that is really gone is reported as 0/0 (once).
    removeDir(plain);
    expect(await poller.poll()).toEqual([{ agentId: 'plain', additions: 0, deletions: 0, files: 0 }]);
    expect(await poller.poll()).toEqual([]);
    expect(logs[1]).toMatch(/is gone/);
  });

  it('says a worktree this run never saw "does not exist", not "is gone" (still 0/0 once: an earlier run may have seen it)', async () => {
    const never = join(dir, 'never-made');
    const logs: string[] = [];
    const poller = new LocPoller({ store, worktrees: [{ agentId: 'never', path: never }], log: (l) => logs.push(l) });
    expect(await poller.poll()).toEqual([{ agentId: 'never', additions: 0, deletions: 0, files: 0 }]);
    expect(await poller.poll()).toEqual([]);
    expect(logs).toEqual([`worktree ${never} (never) does not exist: reporting 0/0 once, then nothing until it exists`]);
  });

  it('is not reported, and is said to be a file, when the worktree given is a file', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, lines(3));
    const logs: string[] = [];
    const poller = new LocPoller({ store, worktrees: [{ agentId: 'file', path: file }], log: (l) => logs.push(l) });
    expect(await poller.poll()).toEqual([]);
    expect(logs).toEqual([`lines of code for file: ${file} is not a directory`]);
  });

  // Polled in a child, run as an unprivileged user when the tests run as root (testing/unprivileged.ts), with a store of its own.
  it('says a worktree that cannot be entered (mode 000) as that, not as "spawn git EACCES" (git is there)', async () => {
    const closed = join(dir, 'closed');
    mkdirSync(closed);
    chmodSync(closed, 0o000);
    const state = join(dir, 'state-closed');
    mkdirSync(state);
    shareWithUnprivileged(state);
    let polled: { reports: unknown[]; logs: string[] };
    try {
      polled = await inUnprivilegedChild(`
        import { Store } from ${JSON.stringify(new URL('../outbox/store.ts', import.meta.url).href)};
        import { LocPoller } from ${JSON.stringify(new URL('./poller.ts', import.meta.url).href)};
        const store = new Store(${JSON.stringify(state)});
        const logs = [];
        const poller = new LocPoller({ store, worktrees: [{ agentId: 'closed', path: ${JSON.stringify(closed)} }], log: (l) => logs.push(l) });
        const reports = await poller.poll();
        store.close();
        console.log(JSON.stringify({ reports, logs }));
      `);
    } finally {
      chmodSync(closed, 0o755);
    }
    expect(polled.reports).toEqual([]);
    expect(polled.logs).toEqual([
      `lines of code for closed: ${closed} cannot be entered: permission denied (EACCES): chmod it, or run the reporter as its owner`,
    ]);
  });

  it('says nothing the caller has said already (told: the CLI, naming --worktree), and later changes as ever', async () => {
    const never = join(dir, 'told-missing');
    const logs: string[] = [];
    const worktrees = [{ agentId: 'told', path: never }];
    const poller = new LocPoller({ store, worktrees, told: [never], log: (l) => logs.push(l) });
    expect(await poller.poll()).toEqual([{ agentId: 'told', additions: 0, deletions: 0, files: 0 }]);
    expect(logs).toEqual([]);
    mkdirSync(never);
    await poller.poll(); // not a repository: said, as it was not told
    removeDir(never);
    await poller.poll();
    expect(logs).toEqual([
      expect.stringMatching(/^lines of code for told: .*not a git repository/),
      expect.stringMatching(/is gone/),
    ]);
  });

  it('is not reported when git itself fails in a real repository (GIT_DIR pointing nowhere)', async () => {
    const repo = join(dir, 'repo');
    mkdirSync(repo);
    git(repo, 'init', '-q', '-b', 'main');
    writeFileSync(join(repo, 'a.txt'), lines(3));
    const logs: string[] = [];
    const poller = new LocPoller({ store, worktrees: [{ agentId: 'repo', path: repo }], base: 'main', log: (l) => logs.push(l) });
    const pending = store.pendingCount();
    await withEnv({ GIT_DIR: join(dir, 'nowhere') }, async () => {
      expect(await poller.poll()).toEqual([]);
    });
    expect(store.pendingCount()).toBe(pending);
    expect(logs).toEqual([expect.stringMatching(/lines of code for repo: git rev-parse .* failed/)]);
  });
});

describe('untracked symlinks in a worktree', () => {
  let dir: string;
  afterAll(() => removeDir(dir));

  it('count one line each, as git does, and are not followed (to a FIFO, a device, a big file out of the tree)', async () => {
    dir = tempDir('gg-loc-links-');
    const wt = join(dir, 'wt');
    mkdirSync(wt);
    git(wt, 'init', '-q', '-b', 'main');
    writeFileSync(join(wt, 'a.txt'), lines(2));
    git(wt, 'add', '.');
    git(wt, 'commit', '-q', '-m', 'base');
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    writeFileSync(join(dir, 'outside.txt'), lines(1000));
    symlinkSync(join(dir, 'fifo'), join(wt, 'to-fifo'));
    symlinkSync('/dev/zero', join(wt, 'to-zero'));
    symlinkSync(join(dir, 'outside.txt'), join(wt, 'to-outside'));
    // A FIFO's open would wait for a writer: the count must come back at once, not hang.
    const loc = await Promise.race([
      worktreeLoc(wt, 'main'),
      new Promise<undefined>((r) => setTimeout(() => r(undefined), 5000).unref()),
    ]);
    git(wt, 'add', '-N', '.');
    const byGit: Loc = { additions: 0, deletions: 0, files: 0 };
    addNumstat(byGit, git(wt, 'diff', '--numstat', '-z', 'main', '--'));
    expect(byGit).toEqual({ additions: 3, deletions: 0, files: 3 });
    expect(loc).toEqual(byGit);
  });
});

describe('addNumstat', () => {
  it('parses -z output: plain entries, renames (two paths after an empty one) and binaries', () => {
    const loc: Loc = { additions: 0, deletions: 0, files: 0 };
    addNumstat(loc, '3\t1\ta.txt\0' + '2\t0\t\0old\tname.txt\0new name.txt\0' + '-\t-\tlogo.bin\0' + '0\t4\tgone.txt\0');
    expect(loc).toEqual({ additions: 5, deletions: 5, files: 3 });
  });
});
