import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { reporterOptions } from './cli.js';
import { MAX_UNREADABLE_SAID, Reporter } from './reporter.js';
import { listing, unreadable, walkFiles } from './tail/walk.js';
import { runGasgauge } from './testing/processes.js';
import { removeDir, startTestServer, tempDir } from './testing/server.js';
import { inUnprivilegedChild, shareWithUnprivileged } from './testing/unprivileged.js';

const WALK = new URL('./tail/walk.ts', import.meta.url).href;
const CODEX_FILES = new URL('./codex/files.ts', import.meta.url).href;

/** A symlink that points at itself through a second one: every lookup through it fails with ELOOP, for root too. */
function loop(path: string): void {
  symlinkSync(`${path}.other`, path);
  symlinkSync(path, `${path}.other`);
}

describe('a source directory or file that is there but cannot be read', () => {
  const dir = tempDir('gg-unreadable-');
  afterAll(() => removeDir(dir));

  it('is told by the walk (a symlink loop, a link to one), never a directory that is not there', () => {
    const tree = join(dir, 'walk');
    mkdirSync(join(tree, 'projects', 'p'), { recursive: true });
    writeFileSync(join(tree, 'projects', 'p', 'ok.jsonl'), '');
    loop(join(tree, 'projects', 'p', 'bad.jsonl'));
    loop(join(tree, 'looped'));
    const told: string[] = [];
    const files: string[] = [];
    listing(
      (path, err) => told.push(`${path} ${err.code}`),
      () => {
        for (const d of [join(tree, 'projects'), join(tree, 'looped'), join(tree, 'not-there')])
          walkFiles(d, { endings: ['.jsonl'], fileLinks: true }, files);
      },
    );
    expect(files).toEqual([join(tree, 'projects', 'p', 'ok.jsonl')]);
    expect(told.sort()).toEqual([`${join(tree, 'looped')} ELOOP`, `${join(tree, 'projects', 'p', 'bad.jsonl')} ELOOP`]);
    // Outside a listing nothing is told (and nothing throws).
    walkFiles(join(tree, 'looped'), { endings: ['.jsonl'] }, []);
    expect(told).toHaveLength(2);
  });

  it('names a data dir that is a file or device as no directory, not as one to chmod (OPENCODE_DATA_DIR=/dev/zero)', () => {
    writeFileSync(join(dir, 'plain-file'), '');
    chmodSync(join(dir, 'plain-file'), 0o644);
    expect(unreadable(join(dir, 'plain-file'), true)?.code).toBe('ENOTDIR');
    expect(unreadable('/dev/null', true)?.code).toBe('ENOTDIR');
    chmodSync(join(dir, 'plain-file'), 0o755); // executable: access passed, and it is still no directory
    expect(unreadable(join(dir, 'plain-file'), true)?.code).toBe('ENOTDIR');
    expect(unreadable(join(dir, 'plain-file'), false)).toBeUndefined();
    expect(unreadable(dir, true)).toBeUndefined();
  });

  // Walked in a child, run as an unprivileged user when the tests run as root (testing/unprivileged.ts).
  it('is told by the walk when permission is denied (a directory or a file with mode 000)', async () => {
    const tree = join(dir, 'modes');
    mkdirSync(join(tree, 'closed'), { recursive: true });
    mkdirSync(join(tree, 'open'), { recursive: true });
    writeFileSync(join(tree, 'open', 'secret.jsonl'), '');
    chmodSync(join(tree, 'open', 'secret.jsonl'), 0o000);
    chmodSync(join(tree, 'closed'), 0o000);
    shareWithUnprivileged(tree);
    const { told, files } = await inUnprivilegedChild<{ told: string[]; files: string[] }>(`
      import { listing, walkFiles } from ${JSON.stringify(WALK)};
      const told = [];
      const files = [];
      listing(
        (path, err) => told.push(\`\${path} \${err.code}\`),
        () => walkFiles(${JSON.stringify(tree)}, { endings: ['.jsonl'] }, files),
      );
      console.log(JSON.stringify({ told, files }));
    `);
    chmodSync(join(tree, 'closed'), 0o755);
    expect(files).toEqual([join(tree, 'open', 'secret.jsonl')]); // listed: read once it can be
    expect(told.sort()).toEqual([`${join(tree, 'closed')} EACCES`, `${join(tree, 'open', 'secret.jsonl')} EACCES`]);
  });

  it('names a Codex home that cannot be searched once, not each of sessions/ and archived_sessions/', async () => {
    const home = join(dir, 'codex-closed');
    mkdirSync(join(home, 'sessions'), { recursive: true });
    chmodSync(home, 0o000);
    shareWithUnprivileged(home);
    const told = await inUnprivilegedChild<string[]>(`
      import { rolloutFiles } from ${JSON.stringify(CODEX_FILES)};
      import { listing } from ${JSON.stringify(WALK)};
      const told = [];
      listing(
        (path, err) => told.push(\`\${path} \${err.code}\`),
        () => rolloutFiles([${JSON.stringify(home)}]),
      );
      console.log(JSON.stringify(told));
    `);
    chmodSync(home, 0o755);
    expect(told).toEqual([`${home} EACCES`]);
  });

  it('names a directory given on the command line that is a symlink loop or a file, not "no such directory (yet)"', () => {
    const base = { server: 'http://127.0.0.1:1', town: 't', 'token-file': '/tmp/t' };
    const looped = join(dir, 'cli-loop');
    loop(looped);
    const file = join(dir, 'cli-file');
    writeFileSync(file, '');
    const lines: string[] = [];
    reporterOptions({ ...base, 'codex-home': [looped], gastown: file }, (line) => lines.push(line));
    expect(lines).toEqual([
      `WARNING: --codex-home ${looped}: cannot read it: a symlink loop (ELOOP); nothing is read from it until it can be`,
      `WARNING: --gastown ${file}: it is a file, not a directory; nothing is read from it: name the Gas Town root`,
    ]);
  });

  it('--once says so on stderr and in --json, and delivers what it can read', async () => {
    const base = join(dir, 'once');
    // Readable: one Claude Code response.
    const project = join(base, 'claude', 'projects', 'p');
    mkdirSync(project, { recursive: true });
    writeFileSync(
      join(project, 's.jsonl'),
      `${JSON.stringify({ timestamp: new Date().toISOString(), requestId: 'r1', message: { id: 'm1', model: 'claude-sonnet-4-5', usage: { input_tokens: 1, output_tokens: 2 } } })}\n`,
    );
    // A transcript linked to a loop; a Codex home whose sessions/ is one; an OpenCode store that is one.
    loop(join(project, 'gone.jsonl'));
    mkdirSync(join(base, 'codex'), { recursive: true });
    loop(join(base, 'codex', 'sessions'));
    mkdirSync(join(base, 'opencode'), { recursive: true });
    loop(join(base, 'opencode', 'opencode.db'));
    // A Gemini CLI chat whose project's .project_root is a link into a loop: its chat counts, for agent unknown.
    const gemini = join(base, 'gemini', 'p1');
    mkdirSync(join(gemini, 'chats'), { recursive: true });
    loop(join(gemini, '.project_root'));
    writeFileSync(
      join(gemini, 'chats', 'session-1.json'),
      JSON.stringify({
        sessionId: 'g1',
        messages: [
          {
            id: 'a',
            type: 'gemini',
            timestamp: new Date().toISOString(),
            model: 'gemini-2.5-pro',
            tokens: { input: 10, output: 2, cached: 0, thoughts: 0, tool: 0, total: 12 },
          },
        ],
      }),
    );
    // Gas Town's event log, a link into a loop.
    mkdirSync(join(base, 'gt'), { recursive: true });
    loop(join(base, 'gt', '.events.jsonl'));
    const server = await startTestServer(join(base, 'server'));
    try {
      const args = (state: string) => [
        ...['--server', server.url, '--town', server.townId, '--token-file', server.tokenFile],
        ...['--claude-dir', join(base, 'claude'), '--codex-home', join(base, 'codex'), '--opencode-dir', join(base, 'opencode')],
        ...[
          '--gastown',
          join(base, 'gt'),
          '--gemini-dir',
          join(base, 'gemini'),
          '--state',
          join(base, state),
          '--once',
          '--timeout',
          '20',
        ],
      ];
      const text = await runGasgauge(['report', ...args('state-text')]);
      expect(text.code, text.stderr).toBe(0);
      const paths = [
        join(project, 'gone.jsonl'),
        join(base, 'codex', 'sessions'),
        join(base, 'opencode', 'opencode.db'),
        join(base, 'gt', '.events.jsonl'),
        join(gemini, '.project_root'),
      ];
      for (const path of paths)
        expect(text.stderr).toContain(`WARNING: cannot read ${path}: a symlink loop (ELOOP); skipped until it can be read\n`);
      expect(text.stderr).toContain('delivered: 2 records acknowledged (5 paths could not be read: see the warnings above)\n');
      const json = await runGasgauge(['report', ...args('state-json'), '--json']);
      expect(json.code, json.stderr).toBe(0);
      const summary = JSON.parse(json.stdout) as { delivered: boolean; sent: number; unreadable: string[] };
      // The store that is a loop is found (it is there) and said unreadable; the link to a loop is no transcript.
      expect(summary).toMatchObject({ delivered: true, sent: 2, found: { claude: 1, codex: 0, gemini: 1, opencode: 1 } });
      expect(summary.unreadable.sort()).toEqual(paths.sort());
    } finally {
      await server.close();
    }
  }, 60_000);
});

describe('many unreadable paths', () => {
  it(`are said one by one up to ${MAX_UNREADABLE_SAID}, then in one line, and each counted once however often read`, async () => {
    const base = tempDir('gg-unreadable-many-');
    try {
      const project = join(base, 'claude', 'projects', 'p');
      mkdirSync(project, { recursive: true });
      for (let i = 0; i < MAX_UNREADABLE_SAID + 20; i++) loop(join(project, `s${i}.jsonl`));
      writeFileSync(join(base, 'token'), 'tok\n');
      const lines: string[] = [];
      const reporter = new Reporter({
        serverUrl: 'http://127.0.0.1:1',
        townId: 't1',
        tokenFile: join(base, 'token'),
        stateDir: join(base, 'state'),
        claudeDirs: [join(base, 'claude')],
        codex: false,
        gemini: false,
        opencode: false,
        log: (line) => lines.push(line),
      });
      try {
        await reporter.collect();
        await reporter.collect(); // read again: nothing said or counted twice
        const warnings = lines.filter((l) => l.startsWith('WARNING:'));
        expect(warnings.filter((l) => l.startsWith('WARNING: cannot read '))).toHaveLength(MAX_UNREADABLE_SAID);
        expect(warnings.filter((l) => l.startsWith('WARNING: more paths cannot be read'))).toHaveLength(1);
        expect(warnings).toHaveLength(MAX_UNREADABLE_SAID + 1);
        const result = await reporter.runOnce(Date.now() + 1);
        expect(result.unreadable).toHaveLength(MAX_UNREADABLE_SAID + 20);
      } finally {
        reporter.close();
      }
    } finally {
      removeDir(base);
    }
  });
});

describe('a path named on the command line that is wrong', () => {
  const base = tempDir('gg-wrong-path-');
  afterAll(() => removeDir(base));

  it('is said once, naming its option and path: a file as any source directory, a worktree not there or a file (the CLI)', async () => {
    // Spaces and a non-ASCII letter: the path is said as given.
    const file = join(base, 'a file ü');
    writeFileSync(file, '');
    const empty = join(base, 'empty');
    mkdirSync(empty);
    const missing = join(base, 'no worktree ü');
    const looped = join(base, 'loop ü');
    loop(looped);
    const server = await startTestServer(join(base, 'server'));
    try {
      const sources = ['--claude-dir', '--codex-home', '--gemini-dir', '--opencode-dir'];
      const once = (state: string, args: string[]) =>
        runGasgauge([
          ...['report', '--server', server.url, '--town', server.townId, '--token-file', server.tokenFile],
          ...sources.flatMap((s) => (args.includes(s) ? [] : [s, empty])),
          ...['--state', join(base, state), '--once', '--timeout', '20', ...args],
        ]);
      const cases: [string[], string, string][] = [
        ...sources.map((s): [string[], string, string] => [
          [s, file],
          `WARNING: ${s} ${file}: it is a file, not a directory; nothing is read from it: name the directory`,
          'delivered: 0 records acknowledged (1 path could not be read: see the warnings above)',
        ]),
        [
          ['--gastown', file],
          `WARNING: --gastown ${file}: it is a file, not a directory; nothing is read from it: name the Gas Town root`,
          'delivered: 0 records acknowledged (1 path could not be read: see the warnings above)',
        ],
        // Named twice: said once.
        [
          ['--codex-home', file, '--codex-home', file],
          `WARNING: --codex-home ${file}: it is a file, not a directory; nothing is read from it: name the directory`,
          'delivered: 0 records acknowledged (1 path could not be read: see the warnings above)',
        ],
        // A symlink loop: said once, and no store "found" in it (it was: `found 1 OpenCode/Kilo store`).
        ...['--claude-dir', '--opencode-dir'].map((s): [string[], string, string] => [
          [s, looped],
          `WARNING: ${s} ${looped}: cannot read it: a symlink loop (ELOOP); nothing is read from it until it can be`,
          'delivered: 0 records acknowledged (1 path could not be read: see the warnings above)',
        ]),
        // Was said twice, in words that disagreed: "no lines are counted from it", then "reporting 0/0 once".
        [
          ['--worktree', `w=${missing}`],
          `WARNING: --worktree w=${missing}: no such directory (yet); its lines of code are reported as 0/0 once (as a removed worktree's), then not until it exists: check the path`,
          'delivered: 1 record acknowledged',
        ],
        [
          ['--worktree', file],
          `WARNING: --worktree ${file}: it is a file, not a directory; no lines of code are reported for it: name the worktree's directory`,
          'delivered: 0 records acknowledged',
        ],
      ];
      const runs = await Promise.all(cases.map(([args], i) => once(`state-${i}`, args)));
      for (const [i, [args, line, last]] of cases.entries()) {
        const run = runs[i] as { code: number; stderr: string };
        expect(run.code, `${args.join(' ')}\n${run.stderr}`).toBe(0);
        const path = args.at(-1)?.replace(/^w=/, '') as string;
        expect(
          // (`found no agent CLI files: looked for … in PATH` names it as where it looked, not as a problem)
          run.stderr.split('\n').filter((l) => l.includes(path) && !l.startsWith('found ')),
          args.join(' '),
        ).toEqual([line]);
        expect(run.stderr, args.join(' ')).toContain(`\n${last}\n`);
        expect(run.stderr, args.join(' ')).toContain('\nfound no agent CLI files: ');
      }
    } finally {
      await server.close();
    }
  }, 90_000);

  it('is said once when it cannot be searched (mode 000), for every option that names a directory (the CLI)', async () => {
    const closed = join(base, 'closed ü');
    mkdirSync(join(closed, 'projects'), { recursive: true });
    writeFileSync(join(closed, 'opencode.db'), '');
    chmodSync(closed, 0o000);
    const empty = join(base, 'empty-closed');
    mkdirSync(empty);
    const server = await startTestServer(join(base, 'server-closed'));
    // Run as an unprivileged user when the tests run as root (testing/unprivileged.ts): it makes its state dirs in base.
    shareWithUnprivileged(base, empty, server.tokenFile);
    try {
      const sources = ['--claude-dir', '--codex-home', '--gemini-dir', '--opencode-dir'];
      const options = [...sources, '--gastown', '--worktree'];
      const runs = await Promise.all(
        options.map((option, i) =>
          runGasgauge(
            [
              ...['report', '--server', server.url, '--town', server.townId, '--token-file', server.tokenFile],
              ...sources.flatMap((s) => (s === option ? [] : [s, empty])),
              ...[option, closed, '--state', join(base, `state-closed-${i}`), '--once', '--timeout', '20'],
            ],
            { asUnprivileged: true },
          ),
        ),
      );
      for (const [i, option] of options.entries()) {
        const run = runs[i] as { code: number; stderr: string };
        expect(run.code, `${option}\n${run.stderr}`).toBe(0);
        const undone = option === '--worktree' ? 'no lines of code are reported for it' : 'nothing is read from it';
        expect(
          run.stderr.split('\n').filter((l) => l.includes(closed) && !l.startsWith('found ')),
          option,
        ).toEqual([
          `WARNING: ${option} ${closed}: cannot read it: permission denied (EACCES): chmod it, or run the reporter as its owner; ${undone} until it can be`,
        ]);
        // A store in a data dir that cannot be searched is not known to be there: it was "found 1 OpenCode/Kilo store".
        expect(run.stderr, option).toContain('\nfound no agent CLI files: ');
      }
    } finally {
      chmodSync(closed, 0o755);
      await server.close();
    }
  }, 90_000);

  it('a source directory that is a file (CODEX_HOME, no option) is said once as itself, not as each path under it', async () => {
    const file = join(base, 'codex-home-file');
    writeFileSync(file, '');
    writeFileSync(join(base, 'token'), 'tok\n');
    const lines: string[] = [];
    const reporter = new Reporter({
      serverUrl: 'http://127.0.0.1:1',
      townId: 't1',
      tokenFile: join(base, 'token'),
      stateDir: join(base, 'state-codex'),
      claude: false,
      codexHomes: [file],
      gemini: false,
      opencode: false,
      log: (line) => lines.push(line),
    });
    try {
      await reporter.collect();
      expect(lines).toEqual([`WARNING: cannot read ${file}: not a directory (ENOTDIR); skipped until it can be read`]);
      expect((await reporter.runOnce(Date.now() + 1)).unreadable).toEqual([file]);
    } finally {
      reporter.close();
    }
  });
});
