import { type Stats, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { gastownIdentity } from './agents.js';
import { guardClosedPipes, onOutputClosed, outputWasClosed } from './closed-pipe.js';
import { ConfigError, isDiskFull, StateError } from './errors.js';
import type { Worktree } from './git/poller.js';
import { keepHeapSmall } from './heap.js';
import { checkIngest } from './http/check.js';
import { TokenSource, tokenFileWarning } from './http/token.js';
import { boundedId } from './ids.js';
import { opencodeCredentials } from './opencode/attach.js';
import { namedStoresOf, STORE_VARIABLE } from './opencode/files.js';
import { otelOverlaps } from './otel-overlap.js';
import { canonicalPath, expandHome } from './paths.js';
import { groupDigits, plural } from './plural.js';
import { type FoundFiles, type FoundSource, Reporter, type ReporterOptions, type Told, unreadableReason } from './reporter.js';
import { StatusLine } from './status.js';
import { unreadable } from './tail/walk.js';
import { shown } from './terminal.js';
import { characters, MAX_ID_LENGTH } from './wire.js';

// biome-ignore lint/plugin/no-string-keys: parseArgs' values, read by the option names in code; parseArgs (strict) refuses any other
export type ReportValues = Record<string, string | boolean | string[] | undefined>;

export interface CliIo {
  json: boolean;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM/SIGHUP). */
  stopSignal?: Promise<void>;
}

/** Every town id a server makes (`town_` and 12 of 0-9 a-z), and no more than the API's 64 characters: a path component. */
const TOWN_ID = /^[A-Za-z0-9_-]{1,64}$/;

function req(values: ReportValues, name: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '') throw new ConfigError(`--${name} is required`);
  return v;
}

function list(values: ReportValues, name: string): string[] {
  const v = values[name];
  if (v === undefined || typeof v === 'boolean') return [];
  return Array.isArray(v) ? v : [v];
}

/**
 * The bounds of the reporter's number options (the README's options table says them). Below the low ones a
 * value did harm: `--max-outbox-mb 0.0000001` rounded to a 0-byte outbox, full while empty, and `--once` then
 * waited forever, past its --timeout; `--loc-interval 0.001` ran git in every worktree every millisecond.
 */
export const NUMBER_OPTIONS = {
  timeout: { fallback: 600, min: 1, max: 604_800, unit: 'seconds' },
  'loc-interval': { fallback: 30, min: 1, max: 86_400, unit: 'seconds' },
  'max-outbox-mb': { fallback: 256, min: 1, max: 1_048_576, unit: 'MiB' },
} as const;

function numberOption(values: ReportValues, name: keyof typeof NUMBER_OPTIONS): number {
  const { fallback, min, max, unit } = NUMBER_OPTIONS[name];
  const v = values[name];
  if (v === undefined) return fallback;
  const n = typeof v === 'string' && /^\d+(\.\d+)?$/.test(v) ? Number(v) : Number.NaN;
  if (!(n >= min && n <= max)) {
    throw new ConfigError(
      `--${name} must be a number of ${unit} from ${min} to ${groupDigits(max)}, not ${JSON.stringify(String(v))} (default ${fallback})`,
    );
  }
  return n;
}

/** A directory given on the command line: `~` expanded, absolute, symlinks resolved (see canonicalPath). */
export function localDir(value: string): string {
  return canonicalPath(expandHome(value));
}

/**
 * The AGENT of `--worktree AGENT=PATH` or `--agent AGENT=PATH`, as given, if the server takes it as an agent id
 * (1 to 256 characters). A longer one was taken: its lines-of-code reports were quarantined every interval, and
 * its transcripts' usage went out under a digest (`sha:…`) in place of the name typed.
 */
function namedAgent(option: string, value: string, agentId: string): string {
  const n = characters(agentId);
  if (n > MAX_ID_LENGTH) {
    const given = value.length > 80 ? `${value.slice(0, 80)}…` : value;
    throw new ConfigError(
      `--${option} ${JSON.stringify(given)}: AGENT is ${plural(groupDigits(n), 'character')}; an agent id is 1 to ${MAX_ID_LENGTH}`,
    );
  }
  return agentId;
}

/** `AGENT=PATH` or `PATH` (the agent then named after the path). `~/…` is expanded in both. */
export function parseWorktree(value: string, gastownRoot: string | undefined): Worktree {
  const eq = value.indexOf('=');
  // An empty PATH resolved to the current directory: `--worktree a=` measured wherever the reporter was started.
  if (value.slice(eq + 1) === '')
    throw new ConfigError(`--worktree must look like [AGENT=]PATH, not ${JSON.stringify(value)}: PATH is empty`);
  if (eq > 0) return { agentId: namedAgent('worktree', value, value.slice(0, eq)), path: localDir(value.slice(eq + 1)) };
  const path = localDir(value.startsWith('=') ? value.slice(1) : value);
  if (gastownRoot) {
    const rel = relative(localDir(gastownRoot), path);
    const id = rel.startsWith('..') || isAbsolute(rel) ? undefined : gastownIdentity(rel.split(sep));
    // Bounded as the transcripts' agent of the same directory is (AgentMap), so the two still meet on one id.
    if (id) return { agentId: boundedId(id), path };
  }
  return { agentId: boundedId(basename(path)), path };
}

/**
 * An http(s) URL. `new URL` alone takes `localhost:8787` (scheme `localhost:`), which no request can reach:
 * `--once` then retried it as an unanswered server until its timeout.
 */
function isHttpUrl(value: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

/** `value` with what stands before an `@` in its authority (a user and password) masked: it is repeated in an error. */
function withoutUserInfo(value: string): string {
  return value.replace(/^([^/]*\/\/)[^/@]*@/, '$1…@');
}

/** Servers `--opencode` attaches to at most (the README's options table and --help say so). */
export const MAX_OPENCODE_SERVERS = 16;

/** `--opencode URL[,URL…]` (repeatable): http(s) URLs of running OpenCode / Kilo servers. */
function opencodeUrls(values: ReportValues): string[] {
  const urls = list(values, 'opencode')
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
  for (const u of urls) {
    if (!isHttpUrl(u)) throw new ConfigError(`--opencode must be a URL like http://127.0.0.1:4096, not "${withoutUserInfo(u)}"`);
  }
  const unique = [...new Set(urls)];
  if (unique.length > MAX_OPENCODE_SERVERS)
    throw new ConfigError(`--opencode takes at most ${MAX_OPENCODE_SERVERS} servers, not ${unique.length}`);
  return unique;
}

/**
 * `--state`'s default: XDG_STATE_HOME/gasgauge/reporter-TOWN, else ~/.local/state/…. An empty or relative
 * XDG_STATE_HOME is ignored, as the XDG spec says: taken as it was, it put the outbox under the current
 * directory, so the next start from another directory began afresh and read every transcript again.
 */
export function defaultStateDir(townId: string, env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_STATE_HOME;
  const stateHome = xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.local', 'state');
  return join(stateHome, 'gasgauge', `reporter-${townId}`);
}

/**
 * What is wrong with a directory named on the command line, if anything: not there (yet), or there and
 * unusable. A symlink loop or a parent without permission was "no such directory (yet)", which it never becomes.
 */
type DirProblem = { kind: 'missing' } | { kind: 'not-a-directory' | 'unreadable'; problem: string; why?: string | undefined };

/** `why`: what a source's walk would say of it (Told.why), when `unreadable` finds it so; handed to the Reporter. */
function dirProblem(dir: string): DirProblem | undefined {
  const err = unreadable(dir, true);
  const why = err && unreadableReason(err);
  if (err?.code === 'ENOTDIR') return { kind: 'not-a-directory', problem: notADirectory(dir), why };
  if (why) return { kind: 'unreadable', problem: `cannot read it: ${why}`, why };
  try {
    statSync(dir);
    return undefined;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    return { kind: 'unreadable', problem: `cannot read it: ${unreadableReason(e as NodeJS.ErrnoException)}` };
  }
}

/**
 * The one line saying what is wrong with the directory `--option value` names, what is left undone for it (`undone`),
 * and what to do (`usable`: what to name in place of a file). One that is there and unusable is told to the Reporter
 * (ReporterOptions.told), whose sources and poller then say none of it again.
 */
function dirLine(option: string, value: string, found: DirProblem, undone: string, usable: string): string {
  const what = `WARNING: --${option} ${value}`;
  if (found.kind === 'missing') return `${what}: no such directory (yet); ${undone} until it exists: check the path`;
  if (found.kind === 'not-a-directory') return `${what}: ${found.problem}; ${undone}: name ${usable}`;
  return `${what}: ${found.problem}; ${undone} until it can be`;
}

/** A path that is no directory, or under something that is none, in words: which it is. */
function notADirectory(dir: string): string {
  try {
    return `it is ${fileKind(statSync(dir))}, not a directory`;
  } catch {
    return 'a part of that path is a file, not a directory';
  }
}

/**
 * What is wrong with the store OPENCODE_DB or KILO_DB names (see opencodeNamedStores), if anything: there but no regular
 * file (a FIFO, a device, a directory: never opened, as a FIFO would block SQLite's open), or not there in any data dir
 * it is looked for in (yet: the tool creates it on first use). Else such a name was passed over without a word, and a
 * `--once` delivered nothing and exited 0. One that cannot be looked at (a symlink loop) is said at every poll instead.
 */
function namedStoreProblems(env: NodeJS.ProcessEnv): string[] {
  const out: string[] = [];
  for (const tool of ['opencode', 'kilo'] as const) {
    const name = STORE_VARIABLE[tool];
    const value = env[name];
    const paths = namedStoresOf(tool, env);
    let missing = 0;
    for (const path of paths) {
      try {
        const st = statSync(path);
        if (!st.isFile()) out.push(`${name}=${value}: ${path} is ${fileKind(st)}, not an SQLite file; it is not read`);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') missing++;
      }
    }
    if (paths.length > 0 && missing === paths.length)
      out.push(`${name}=${value}: no such file (yet) at ${paths.join(', ')}; nothing is read from it until it exists`);
  }
  return out;
}

function fileKind(st: Stats): string {
  if (st.isFile()) return 'a file';
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'no regular file';
}

export function reporterOptions(values: ReportValues, log: (line: string) => void): ReporterOptions {
  const serverUrl = req(values, 'server');
  if (!isHttpUrl(serverUrl)) {
    throw new ConfigError(`--server must be a URL like http://127.0.0.1:8787, not "${serverUrl}"`);
  }
  const townId = req(values, 'town');
  // The default state dir is named after it: `--town ../x` made one outside XDG_STATE_HOME/gasgauge.
  if (!TOWN_ID.test(townId)) {
    throw new ConfigError(
      `--town must be a town id like town_0123456789ab (1 to 64 of A-Z a-z 0-9 _ -, as gasgauge town list prints), not ${JSON.stringify(townId)}`,
    );
  }
  const gastownRoot = typeof values.gastown === 'string' ? localDir(values.gastown) : undefined;
  const agentPaths = list(values, 'agent').map((v) => {
    const eq = v.indexOf('=');
    if (eq <= 0 || eq === v.length - 1) throw new ConfigError(`--agent must look like AGENT=PATH, not "${v}"`);
    return { agentId: namedAgent('agent', v, v.slice(0, eq)), path: localDir(v.slice(eq + 1)) };
  });
  // A named directory that is not there (a typo, or an agent that has not started yet) is read once it appears;
  // say so, or a `--once` on a mistyped path delivers nothing and exits 0 without a word. One that is there and
  // unusable (a file, mode 000, a symlink loop) is said here, naming the option, and by no source again (told).
  const told: Told[] = [];
  const said = new Set<string>();
  const say = (line: string) => {
    if (!said.has(line)) log(line);
    said.add(line);
  };
  for (const [option, off] of [
    ['claude-dir', 'no-claude'],
    ['codex-home', 'no-codex'],
    ['gemini-dir', 'no-gemini'],
    ['opencode-dir', 'no-opencode'],
    ['gastown', undefined],
  ] as const) {
    if (off !== undefined && values[off] === true) continue;
    for (const dir of list(values, option)) {
      const found = dirProblem(expandHome(dir));
      if (found === undefined) continue;
      if (found.kind !== 'missing') told.push({ path: resolve(expandHome(dir)), why: found.why });
      say(dirLine(option, dir, found, 'nothing is read from it', option === 'gastown' ? 'the Gas Town root' : 'the directory'));
    }
  }
  if (values['no-opencode'] !== true && list(values, 'opencode-dir').length === 0)
    for (const line of namedStoreProblems(process.env)) say(`WARNING: ${line}`);
  // A worktree that is not there reports 0/0 lines as a removed one does (the server may hold its last report from an
  // earlier run): a typo would go unnoticed. Said here, naming the option; the poller then says none of it again (told).
  const worktrees = list(values, 'worktree').map((w) => {
    const worktree = parseWorktree(w, gastownRoot);
    const found = dirProblem(worktree.path);
    if (found !== undefined) {
      told.push({ path: worktree.path });
      say(
        found.kind === 'missing'
          ? `WARNING: --worktree ${w}: no such directory (yet); its lines of code are reported as 0/0 once (as a removed worktree's), then not until it exists: check the path`
          : dirLine('worktree', w, found, 'no lines of code are reported for it', "the worktree's directory"),
      );
    }
    return worktree;
  });
  const maxMb = values['max-outbox-mb'] === undefined ? undefined : numberOption(values, 'max-outbox-mb');
  return {
    serverUrl,
    townId,
    tokenFile: resolve(expandHome(req(values, 'token-file'))),
    tokenCommand: typeof values['token-command'] === 'string' ? values['token-command'] : undefined,
    stateDir: typeof values.state === 'string' ? resolve(expandHome(values.state)) : defaultStateDir(townId),
    claude: values['no-claude'] !== true,
    claudeDirs: list(values, 'claude-dir'),
    codex: values['no-codex'] !== true,
    codexHomes: list(values, 'codex-home'),
    gemini: values['no-gemini'] !== true,
    geminiDirs: list(values, 'gemini-dir'),
    opencode: values['no-opencode'] !== true,
    opencodeDirs: list(values, 'opencode-dir'),
    opencodeUrls: opencodeUrls(values),
    opencodeCredentials: opencodeCredentials(process.env),
    worktrees,
    base: typeof values.base === 'string' ? values.base : undefined,
    gastownRoot,
    agentPaths,
    locIntervalMs: numberOption(values, 'loc-interval') * 1000,
    told,
    ...(maxMb === undefined ? {} : { maxPendingBytes: Math.round(maxMb * 2 ** 20) }),
    log,
  };
}

const FOUND_NOUNS: Record<FoundSource, [string, string]> = {
  claude: ['Claude Code transcript', 'Claude Code transcripts'],
  codex: ['Codex CLI session', 'Codex CLI sessions'],
  gemini: ['Gemini CLI chat', 'Gemini CLI chats'],
  opencode: ['OpenCode/Kilo store', 'OpenCode/Kilo stores'],
};

/**
 * `--once`'s account of what its sources found: `found 3 Claude Code transcripts, 1 Codex CLI session`; with
 * nothing at all, where it looked, so a first run on the wrong HOME or user does not end at `delivered: 0` alone.
 */
export function foundLine(found: readonly FoundFiles[]): string {
  if (found.length === 0)
    return 'found no agent CLI files: the four are off (--no-claude, --no-codex, --no-gemini, --no-opencode)';
  if (found.some((f) => f.files > 0)) {
    return `found ${found.map((f) => plural(groupDigits(f.files), ...FOUND_NOUNS[f.source])).join(', ')}`;
  }
  const where = found.map((f) => `${FOUND_NOUNS[f.source][1]} in ${f.dirs.join(', ') || '(no directory)'}`).join('; ');
  return `found no agent CLI files: looked for ${where} (name others with --claude-dir, --codex-home, --gemini-dir, --opencode-dir)`;
}

/**
 * A full disk as the user can act on it: the reporter's state dir is theirs to free, and the one place
 * to name (not the server's data dir; not a retry, which would fail the same way). Other errors as they are.
 */
function inStateDir(err: unknown, stateDir: string): unknown {
  if (!isDiskFull(err)) return err;
  return new StateError(
    `out of disk space in the reporter's state dir ${stateDir}: free some space and run it again (what was not saved yet is read again)`,
    { cause: err },
  );
}

/** `gasgauge report`: runs until SIGINT/SIGTERM/SIGHUP, or with --once until everything is delivered. Returns the exit code. */
export async function runReportCli(values: ReportValues, io: CliIo): Promise<number> {
  let reporter: Reporter | undefined;
  keepHeapSmall();
  // A closed stdout or stderr (`| head`, a log reader gone) stops the reporter as SIGTERM does, without a stack
  // trace: what is not acknowledged stays in the outbox, and the command ends with status 141.
  guardClosedPipes([io.stdout, io.stderr]);
  const unregister = onOutputClosed(() => reporter?.stop());
  try {
    return await reportCli(values, io, (r) => {
      reporter = r;
      if (outputWasClosed()) r.stop();
    });
  } finally {
    unregister();
  }
}

/** Options of which one has no effect beside the other: said, where it was ignored in silence. */
export function ignoredOptions(values: ReportValues): string[] {
  const out: string[] = [];
  for (const [dir, off] of [
    ['claude-dir', 'no-claude'],
    ['codex-home', 'no-codex'],
    ['gemini-dir', 'no-gemini'],
    ['opencode-dir', 'no-opencode'],
  ] as const) {
    if (values[off] === true && values[dir] !== undefined) out.push(`--${dir} is ignored: --${off} reads nothing there`);
  }
  if (values.timeout !== undefined && values.once !== true) {
    out.push('--timeout is ignored: it bounds --once only (a running reporter retries for as long as it runs)');
  }
  return out;
}

async function reportCli(values: ReportValues, io: CliIo, started: (reporter: Reporter) => void): Promise<number> {
  let reporter: Reporter | undefined;
  const status = new StatusLine(io.stderr, () => (reporter as Reporter).status());
  for (const line of ignoredOptions(values)) status.log(`WARNING: ${line}`);
  const opts = reporterOptions(values, (line) => status.log(line));
  const timeoutSeconds = values.once === true ? numberOption(values, 'timeout') : undefined;
  for (const warning of otelOverlaps(opts)) status.log(`WARNING: ${warning}`);
  // --once ends when what exists now is delivered; a live server's stream never ends, and was ignored in silence.
  if (values.once === true && (opts.opencodeUrls ?? []).length > 0) {
    throw new ConfigError(
      '--opencode follows running servers and does not work with --once: their stores are read with --opencode-dir',
    );
  }
  const tokens = new TokenSource({ file: opts.tokenFile });
  try {
    await tokens.get();
  } catch (err) {
    // Fail at once rather than retry a token that cannot be read.
    throw new ConfigError((err as Error).message, { cause: err });
  }
  const exposed = tokenFileWarning(opts.tokenFile);
  if (exposed) status.log(`WARNING: ${exposed}`);
  try {
    reporter = new Reporter(opts);
  } catch (err) {
    throw inStateDir(err, opts.stateDir);
  }
  started(reporter);
  status.start();
  try {
    if (values.once === true) {
      const deadline = Date.now() + (timeoutSeconds ?? NUMBER_OPTIONS.timeout.fallback) * 1000;
      // SIGINT during --once: stop delivering; what is not acknowledged stays in the outbox.
      io.stopSignal?.then(() => reporter?.stop());
      const malformedBefore = reporter.malformed();
      const result = await reporter.runOnce(deadline);
      status.stop();
      // Nothing was sent, so nothing proved the server, the town or the token: a first run would say
      // "delivered" against a wrong URL or a stopped server.
      if (result.delivered && reporter.sender.state.sent === 0) {
        const why = await checkIngest(opts.serverUrl, opts.townId, await tokens.get());
        if (why !== undefined) {
          result.delivered = false;
          result.error = `nothing to send, and checking --server, --town and --token-file failed: ${why}`;
        }
      }
      const found = reporter.found();
      // A source that is off is left out (undefined).
      const files = (source: FoundSource) => found.find((f) => f.source === source)?.files;
      // What this run skipped as malformed (not JSON, over a bound), per source that is on: counted, and now said.
      const malformedAfter = reporter.malformed();
      const skipped = (source: FoundSource) => {
        const after = malformedAfter.get(source);
        return after === undefined ? undefined : after - (malformedBefore.get(source) ?? 0);
      };
      const summary = {
        ...result,
        sent: reporter.sender.state.sent,
        deadLetterFile: reporter.store.deadLetterFile,
        found: { claude: files('claude'), codex: files('codex'), gemini: files('gemini'), opencode: files('opencode') },
        malformed: {
          claude: skipped('claude'),
          codex: skipped('codex'),
          gemini: skipped('gemini'),
          opencode: skipped('opencode'),
        },
      };
      if (io.json) io.stdout.write(`${JSON.stringify(summary)}\n`);
      else {
        io.stderr.write(`${shown(foundLine(found))}\n`);
        const malformed = (['claude', 'codex', 'gemini', 'opencode'] as const).flatMap((source) => {
          const n = skipped(source) ?? 0;
          return n > 0 ? [`${FOUND_NOUNS[source][1]} ${groupDigits(n)}`] : [];
        });
        if (malformed.length > 0)
          io.stderr.write(`skipped as malformed (lines not JSON, or past a bound): ${malformed.join(', ')}\n`);
        const unread =
          result.unreadable.length > 0
            ? ` (${plural(result.unreadable.length, 'path')} could not be read: see the warnings above)`
            : '';
        const line = result.delivered
          ? `delivered: ${plural(groupDigits(summary.sent), 'record')} acknowledged${result.quarantined ? `, ${result.quarantined} quarantined in ${summary.deadLetterFile}` : ''}${unread}`
          : result.pending === 0
            ? `not delivered: ${result.error ?? 'unknown'}`
            : `not delivered: ${plural(groupDigits(result.pending), 'record')} still pending (${result.error ?? 'unknown'}); they stay in ${opts.stateDir}`;
        io.stderr.write(`${shown(line)}\n`);
      }
      if (!result.delivered) return 1;
      return result.quarantined > 0 ? 3 : 0;
    }
    const running = reporter.run(() => status.log(foundLine(reporter?.found() ?? [])));
    await Promise.race([running, io.stopSignal ?? new Promise<void>(() => {})]);
    reporter.stop();
    await running;
    status.stop();
    // Its last line says what a next start finds, as serve's 'stopped' does: a stop was silent, the log ending
    // on whatever the reporter said last (an operator could not tell a stop from a hang).
    const { pending } = reporter.status();
    if (!outputWasClosed()) {
      io.stderr.write(
        `${shown(pending === 0 ? 'stopped: nothing waits in the outbox' : `stopped: ${plural(groupDigits(pending), 'record')} not yet acknowledged ${pending === 1 ? 'stays' : 'stay'} in ${opts.stateDir} for the next start`)}\n`,
      );
    }
    return 0;
  } catch (err) {
    throw inStateDir(err, opts.stateDir);
  } finally {
    status.stop();
    reporter.close();
  }
}
