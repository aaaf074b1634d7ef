import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Random } from '@gasgauge/server';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCodexTree } from './testing/codex-rollouts.js';
import { generateGeminiTree } from './testing/gemini-chats.js';
import { generateOpencodeStore } from './testing/opencode-stores.js';
import { type Child, startGasgauge, stopAll, waitFor } from './testing/processes.js';
import {
  createTown,
  type InProcessServer,
  mintToken,
  removeDir,
  serverTotals,
  startTestServer,
  tempDir,
  tokenTotals,
} from './testing/server.js';
import { testBed } from './testing/test-bed.js';
import { expectedTokens, generateTree, writeTree } from './testing/transcripts.js';

const ALL = (src: string): Record<string, string[]> => ({
  claude: ['--claude-dir', join(src, 'claude')],
  codex: ['--codex-home', join(src, 'codex')],
  gemini: ['--gemini-dir', join(src, 'gemini')],
  opencode: ['--opencode-dir', join(src, 'opencode'), '--opencode-dir', join(src, 'kilo')],
  gastown: ['--gastown', join(src, 'town')],
});
/** Which sources to read (all by default); `GG_ONLY=codex,gemini` narrows a failure down to one. */
const ONLY = process.env.GG_ONLY?.split(',');
const SOURCE_ARGS = (src: string) => {
  const all = ALL(src);
  const on = Object.keys(all).filter((k) => !ONLY || ONLY.includes(k));
  return [
    ...on.flatMap((k) => all[k] ?? []),
    ...(['claude', 'codex', 'gemini', 'opencode'] as const).filter((k) => !on.includes(k)).map((k) => `--no-${k}`),
  ];
};

const FROM = Date.now() - 86_400_000;
/** Root may still be refused a mount (a container without CAP_SYS_ADMIN): tried once, on an empty dir. */
function canMount(): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  const probe = mkdtempSync(join(tmpdir(), 'gg-mount-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}
const CAN_MOUNT = canMount();
/** `GG_SEEDS=1,2,…,20` tries more moments. */
const SEEDS = process.env.GG_SEEDS ? process.env.GG_SEEDS.split(',').map(Number) : [1, 2, 3];

/**
 * `--once` holds its commits (Store.hold) and sends from memory. Killed with SIGKILL at random moments (several
 * times in a row, each run starting where the last committed), then run to completion, every source's records
 * reach the server exactly once: the town's totals equal those of a clean single run into another town.
 */
describe('gasgauge report --once killed at random moments, every file source', () => {
  const dir = tempDir('gg-once-killed-sources-');
  const children: Child[] = [];
  let server: InProcessServer;
  const src = join(dir, 'src');

  beforeAll(async () => {
    server = await startTestServer(dir, { tickMs: 200 });
    writeTree(join(src, 'claude'), generateTree({ seed: 5, agents: 3, sessionsPerAgent: 3, responsesPerSession: 600 }).files);
    writeTree(join(src, 'codex'), generateCodexTree({ seed: 5, agents: 3, sessionsPerAgent: 3, turnsPerSession: 300 }).files);
    for (const [rel, content] of generateGeminiTree({ seed: 5, projects: 3, chatsPerProject: 6, root: join(src, 'work') })
      .files) {
      mkdirSync(dirname(join(src, 'gemini', rel)), { recursive: true });
      writeFileSync(join(src, 'gemini', rel), content);
    }
    generateOpencodeStore(join(src, 'opencode'), { seed: 5, sessions: 20, messagesPerSession: 200 });
    generateOpencodeStore(join(src, 'kilo'), { seed: 6, tool: 'kilo', sessions: 10, messagesPerSession: 200 });
    const at = (s: number) => new Date(Date.now() - 3_600_000 + s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const ev = (s: number, type: string, actor: string, payload: object) =>
      JSON.stringify({ ts: at(s), source: 'gt', type, actor, payload, visibility: 'feed' });
    const lines: string[] = [];
    for (let i = 0; i < 3000; i++) {
      lines.push(ev(Math.floor(i / 3), 'sling', 'mayor', { bead: `gt-${i}`, target: `gastown/polecats/P${i % 4}` }));
      lines.push(ev(Math.floor(i / 3), 'hook', `gastown/polecats/P${i % 4}`, { bead: `gt-${i}` }));
      if (i % 3 === 0) lines.push(ev(Math.floor(i / 3), 'done', `gastown/polecats/P${i % 4}`, { bead: `gt-${i}` }));
    }
    mkdirSync(join(src, 'town'), { recursive: true });
    writeFileSync(join(src, 'town', '.events.jsonl'), `${lines.join('\n')}\n`);
  }, 120_000);
  afterAll(async () => {
    await stopAll(children);
    await server?.close();
    removeDir(dir);
  });

  async function town(name: string, stateDir?: string, serverUrl = server.url) {
    const townId = await createTown(server.url, server.adminToken, name);
    const tokenFile = join(dir, `token-${name}`);
    writeFileSync(tokenFile, `${await mintToken(server.url, server.adminToken, townId)}\n`);
    const state = stateDir ?? join(dir, `state-${name}`);
    const once = (sources = SOURCE_ARGS(src), extra: string[] = []) => {
      const c = startGasgauge([
        'report',
        '--once',
        '--json',
        ...extra,
        ...['--server', serverUrl, '--town', townId, '--token-file', tokenFile, '--state', state],
        ...sources,
      ]);
      children.push(c);
      return c;
    };
    // A fixed window: the generated trees start about three hours ago, the helper's default window moves with the clock.
    return {
      once,
      state,
      townId,
      tokenFile,
      url: serverUrl,
      totals: () => serverTotals(server.url, server.adminToken, townId, FROM, FROM + 2 * 86_400_000),
    };
  }

  let clean: Record<string, number>;
  it('a clean run', async () => {
    const t = await town('clean');
    const run = t.once();
    expect(await run.exited, run.output()).toBe(0);
    clean = await t.totals();
    expect(clean.input_tokens).toBeGreaterThan(0);
    if (!ONLY) expect(clean.events).toBeGreaterThan(0);
  }, 240_000);

  for (const seed of SEEDS) {
    it(`killed at random moments (seed ${seed}), then run to completion: the clean run's totals`, async () => {
      const random = new Random(seed);
      const t = await town(`killed-${seed}`);
      for (let k = 0; k < 6; k++) {
        const run = t.once();
        await new Promise((r) => setTimeout(r, random.int(100, 2000)));
        if (run.proc.exitCode !== null) break;
        await run.kill('SIGKILL');
      }
      const last = t.once();
      expect(await last.exited, last.output()).toBe(0);
      expect(await t.totals()).toEqual(clean);
    }, 240_000);
  }

  // A real full disk: a 4 MiB tmpfs under the state dir, filled up mid-run (skipped where this process cannot mount).
  it.skipIf(!CAN_MOUNT)(
    'a full disk under the state dir mid-run: exit 1 with the state error, and the next run delivers everything once',
    async () => {
      const mnt = join(dir, 'mnt');
      mkdirSync(mnt);
      // Room for the run after the full one: its held transaction's WAL grows with what one commit holds, more under load.
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=32m', 'tmpfs', mnt]);
      try {
        const t = await town('full', join(mnt, 'state'));
        const first = t.once(['--no-claude', '--no-codex', '--no-gemini', '--no-opencode']);
        expect(await first.exited, first.output()).toBe(0);
        // 300 KiB left: the held transaction's first commit (in an ack) finds the disk full.
        const { bavail, bsize } = statfsSync(mnt);
        writeFileSync(join(mnt, 'filler'), Buffer.alloc(bavail * bsize - 300 * 1024));
        const full = t.once();
        const code = await full.exited;
        const out = full.output();
        rmSync(join(mnt, 'filler'));
        // It said "delivered" and exited 0, its cursors rolled back.
        expect(out).toContain(`out of disk space in the reporter's state dir ${t.state}`);
        expect(code, out).toBe(1);
        const again = t.once();
        expect(await again.exited, again.output()).toBe(0);
        expect(await t.totals()).toEqual(clean);
      } finally {
        execFileSync('umount', [mnt]);
      }
    },
    240_000,
  );

  // A reader (`gasgauge status`, sqlite3) does not stop a held run (WAL); a writer's lock past the busy timeout ends it
  // with the state error, as a transaction() did before it held (hold() let a bare SqliteError out: "database is locked").
  for (const lock of ['read', 'write'] as const) {
    it(`another process holds a ${lock} transaction on the state file for 8 s`, async () => {
      const t = await town(`locked-${lock}`);
      const first = t.once(['--no-claude', '--no-codex', '--no-gemini', '--no-opencode']);
      expect(await first.exited, first.output()).toBe(0);
      const begin =
        lock === 'read' ? "db.exec('BEGIN'); db.prepare('SELECT count(*) FROM outbox').get();" : "db.exec('BEGIN IMMEDIATE');";
      const holder = spawn(
        process.execPath,
        [
          '-e',
          `const db = new (require('better-sqlite3'))(process.argv[1]); ${begin} console.log('held'); setTimeout(() => db.exec('COMMIT'), 8000);`,
          join(t.state, 'state.sqlite'),
        ],
        { cwd: join(__dirname, '..'), stdio: ['ignore', 'pipe', 'inherit'] },
      );
      // Listened for now: under load the run may outlast the holder's 8 s, and an exit already past is never heard.
      const holderExited = new Promise((r) => holder.once('exit', r));
      await new Promise((r) => holder.stdout?.once('data', r));
      const run = t.once();
      const code = await run.exited;
      if (lock === 'read') expect(code, run.output()).toBe(0);
      else {
        expect(code, run.output()).toBe(1);
        expect(run.output()).toContain('reporter state write failed: database is locked');
      }
      await holderExited;
      const again = t.once();
      expect(await again.exited, again.output()).toBe(0);
      expect(await t.totals()).toEqual(clean);
    }, 240_000);
  }

  it("with --max-outbox-mb 1 against a slow server, killed at random moments: the clean run's totals", async () => {
    const random = new Random(7);
    const proxy = await faultyProxy(server.url, random, { failures: false, delayMs: [100, 600] });
    try {
      const t = await town('small-outbox', undefined, proxy.url);
      for (let k = 0; k < 4; k++) {
        const run = t.once(undefined, ['--max-outbox-mb', '1']);
        await new Promise((r) => setTimeout(r, random.int(300, 4000)));
        if (run.proc.exitCode === null) await run.kill('SIGKILL');
      }
      proxy.faults = false;
      const last = t.once(undefined, ['--max-outbox-mb', '1']);
      expect(await last.exited, last.output()).toBe(0);
      expect(await t.totals()).toEqual(clean);
    } finally {
      await proxy.close();
    }
  }, 240_000);

  it('a running reporter (no --once) does not hold: its records are in the outbox table before the server answers', async () => {
    // A server that never answers: what the reporter read can only be in the committed outbox.
    const silent = createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const t = await town('running', undefined, `http://127.0.0.1:${(silent.address() as AddressInfo).port}`);
    const run = startGasgauge([
      'report',
      ...['--server', t.url, '--town', t.townId, '--token-file', t.tokenFile, '--state', t.state],
      ...SOURCE_ARGS(src),
    ]);
    children.push(run);
    try {
      await waitFor(
        () => `records in the outbox table; the reporter said: ${run.output()}`,
        () => {
          if (!existsSync(join(t.state, 'state.sqlite'))) return undefined;
          const db = new Database(join(t.state, 'state.sqlite'), { readonly: true });
          try {
            return (db.prepare('SELECT count(*) FROM outbox').pluck().get() as number) > 1000 ? true : undefined;
          } finally {
            db.close();
          }
        },
        60_000,
      );
    } finally {
      await run.kill('SIGKILL');
      silent.closeAllConnections();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  }, 120_000);

  for (const seed of SEEDS) {
    it(`through a proxy that fails, drops answers and is slow, killed or timed out (seed ${seed}): the clean run's totals`, async () => {
      const random = new Random(100 + seed);
      const proxy = await faultyProxy(server.url, random);
      try {
        const t = await town(`faulty-${seed}`, undefined, proxy.url);
        for (let k = 0; k < 5; k++) {
          const run = t.once(undefined, ['--timeout', '4']);
          const kill = random.int(0, 2);
          if (kill < 2) {
            await new Promise((r) => setTimeout(r, random.int(200, 3000)));
            if (run.proc.exitCode === null) await run.kill(kill === 0 ? 'SIGKILL' : 'SIGTERM');
          }
          const code = await run.exited;
          expect([0, 1, null], run.output()).toContain(code);
        }
        proxy.faults = false;
        const last = t.once();
        expect(await last.exited, last.output()).toBe(0);
        expect(await t.totals()).toEqual(clean);
      } finally {
        await proxy.close();
      }
    }, 240_000);
  }
});

/**
 * Past 16 MiB held, the store commits with the records not yet acknowledged written to the outbox (keeping their
 * seqs). A slow server keeps batches in flight when that happens, and the reporter is killed around it: still each
 * response once. Claude's streamed copies of a response replace one another while an earlier copy is in flight.
 */
describe('gasgauge report --once past 16 MiB held, against a slow server, killed', () => {
  const { dir, children, startServer } = testBed('gg-once-spill-');

  it('spills with batches in flight, and the next runs deliver every response exactly once', async () => {
    const server = await startServer({ tickMs: 200 });
    const claude = join(dir, 'claude');
    const tree = generateTree({ seed: 21, agents: 4, sessionsPerAgent: 4, responsesPerSession: 8000, stepMs: [5, 20] });
    writeTree(claude, tree.files);
    const random = new Random(21);
    const proxy = await faultyProxy(server.url, random, { failures: false, delayMs: [500, 1500] });
    const state = join(dir, 'state');
    const once = () => {
      const c = startGasgauge([
        'report',
        '--once',
        '--json',
        ...['--server', proxy.url, '--town', server.townId, '--token-file', server.tokenFile, '--state', state],
        ...['--claude-dir', claude, '--no-codex', '--no-gemini', '--no-opencode'],
      ]);
      children.push(c);
      return c;
    };
    const outboxRows = () => {
      const db = new Database(join(state, 'state.sqlite'), { readonly: true });
      try {
        return db.prepare('SELECT count(*) FROM outbox').pluck().get() as number;
      } finally {
        db.close();
      }
    };
    try {
      // Killed once the held records were written to the outbox (a spill committed), batches in flight.
      const first = once();
      await waitFor(
        () => `a spill to the outbox; the reporter said: ${first.output()}`,
        () => (existsSync(join(state, 'state.sqlite')) && outboxRows() > 0 ? true : undefined),
        120_000,
      );
      await first.kill('SIGKILL');
      for (let k = 0; k < 4; k++) {
        const run = once();
        await new Promise((r) => setTimeout(r, random.int(300, 4000)));
        if (run.proc.exitCode === null) await run.kill(k % 2 === 0 ? 'SIGKILL' : 'SIGTERM');
      }
      proxy.faults = false;
      const last = once();
      expect(await last.exited, last.output()).toBe(0);
      const t = await serverTotals(server.url, server.adminToken, server.townId, FROM, FROM + 2 * 86_400_000);
      expect(tokenTotals(t)).toEqual(expectedTokens(tree.expected));
    } finally {
      await proxy.close();
    }
  }, 300_000);
});

/**
 * An HTTP proxy to the server that, while `faults` is on, answers some requests 503, 429 (Retry-After) or 507
 * itself, forwards some and then drops the answer (the server has the records, the reporter does not know), and
 * delays the rest: the reporter holds records in memory while the server is unsure.
 */
async function faultyProxy(target: string, random: Random, opts: { failures?: boolean; delayMs?: [number, number] } = {}) {
  const state = { faults: true };
  const srv = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const roll = state.faults && opts.failures !== false ? random.int(0, 99) : 99;
      if (roll < 10) return void res.writeHead(503).end('{"error":"unavailable"}');
      if (roll < 15) return void res.writeHead(429, { 'retry-after': '1' }).end('{"error":"slow down"}');
      if (roll < 17) return void res.writeHead(507).end('{"error":{"message":"quota"}}');
      if (state.faults) await new Promise((r) => setTimeout(r, random.int(...(opts.delayMs ?? [0, 300]))));
      try {
        const up = await fetch(target + (req.url ?? ''), {
          method: req.method ?? 'GET',
          headers: Object.fromEntries(
            Object.entries(req.headers).filter(([k]) => !['host', 'connection', 'content-length'].includes(k)),
          ) as Record<string, string>,
          ...(req.method === 'GET' || req.method === 'HEAD' ? {} : { body: Buffer.concat(chunks) }),
        });
        const body = Buffer.from(await up.arrayBuffer());
        if (roll < 27) return void res.socket?.destroy();
        res.writeHead(up.status, { 'content-type': up.headers.get('content-type') ?? 'application/json' }).end(body);
      } catch {
        res.socket?.destroy();
      }
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
  return {
    url,
    set faults(on: boolean) {
      state.faults = on;
    },
    close: () => {
      srv.closeAllConnections();
      return new Promise<void>((r) => srv.close(() => r()));
    },
  };
}
