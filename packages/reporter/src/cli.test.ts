import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { claudeConfigDirs } from './claude/files.js';
import { defaultStateDir, foundLine, ignoredOptions, parseWorktree, reporterOptions } from './cli.js';
import { REPORT_HELP, REPORT_OPTIONS } from './cli-spec.js';
import { codexHomes } from './codex/files.js';
import { geminiDataDirs } from './gemini/files.js';
import { Store } from './outbox/store.js';
import { canonicalPath } from './paths.js';
import type { FoundFiles } from './reporter.js';
import { formatStatus } from './status.js';
import { freePort, runGasgauge as gasgauge } from './testing/processes.js';
import { mintToken, removeDir, serverTotals, startTestServer, tempDir, tokenTotals } from './testing/server.js';
import { expectedTokens, generateTree, writeTree } from './testing/transcripts.js';

/** A Claude Code tree under `claudeDir` (what --claude-dir takes) with one transcript holding one response. */
function oneResponseTree(claudeDir: string): void {
  const project = join(claudeDir, 'projects', 'p');
  mkdirSync(project, { recursive: true });
  const response = {
    timestamp: new Date().toISOString(),
    requestId: 'r1',
    message: { id: 'm1', model: 'claude-sonnet-4-5', usage: { input_tokens: 1, output_tokens: 2 } },
  };
  writeFileSync(join(project, 's.jsonl'), `${JSON.stringify(response)}\n`);
}

describe('gasgauge report (CLI)', () => {
  const dir = tempDir('gg-reporter-cli-');
  afterAll(() => removeDir(dir));

  it('declares the same options in the server command and in the reporter', async () => {
    const { report } = await import('../../server/src/cli/report.js');
    expect(Object.keys(report.options).sort()).toEqual(Object.keys(REPORT_OPTIONS).sort());
  });

  it('refuses missing options with usage (exit 2)', async () => {
    const r = await gasgauge(['report', '--town', 't']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--server is required');
    expect(r.stderr).toContain('--token-file F');
  });

  it('refuses --opencode URL with --once (exit 2) instead of ignoring it', async () => {
    const r = await gasgauge([
      'report',
      ...['--server', 'http://127.0.0.1:1', '--town', 't', '--token-file', join(dir, 'no-token')],
      ...['--no-claude', '--no-codex', '--no-gemini', '--opencode', 'http://127.0.0.1:4096', '--once'],
      ...['--state', join(dir, 'state-opencode-once')],
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--opencode follows running servers and does not work with --once');
  });

  it('says which option it ignores beside another, instead of ignoring it in silence', async () => {
    expect(ignoredOptions({ 'claude-dir': ['/a'], 'no-claude': true, 'codex-home': ['/c'], timeout: '5' })).toEqual([
      '--claude-dir is ignored: --no-claude reads nothing there',
      '--timeout is ignored: it bounds --once only (a running reporter retries for as long as it runs)',
    ]);
    expect(ignoredOptions({ 'claude-dir': ['/a'], 'codex-home': ['/c'], 'no-gemini': true, timeout: '5', once: true })).toEqual(
      [],
    );
    const r = await gasgauge([
      'report',
      ...['--server', 'http://127.0.0.1:1', '--town', 't', '--token-file', join(dir, 'no-token'), '--once'],
      ...['--gemini-dir', dir, '--no-gemini', '--state', join(dir, 'state-ignored')],
    ]);
    expect(r.stderr).toContain('WARNING: --gemini-dir is ignored: --no-gemini reads nothing there');
  });

  it("says a --token-file that is missing, a directory or empty once, with what to do (exit 2), not Node's message naming it again", async () => {
    const empty = join(dir, 'empty-token');
    writeFileSync(empty, '\n', { mode: 0o600 });
    const loop = join(dir, 'loop-token');
    symlinkSync(loop, loop);
    for (const [file, says] of [
      [join(dir, 'no-token'), 'no such file (ENOENT): write an ingest token into it'],
      [dir, 'it is a directory (EISDIR): name the file that holds the token'],
      // A new user's: ENOTDIR and ELOOP were Node's message after the code ("ENOTDIR: ENOTDIR: not a directory, open '…'").
      [join(empty, 'token'), 'a part of that path is a file, not a directory (ENOTDIR): name the file that holds the token'],
      [loop, 'ELOOP: too many symbolic links encountered'],
    ] as const) {
      const r = await gasgauge([
        'report',
        ...['--server', 'http://127.0.0.1:1', '--town', 't', '--token-file', file, '--once'],
        ...['--no-claude', '--no-codex', '--no-gemini', '--no-opencode', '--state', join(dir, 'state-token-missing')],
      ]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`gasgauge report: cannot read the token file ${file}: ${says}`);
      expect(r.stderr.split(file)).toHaveLength(2);
    }
    const r = await gasgauge([
      'report',
      ...['--server', 'http://127.0.0.1:1', '--town', 't', '--token-file', empty, '--once'],
      ...['--no-claude', '--no-codex', '--no-gemini', '--no-opencode', '--state', join(dir, 'state-token-missing')],
    ]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(`the token file ${empty} is empty: write an ingest token into it (gasgauge token mint`);
  });

  it('reads at most 64 KiB of --token-file: /dev/zero is refused at once (exit 2), not read until memory runs out', async () => {
    const port = await freePort(); // nothing listens there
    const run = (file: string) =>
      gasgauge([
        'report',
        ...['--server', `http://127.0.0.1:${port}`, '--town', 't1', '--token-file', file],
        ...[
          '--no-claude',
          '--no-codex',
          '--no-gemini',
          '--no-opencode',
          '--state',
          join(dir, 'state-token-size'),
          '--once',
          '--timeout',
          '1',
        ],
      ]);
    const edge = join(dir, 'token-64k');
    writeFileSync(edge, `tok${' '.repeat(64 * 1024 - 4)}\n`); // 65,536 bytes: taken (whitespace around a token is)
    const r = await run(edge);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain('not delivered: nothing to send');
    const over = join(dir, 'token-64k-1');
    writeFileSync(over, `tok${' '.repeat(64 * 1024 - 3)}\n`);
    for (const file of [over, '/dev/zero']) {
      const refused = await run(file);
      expect(refused.code, file).toBe(2);
      expect(refused.stderr).toContain(
        `gasgauge report: the token file ${file} holds more than 64 KiB: it should hold one token`,
      );
    }
  });

  it('refuses a --worktree or --agent with an empty PATH (exit 2) instead of measuring the current directory', async () => {
    writeFileSync(join(dir, 'token-empty-path'), 'tok');
    for (const args of [
      ['--worktree', 'a='],
      ['--worktree', '='],
      ['--worktree', ''],
      ['--agent', 'a='],
    ]) {
      const r = await gasgauge([
        'report',
        ...['--server', 'http://127.0.0.1:9', '--town', 't1', '--token-file', join(dir, 'token-empty-path'), ...args],
        ...[
          '--no-claude',
          '--no-codex',
          '--no-gemini',
          '--no-opencode',
          '--state',
          join(dir, 'state-empty-path'),
          '--once',
          '--timeout',
          '1',
        ],
      ]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(`gasgauge report: ${args[0]} must look like`);
      expect(r.stderr).toContain(JSON.stringify(args[1]));
    }
  });

  it('refuses a --worktree or --agent whose AGENT is longer than an agent id (exit 2), and takes one of 256 characters', async () => {
    writeFileSync(join(dir, 'token-long-agent'), 'tok');
    const wt = join(dir, 'wt-long-agent');
    mkdirSync(wt, { recursive: true });
    for (const option of ['--worktree', '--agent']) {
      // 257 characters, one of them a surrogate pair (counted once, as the API counts): refused at start.
      const long = `${'a'.repeat(255)}😀b`;
      const r = await gasgauge([
        'report',
        ...['--server', 'http://127.0.0.1:9', '--town', 't1', '--token-file', join(dir, 'token-long-agent')],
        ...[option, `${long}=${wt}`, '--no-claude', '--no-codex', '--no-gemini', '--no-opencode'],
        ...['--state', join(dir, 'state-long-agent'), '--once', '--timeout', '1'],
      ]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`gasgauge report: ${option} "aaaa`);
      expect(r.stderr).toContain('AGENT is 257 characters; an agent id is 1 to 256');
    }
    const base = { server: 'http://127.0.0.1:1', town: 't', 'token-file': '/tmp/t' };
    const edge = `${'a'.repeat(255)}😀`;
    expect(reporterOptions({ ...base, worktree: [`${edge}=${wt}`], agent: [`${edge}=${wt}`] }, () => {})).toMatchObject({
      worktrees: [{ agentId: edge }],
      agentPaths: [{ agentId: edge }],
    });
  });

  it('refuses a --town that is no town id (exit 2): the default state dir is named after it', async () => {
    writeFileSync(join(dir, 'token-town'), 'tok');
    const port = await freePort(); // nothing listens there
    const run = (town: string) =>
      gasgauge([
        'report',
        ...['--server', `http://127.0.0.1:${port}`, '--town', town, '--token-file', join(dir, 'token-town')],
        ...[
          '--no-claude',
          '--no-codex',
          '--no-gemini',
          '--no-opencode',
          '--state',
          join(dir, 'state-town'),
          '--once',
          '--timeout',
          '1',
        ],
      ]);
    // `../x` made the default state dir outside XDG_STATE_HOME/gasgauge; 65 characters the API refuses.
    for (const bad of ['../escape', 'a/b', 'town with space', 'x'.repeat(65)]) {
      const r = await run(bad);
      expect(r.code, bad).toBe(2);
      expect(r.stderr).toContain(`gasgauge report: --town must be a town id like town_0123456789ab`);
      expect(r.stderr).toContain(JSON.stringify(bad));
    }
    for (const ok of ['town_0123456789ab', 'x'.repeat(64)]) {
      const r = await run(ok);
      expect(r.code, `${ok}: ${r.stderr}`).toBe(1); // taken: nothing to send, and nothing answers there
      expect(r.stderr).toContain('not delivered: nothing to send');
    }
  }, 60_000);

  it('takes --timeout, --loc-interval and --max-outbox-mb at their bounds and refuses past them (exit 2, naming the option)', async () => {
    // Below the old "positive" floor, --max-outbox-mb 0.0000001 rounded to a 0-byte outbox, full while empty:
    // --once then waited forever, past its --timeout. Found trying wrong values as a new user.
    writeFileSync(join(dir, 'token-bounds'), 'tok');
    const port = await freePort(); // nothing listens there
    const run = (...extra: string[]) =>
      gasgauge([
        'report',
        ...['--server', `http://127.0.0.1:${port}`, '--town', 't1', '--token-file', join(dir, 'token-bounds')],
        ...['--no-claude', '--no-codex', '--no-gemini', '--no-opencode', '--state', join(dir, 'state-bounds'), '--once'],
        ...extra,
      ]);
    for (const [option, low, high, refused] of [
      ['--max-outbox-mb', '1', '1048576', ['0.0000001', '0.5', '1048577']],
      ['--loc-interval', '1', '86400', ['0.001', '86401']],
      ['--timeout', '1', '604800', ['0.5', '604801', '1e3']],
    ] as const) {
      for (const ok of [low, high]) {
        // Accepted: it runs, finds nothing to send and cannot check the server (exit 1, not a usage error).
        const r = await run(option, ok, ...(option === '--timeout' ? [] : ['--timeout', '1']));
        expect(r.code, `${option} ${ok}: ${r.stderr}`).toBe(1);
        expect(r.stderr).toContain('not delivered: nothing to send');
      }
      for (const bad of refused) {
        const r = await run(option, bad);
        expect(r.code, `${option} ${bad}`).toBe(2);
        expect(r.stderr).toContain(`gasgauge report: ${option} must be a number of `);
        expect(r.stderr).toContain(`not "${bad}"`);
      }
    }
  }, 120_000);

  it('--once exits 1 when the server cannot be reached in time, keeping what it read', async () => {
    oneResponseTree(join(dir, 'claude'));
    writeFileSync(join(dir, 'token'), 'tok');
    const port = await freePort(); // nothing listens there
    const args = ['report', '--server', `http://127.0.0.1:${port}`, '--town', 't1', '--token-file', join(dir, 'token')];
    const r = await gasgauge([
      ...args,
      '--claude-dir',
      join(dir, 'claude'),
      '--no-codex',
      '--no-gemini',
      '--no-opencode',
      '--state',
      join(dir, 'state'),
      '--once',
      '--timeout',
      '1',
      '--json',
    ]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ delivered: false, pending: 1 });
    // Written under the test's umask (022): readable by others, which is said at start.
    expect(r.stderr).toMatch(/WARNING: the token file \S+token can be read by other users \(mode 6[46]4\)/);
    const store = new Store(join(dir, 'state'));
    try {
      expect(store.pendingCount()).toBe(1);
    } finally {
      store.close();
    }
  });

  it('--once does not report "delivered" when something other than the API refuses the request (an HTML 405)', async () => {
    oneResponseTree(join(dir, 'claude-405'));
    writeFileSync(join(dir, 'token'), 'tok');
    let requests = 0;
    const proxy = createServer((req, res) => {
      requests++;
      req.resume();
      req.on('end', () => {
        res.writeHead(405, { 'content-type': 'text/html' });
        res.end('<html><body><h1>405 Not Allowed</h1><hr>nginx</body></html>');
      });
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const state = join(dir, 'state-405');
    try {
      const r = await gasgauge([
        'report',
        '--server',
        `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
        '--town',
        't1',
        '--token-file',
        join(dir, 'token'),
        '--claude-dir',
        join(dir, 'claude-405'),
        '--no-codex',
        '--no-gemini',
        '--no-opencode',
        '--state',
        state,
        '--once',
        '--timeout',
        '20',
        '--json',
      ]);
      expect(r.code).toBe(1);
      expect(JSON.parse(r.stdout)).toMatchObject({ delivered: false, pending: 1, quarantined: 0 });
      expect(JSON.parse(r.stdout).error).toContain('HTTP 405');
    } finally {
      await new Promise<void>((r) => proxy.close(() => r()));
    }
    expect(requests).toBe(1); // stopped at once, not retried until the timeout
    expect(existsSync(join(state, 'dead-letter.jsonl'))).toBe(false);
  });

  it('--once with nothing to send still checks the server, the town and the token (exit 1 naming what failed)', async () => {
    const server = await startTestServer(join(dir, 'check'));
    const empty = join(dir, 'check', 'claude-empty');
    mkdirSync(empty, { recursive: true });
    writeFileSync(join(dir, 'check', 'wrong-token'), 'not-a-token\n');
    const once = (serverUrl: string, town: string, tokenFile: string, state: string) =>
      gasgauge([
        'report',
        ...['--server', serverUrl, '--town', town, '--token-file', tokenFile, '--claude-dir', empty],
        ...['--no-codex', '--no-gemini', '--no-opencode', '--state', join(dir, 'check', state), '--once', '--timeout', '10'],
      ]);
    try {
      const [ok, badToken, badTown, badUrl, down] = await Promise.all([
        once(server.url, server.townId, server.tokenFile, 's-ok'),
        once(server.url, server.townId, join(dir, 'check', 'wrong-token'), 's-token'),
        once(server.url, 'town_other', server.tokenFile, 's-town'),
        once(`${server.url}/api`, server.townId, server.tokenFile, 's-url'),
        once(`http://127.0.0.1:${await freePort()}`, server.townId, server.tokenFile, 's-down'),
      ]);
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stderr).toContain('delivered: 0 records acknowledged');
      // Where it looked: a first run on the wrong HOME, user or directory does not end at "delivered: 0" alone.
      expect(ok.stderr).toContain(
        `found no agent CLI files: looked for Claude Code transcripts in ${empty} (name others with --claude-dir, --codex-home, --gemini-dir, --opencode-dir)\n`,
      );
      for (const [r, why] of [
        [badToken, 'HTTP 401'],
        [badTown, 'HTTP 403'],
        // A new user's: "no route for POST /api/api/towns/…/usage" alone did not say what to change.
        [
          badUrl,
          `no route for POST /api/api/towns/${server.townId}/usage (is --server the Gas Gauge server, its address alone such as http://127.0.0.1:8787, with no /api?)`,
        ],
        [down, 'ECONNREFUSED (nothing listens there: is the server running, and is --server right?)'],
      ] as const) {
        expect(r.code, r.stderr).toBe(1);
        expect(r.stderr).toContain('not delivered: nothing to send, and checking --server, --town and --token-file failed:');
        expect(r.stderr).toContain(why);
      }
    } finally {
      await server.close();
    }
  });

  it('--once counts one record as "1 record" when it is pending and once it is delivered', async () => {
    const base = join(dir, 'one');
    oneResponseTree(join(base, 'claude'));
    const server = await startTestServer(join(base, 'server'));
    try {
      const once = (url: string, timeout: string) =>
        gasgauge([
          'report',
          ...['--server', url, '--town', server.townId, '--token-file', server.tokenFile],
          ...['--claude-dir', join(base, 'claude'), '--no-codex', '--no-gemini', '--no-opencode'],
          ...['--state', join(base, 'state'), '--once', '--timeout', timeout],
        ]);
      const down = await once(`http://127.0.0.1:${await freePort()}`, '1');
      expect(down.code).toBe(1);
      expect(down.stderr).toContain('not delivered: 1 record still pending (');
      const up = await once(server.url, '20');
      expect(up.code, up.stderr).toBe(0);
      expect(up.stderr).toContain('found 1 Claude Code transcript\ndelivered: 1 record acknowledged\n');
    } finally {
      await server.close();
    }
  }, 60_000);

  it('says what to do after a 401 the token file cannot mend, and --once ends there rather than at its timeout', async () => {
    const base = join(dir, 'wrong-token');
    oneResponseTree(join(base, 'claude'));
    const server = await startTestServer(join(base, 'server'));
    const tokenFile = join(base, 'wrong-token');
    writeFileSync(tokenFile, 'not-a-token\n', { mode: 0o600 });
    try {
      const r = await gasgauge([
        'report',
        ...['--server', server.url, '--town', server.townId, '--token-file', tokenFile],
        ...['--claude-dir', join(base, 'claude'), '--no-codex', '--no-gemini', '--no-opencode'],
        // The default --timeout (600 s): a 401 the token file cannot mend ends --once at once, not at the timeout.
        ...['--state', join(base, 'state'), '--once'],
      ]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        `got a 401 and the token file ${tokenFile} holds the same token: write a valid ingest token into it (gasgauge token mint, or a key from gasgauge key create); stopping (--once)`,
      );
      expect(r.stderr).toContain('not delivered: 1 record still pending (HTTP 401');
      // It said "retrying in 60.0 s" right after "stopping (--once)", and then stopped.
      expect(r.stderr).toContain('invalid ingest token): nothing quarantined, the records stay; stopping (--once)\n');
      expect(r.stderr).not.toContain('retrying');
    } finally {
      await server.close();
    }
  }, 60_000);

  it('--once mends a 401 with --token-command rewriting the token file, and delivers everything it holds exactly once', async () => {
    const base = join(dir, 'token-command');
    // Over 1 MiB of records: several batches, each of them refused by the first token, all held in memory (--once).
    const tree = generateTree({ seed: 11, agents: 4, sessionsPerAgent: 5, responsesPerSession: 200 });
    writeTree(join(base, 'claude'), tree.files);
    const server = await startTestServer(join(base, 'server'));
    const tokenFile = join(base, 'token');
    writeFileSync(tokenFile, 'expired-token\n', { mode: 0o600 });
    const fresh = join(base, 'fresh-token');
    writeFileSync(fresh, `${server.ingestToken}\n`, { mode: 0o600 });
    try {
      const r = await gasgauge([
        'report',
        ...['--server', server.url, '--town', server.townId, '--token-file', tokenFile],
        ...['--token-command', `cp ${fresh} ${tokenFile}`],
        ...['--claude-dir', join(base, 'claude'), '--no-codex', '--no-gemini', '--no-opencode'],
        ...['--state', join(base, 'state'), '--once', '--json'],
      ]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain('token refreshed after a 401');
      const summary = JSON.parse(r.stdout) as { delivered: boolean; sent: number; pending: number };
      expect(summary).toMatchObject({ delivered: true, pending: 0 });
      expect(summary.sent).toBeGreaterThan(3000);
      const totals = await serverTotals(server.url, server.adminToken, server.townId, 0, Date.now() + 600_000);
      expect(tokenTotals(totals)).toEqual(expectedTokens(tree.expected));
    } finally {
      await server.close();
    }
  }, 120_000);

  it('prints no control character it read: a transcript id with terminal escapes is spelled out in the quarantine line', async () => {
    const server = await startTestServer(join(dir, 'escapes'));
    const claude = join(dir, 'escapes', 'claude', 'projects', 'p');
    mkdirSync(claude, { recursive: true });
    // ESC ] 0 ; … BEL sets the terminal's title; ESC [ 2 J clears it. A token for another agent refuses the record.
    const id = 'msg_\u001b]0;PWNED\u0007\u001b[2J\u202e';
    const line = {
      timestamp: new Date().toISOString(),
      sessionId: 's1',
      requestId: 'req_1',
      message: { id, model: 'claude-sonnet-4-5', usage: { input_tokens: 10, output_tokens: 5 } },
    };
    writeFileSync(join(claude, 'a.jsonl'), `${JSON.stringify(line)}\n`);
    const token = join(dir, 'escapes', 'agent-token');
    writeFileSync(token, `${await mintToken(server.url, server.adminToken, server.townId, { agentId: 'someone-else' })}\n`, {
      mode: 0o600,
    });
    try {
      const r = await gasgauge([
        'report',
        ...[
          '--server',
          server.url,
          '--town',
          server.townId,
          '--token-file',
          token,
          '--claude-dir',
          join(dir, 'escapes', 'claude'),
        ],
        ...['--no-codex', '--no-gemini', '--no-opencode', '--state', join(dir, 'escapes', 'state'), '--once', '--timeout', '10'],
      ]);
      expect(r.code, r.stderr).toBe(3);
      expect(r.stderr).toContain('quarantined usage record msg_\\u001b]0;PWNED\\u0007\\u001b[2J\\u202e');
      // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters is the point
      expect(r.stderr.replace(/\n/g, '')).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    } finally {
      await server.close();
    }
  });

  it('sends no model or agent longer than the server takes: Claude, Codex and Gemini records are delivered, none quarantined', async () => {
    const server = await startTestServer(join(dir, 'long'));
    const root = join(dir, 'long');
    const model = `model-${'m'.repeat(300)}`;
    // A made-up cwd: its last name, the agent, is 300 characters.
    const cwd = `/no/such/${'a'.repeat(300)}`;
    const now = new Date().toISOString();
    const usage = { input_tokens: 10, output_tokens: 5 };
    mkdirSync(join(root, 'claude', 'projects', 'p'), { recursive: true });
    writeFileSync(
      join(root, 'claude', 'projects', 'p', 's.jsonl'),
      `${JSON.stringify({ timestamp: now, sessionId: 's', requestId: 'r', cwd, message: { id: 'm', model, usage } })}\n`,
    );
    mkdirSync(join(root, 'codex', 'sessions'), { recursive: true });
    const codex = [
      { timestamp: now, type: 'session_meta', payload: { id: 's', cwd } },
      { timestamp: now, type: 'turn_context', payload: { cwd, model } },
      {
        timestamp: now,
        type: 'event_msg',
        payload: { type: 'token_count', info: { last_token_usage: { ...usage, total_tokens: 15 } } },
      },
    ];
    writeFileSync(join(root, 'codex', 'sessions', 'rollout-a.jsonl'), `${codex.map((l) => JSON.stringify(l)).join('\n')}\n`);
    mkdirSync(join(root, 'gemini', 'p', 'chats'), { recursive: true });
    writeFileSync(join(root, 'gemini', 'p', '.project_root'), cwd);
    const chat = {
      sessionId: 's',
      startTime: now,
      messages: [{ id: 'g1', type: 'gemini', model, tokens: { input: 10, output: 5 } }],
    };
    writeFileSync(join(root, 'gemini', 'p', 'chats', 'session-1.json'), JSON.stringify(chat));
    try {
      const r = await gasgauge([
        'report',
        ...['--server', server.url, '--town', server.townId, '--token-file', server.tokenFile],
        ...['--claude-dir', join(root, 'claude'), '--codex-home', join(root, 'codex'), '--gemini-dir', join(root, 'gemini')],
        ...['--no-opencode', '--state', join(root, 'state'), '--once', '--timeout', '10', '--json'],
      ]);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ delivered: true, quarantined: 0, sent: 3 });
    } finally {
      await server.close();
    }
  });

  it('parses worktrees as AGENT=PATH or PATH, naming agents as Gas Town does under --gastown', () => {
    expect(parseWorktree('toast=/w/toast', undefined)).toEqual({ agentId: 'toast', path: '/w/toast' });
    expect(parseWorktree('/w/toast', undefined)).toEqual({ agentId: 'toast', path: '/w/toast' });
    expect(parseWorktree('/gt/gastown/polecats/toast', '/gt')).toEqual({
      agentId: 'gastown/polecats/toast',
      path: '/gt/gastown/polecats/toast',
    });
    expect(parseWorktree('gastown/crew/joe=/gt/x', '/gt')).toEqual({ agentId: 'gastown/crew/joe', path: '/gt/x' });
  });

  it('resolves symlinks in --worktree, --gastown and --agent paths, so one agent gets one id', () => {
    const real = join(dir, 'sym', 'real-gt');
    mkdirSync(join(real, 'gastown', 'polecats', 'toast'), { recursive: true });
    const link = join(dir, 'sym', 'gt');
    symlinkSync(real, link);
    const toast = join(canonicalPath(real), 'gastown', 'polecats', 'toast');
    expect(parseWorktree(join(link, 'gastown/polecats/toast'), real)).toEqual({ agentId: 'gastown/polecats/toast', path: toast });
    expect(parseWorktree(join(real, 'gastown/polecats/toast'), link)).toEqual({ agentId: 'gastown/polecats/toast', path: toast });
    const opts = reporterOptions(
      {
        server: 'http://127.0.0.1:1',
        town: 't',
        'token-file': '/tmp/t',
        gastown: link,
        worktree: [join(link, 'gastown/polecats/toast')],
        agent: [`toast=${join(link, 'gastown/polecats/toast')}`],
      },
      () => {},
    );
    expect(opts.gastownRoot).toBe(canonicalPath(real));
    expect(opts.worktrees).toEqual([{ agentId: 'gastown/polecats/toast', path: toast }]);
    expect(opts.agentPaths).toEqual([{ agentId: 'toast', path: toast }]);
  });

  it('expands a leading ~ in --worktree, --agent and --gastown (also after AGENT=), as in the README example', () => {
    const home = (rel: string) => canonicalPath(join(homedir(), rel));
    // The README: --gastown ~/gt --worktree ~/gt/gastown/polecats/toast --worktree gastown/crew/joe=~/gt/gastown/crew/joe
    const opts = reporterOptions(
      {
        server: 'http://127.0.0.1:1',
        town: 't',
        'token-file': '~/.gasgauge/token',
        gastown: '~/gt',
        worktree: ['~/gt/gastown/polecats/toast', 'gastown/crew/joe=~/gt/gastown/crew/joe'],
        agent: ['deacon=~/gt/deacon', 'home=~'],
      },
      () => {},
    );
    expect(opts.gastownRoot).toBe(home('gt'));
    expect(opts.tokenFile).toBe(join(homedir(), '.gasgauge/token'));
    expect(opts.worktrees).toEqual([
      { agentId: 'gastown/polecats/toast', path: home('gt/gastown/polecats/toast') },
      { agentId: 'gastown/crew/joe', path: home('gt/gastown/crew/joe') },
    ]);
    expect(opts.agentPaths).toEqual([
      { agentId: 'deacon', path: home('gt/deacon') },
      { agentId: 'home', path: canonicalPath(homedir()) },
    ]);
  });

  it('states the --claude-dir default the code uses', () => {
    expect(claudeConfigDirs([], { HOME: '/h' })).toEqual(['/h/.config/claude', '/h/.claude']);
    expect(claudeConfigDirs([], { HOME: '/h', CLAUDE_CONFIG_DIR: '/a,/b' })).toEqual(['/a', '/b']);
    expect(claudeConfigDirs([], { HOME: '/h', XDG_CONFIG_HOME: '/x' })).toEqual(['/x/claude', '/h/.claude']);
    // An empty or relative XDG_CONFIG_HOME is not the current directory.
    expect(claudeConfigDirs([], { HOME: '/h', XDG_CONFIG_HOME: '' })).toEqual(['/h/.config/claude', '/h/.claude']);
    expect(claudeConfigDirs([], { HOME: '/h', XDG_CONFIG_HOME: 'cfg' })).toEqual(['/h/.config/claude', '/h/.claude']);
    expect(REPORT_HELP.replace(/\s+/g, ' ')).toContain(
      '--claude-dir DIR a Claude config dir to tail (repeatable; default CLAUDE_CONFIG_DIR, comma-separated, else XDG_CONFIG_HOME/claude (~/.config/claude) and ~/.claude)',
    );
  });

  it('states the --state default the code uses; an empty or relative XDG_STATE_HOME is ignored, not the current directory', () => {
    const home = join(homedir(), '.local/state/gasgauge/reporter-t');
    expect(defaultStateDir('t', {})).toBe(home);
    expect(defaultStateDir('t', { XDG_STATE_HOME: '/x/state' })).toBe('/x/state/gasgauge/reporter-t');
    expect(defaultStateDir('t', { XDG_STATE_HOME: '' })).toBe(home);
    expect(defaultStateDir('t', { XDG_STATE_HOME: 'state' })).toBe(home);
    expect(REPORT_HELP.replace(/\s+/g, ' ')).toContain(
      '--state DIR outbox and cursors (default XDG_STATE_HOME/gasgauge/reporter-TOWN, else ~/.local/state/gasgauge/reporter-TOWN)',
    );
  });

  it('states the --codex-home and --gemini-dir defaults the code uses', () => {
    expect(codexHomes([], { HOME: '/h' })).toEqual(['/h/.codex']);
    expect(codexHomes([], { HOME: '/h', CODEX_HOME: '/a, /b' })).toEqual(['/a', '/b']);
    expect(geminiDataDirs([], { HOME: '/h' })).toEqual(['/h/.gemini/tmp']);
    expect(geminiDataDirs([], { HOME: '/h', GEMINI_DATA_DIR: '/a,/b' })).toEqual(['/a', '/b']);
    // Gemini CLI's own home override: it writes its chats under $GEMINI_CLI_HOME/.gemini/tmp.
    expect(geminiDataDirs([], { HOME: '/h', GEMINI_CLI_HOME: '/g' })).toEqual(['/h/.gemini/tmp', '/g/.gemini/tmp']);
    expect(geminiDataDirs([], { HOME: '/h', GEMINI_CLI_HOME: '/h' })).toEqual(['/h/.gemini/tmp']);
    // A relative one is Gemini CLI's working directory's, not the reporter's: ignored (as a relative XDG_DATA_HOME).
    expect(geminiDataDirs([], { HOME: '/h', GEMINI_CLI_HOME: 'g' })).toEqual(['/h/.gemini/tmp']);
    expect(geminiDataDirs([], { HOME: '/h', GEMINI_CLI_HOME: ' ' })).toEqual(['/h/.gemini/tmp']);
    expect(geminiDataDirs([], { HOME: '/h', GEMINI_CLI_HOME: '/g', GEMINI_DATA_DIR: '/a' })).toEqual(['/a']);
    const help = REPORT_HELP.replace(/\s+/g, ' ');
    expect(help).toContain('default CODEX_HOME, comma-separated, else ~/.codex)');
    expect(help).toContain('default GEMINI_DATA_DIR, comma-separated, else ~/.gemini/tmp and GEMINI_CLI_HOME/.gemini/tmp)');
  });

  it('validates values', () => {
    const base = { server: 'http://127.0.0.1:1', town: 't', 'token-file': '/tmp/t' };
    expect(() => reporterOptions({ ...base, server: 'nope' }, () => {})).toThrow(/--server must be a URL/);
    // `new URL` parses these (scheme `localhost:`, `ftp:`), but no request reaches them: refused at start.
    expect(() => reporterOptions({ ...base, server: 'localhost:8787' }, () => {})).toThrow(
      '--server must be a URL like http://127.0.0.1:8787, not "localhost:8787"',
    );
    expect(() => reporterOptions({ ...base, server: 'ftp://127.0.0.1' }, () => {})).toThrow(/--server must be a URL/);
    expect(reporterOptions({ ...base, server: 'https://gauge.example.com' }, () => {}).serverUrl).toBe(
      'https://gauge.example.com',
    );
    expect(() => reporterOptions({ ...base, 'loc-interval': '0' }, () => {})).toThrow(/--loc-interval/);
    expect(() => reporterOptions({ ...base, agent: ['nopath'] }, () => {})).toThrow(/AGENT=PATH/);
    expect(reporterOptions({ ...base, 'no-claude': true, 'claude-dir': ['/a', '/b'] }, () => {})).toMatchObject({
      claude: false,
      claudeDirs: ['/a', '/b'],
      codex: true,
      gemini: true,
      locIntervalMs: 30_000,
    });
    expect(
      reporterOptions({ ...base, 'no-codex': true, 'codex-home': ['/c'], 'no-gemini': true, 'gemini-dir': ['/g'] }, () => {}),
    ).toMatchObject({ codex: false, codexHomes: ['/c'], gemini: false, geminiDirs: ['/g'] });
    expect(
      reporterOptions(
        {
          ...base,
          'no-opencode': true,
          'opencode-dir': ['/o'],
          opencode: ['http://127.0.0.1:4096,http://[::1]:4097', 'http://127.0.0.1:4096'],
        },
        () => {},
      ),
    ).toMatchObject({ opencode: false, opencodeDirs: ['/o'], opencodeUrls: ['http://127.0.0.1:4096', 'http://[::1]:4097'] });
    expect(() => reporterOptions({ ...base, opencode: ['127.0.0.1:4096'] }, () => {})).toThrow(/--opencode must be a URL/);
    expect(() => reporterOptions({ ...base, opencode: ['file:///etc'] }, () => {})).toThrow(/--opencode must be a URL/);
    // A refused URL is repeated without its password.
    expect(() => reporterOptions({ ...base, opencode: ['ftp://kilo:s3cret@127.0.0.1:4096'] }, () => {})).toThrow(
      '--opencode must be a URL like http://127.0.0.1:4096, not "ftp://…@127.0.0.1:4096"',
    );
    // At most 16 servers, as the README and --help say; the same one named twice counts once.
    const servers = (n: number) => Array.from({ length: n }, (_, i) => `http://127.0.0.1:${4000 + i}`);
    expect(reporterOptions({ ...base, opencode: [...servers(16), servers(1)[0] as string] }, () => {}).opencodeUrls).toHaveLength(
      16,
    );
    expect(() => reporterOptions({ ...base, opencode: [servers(17).join(',')] }, () => {})).toThrow(
      '--opencode takes at most 16 servers, not 17',
    );
  });

  it('says when a named source directory does not exist, unless that source is off', () => {
    const base = { server: 'http://127.0.0.1:1', town: 't', 'token-file': '/tmp/t' };
    const there = tempDir('gg-cli-dirs-');
    const missing = join(there, 'claud');
    const said = (values: Record<string, string | boolean | string[]>) => {
      const lines: string[] = [];
      reporterOptions({ ...base, ...values }, (line) => lines.push(line));
      return lines;
    };
    expect(said({ 'claude-dir': [missing, there] })).toEqual([
      `WARNING: --claude-dir ${missing}: no such directory (yet); nothing is read from it until it exists: check the path`,
    ]);
    expect(said({ 'codex-home': [missing], 'gemini-dir': [there], 'opencode-dir': [missing], gastown: missing })).toEqual([
      `WARNING: --codex-home ${missing}: no such directory (yet); nothing is read from it until it exists: check the path`,
      `WARNING: --opencode-dir ${missing}: no such directory (yet); nothing is read from it until it exists: check the path`,
      `WARNING: --gastown ${missing}: no such directory (yet); nothing is read from it until it exists: check the path`,
    ]);
    expect(said({ 'no-claude': true, 'claude-dir': [missing] })).toEqual([]);
    expect(said({ worktree: [`a=${missing}`, there] })).toEqual([
      `WARNING: --worktree a=${missing}: no such directory (yet); its lines of code are reported as 0/0 once (as a removed worktree's), then not until it exists: check the path`,
    ]);
    removeDir(there);
  });

  it("says what --once's sources found, and where they looked when they found nothing", () => {
    const found = (claude: number, codex: number): FoundFiles[] => [
      { source: 'claude', files: claude, dirs: ['/h/.config/claude', '/h/.claude'] },
      { source: 'codex', files: codex, dirs: ['/h/.codex'] },
      { source: 'opencode', files: 0, dirs: ['/h/.local/share/opencode', '/h/.local/share/kilo'] },
    ];
    expect(foundLine(found(3, 1))).toBe('found 3 Claude Code transcripts, 1 Codex CLI session, 0 OpenCode/Kilo stores');
    expect(foundLine(found(13_457, 1))).toMatch(/^found 13,457 Claude Code transcripts, /);
    expect(foundLine(found(0, 0))).toBe(
      'found no agent CLI files: looked for Claude Code transcripts in /h/.config/claude, /h/.claude; Codex CLI sessions in /h/.codex; ' +
        'OpenCode/Kilo stores in /h/.local/share/opencode, /h/.local/share/kilo (name others with --claude-dir, --codex-home, --gemini-dir, --opencode-dir)',
    );
    expect(foundLine([])).toBe(
      'found no agent CLI files: the four are off (--no-claude, --no-codex, --no-gemini, --no-opencode)',
    );
  });

  it('formats the status line', () => {
    const now = 1_000_000;
    expect(
      formatStatus(
        { read: 0, sent: 12, pending: 3, quarantined: 1, dropped: 0, lastError: 'HTTP 503', retryAt: now + 4200, full: false },
        now,
      ),
    ).toBe('sent 12 · pending 3 · quarantined 1 · last error: HTTP 503 (retry in 5 s)');
    expect(
      formatStatus({
        read: 0,
        sent: 0,
        pending: 0,
        quarantined: 0,
        dropped: 0,
        lastError: undefined,
        retryAt: undefined,
        full: true,
      }),
    ).toBe('sent 0 · pending 0 · OUTBOX FULL');
    expect(
      formatStatus({
        read: 5 * 2 ** 20 + 2 ** 19,
        sent: 7,
        pending: 0,
        quarantined: 0,
        dropped: 0,
        lastError: undefined,
        retryAt: undefined,
        full: false,
      }),
    ).toBe('read 5.5 MiB · sent 7 · pending 0');
  });
});
