import { statSync } from 'node:fs';
import { BoundedMap } from '@gasgauge/core/bounded-map';
import type Database from 'better-sqlite3';
import type { AgentMap } from '../agents.js';
import { boundedId, digest, sessionField } from '../ids.js';
import type { Store } from '../outbox/store.js';
import type { RequestPriceList } from '../pricing/request.js';
import type { PricingOptions } from '../pricing/unpriced.js';
import { type StepResult, stepInGroups, type Until } from '../tail/commit-groups.js';
import { FileList, type WatchOptions } from '../tail/file-list.js';
import {
  atEnd,
  type FileState,
  fileState,
  type ReadOptions,
  readLines,
  resumeFrom,
  type SavedCursor,
  sameFile,
} from '../tail/jsonl.js';
import { fsPath, nameEndsWith } from '../tail/names.js';
import type { UsageRecord } from '../wire.js';
import { codexFastTier, rolloutFiles, rolloutRoots } from './files.js';
import { sessionHead } from './head.js';
import { CODEX_MARKERS, type CodexUsage, parseCodexLine } from './parse.js';
import {
  type CodexTurn,
  type ForkOf,
  feedLine,
  newRolloutState,
  type RolloutState,
  STATE_VERSION,
  settle,
  upgradeState,
} from './rollout.js';

export interface CodexSourceOptions extends WatchOptions, PricingOptions {
  store: Store;
  /** Codex homes (see codexHomes). */
  homes: readonly string[];
  agents: AgentMap;
  prices: RequestPriceList;
  /** How often the homes are listed again for new files (default 5 s). */
  rescanMs?: number;
  /** A sub-agent file whose first usage event is still held is settled after this long without change (default 60 s). */
  settleMs?: number;
  read?: ReadOptions;
  now?: () => number;
}

export interface CodexStats {
  files: number;
  /** Turns that produced a record (copies of one turn in several files included). */
  turns: number;
  /** Lines naming a usage type that were not JSON, or were too long to read. */
  malformed: number;
  bytes: number;
}

const SOURCE = 'codex';
const MARKERS = CODEX_MARKERS.map((m) => Buffer.from(m));
/** Parents' replayed turns kept in memory (the sub-agents of one parent share one). */
const MAX_CACHED_PREFIXES = 32;
/**
 * Their turns kept at most together (~75 bytes each in the heap: ~30 MB). The count alone allowed 32 prefixes of
 * MAX_PREFIX_TURNS each, ~240 MB: more than the reporter's whole footprint target (200 MB).
 */
const MAX_CACHED_PREFIX_TURNS = 400_000;
/** A parent's turns read at most for one fork: a replay longer than this is matched only this far. */
const MAX_PREFIX_TURNS = 100_000;
/** And of its file at most this many bytes (a real rollout is a few MB to tens of MB). */
const MAX_PREFIX_BYTES = 256 * 1024 * 1024;

/**
 * Tails Codex CLI rollout files. Each file is read from its saved offset; the running state a turn
 * depends on (the last cumulative totals, the model, the cwd, the sub-agent replay state) is saved in
 * `codex_files` in the same transaction as the offset and the records, so a restart resumes mid-file
 * with the same answers. A record's id is a digest of what ccusage dedupes turns by (time, model and the
 * five counts), so a turn copied into another file with its time (a resumed session) is one record, and a
 * file read again sends the same ids. A forked or sub-agent session's file begins with its parent's turns
 * under new times: those are skipped by ccusage's rule (RolloutState.replay), for which the parent's file is
 * found by the session id in every file's first line.
 */
export class CodexSource {
  readonly stats: CodexStats = { files: 0, turns: 0, malformed: 0, bytes: 0 };
  private fast = false;
  private readonly caughtUp = new Map<string, FileState>();
  /** Files whose first usage event is held (see settleIfQuiet). */
  private readonly holding = new Set<string>();
  private readonly fileList: FileList;
  private readonly now: () => number;
  private readonly getState: Database.Statement;
  private readonly putState: Database.Statement;
  private readonly endState: Database.Statement;
  /** The files listed at the last poll, and the session id each one's first line names (read when a parent is looked for). */
  private listed: readonly string[] = [];
  private readonly sessionFiles = new Map<string, string>();
  private readonly headRead = new Set<string>();
  /** A parent's turns up to a fork's time, by parent file and time. */
  private readonly prefixes = new BoundedMap<string, CodexUsage[]>(MAX_CACHED_PREFIXES, {
    max: MAX_CACHED_PREFIX_TURNS,
    of: (turns) => turns.length,
  });

  constructor(private readonly opts: CodexSourceOptions) {
    this.now = opts.now ?? Date.now;
    this.fileList = new FileList({
      ...opts,
      list: () => rolloutFiles(opts.homes),
      roots: () => rolloutRoots(opts.homes),
      accepts: (p) => nameEndsWith(p, '.jsonl'),
      now: this.now,
    });
    this.stats.malformed = opts.store.counter('codex.malformed');
    this.getState = opts.store.sql.prepare('SELECT state FROM codex_files WHERE path = ?');
    this.putState = opts.store.sql.prepare(
      'INSERT INTO codex_files (path, state) VALUES (?, ?) ON CONFLICT (path) DO UPDATE SET state = excluded.state',
    );
    this.endState = opts.store.sql.prepare(
      `SELECT c.ino, c.offset, c.mark, c.stamp, json_extract(f.state, '$.v') AS v, json_extract(f.state, '$.replay') AS replay
       FROM cursors c LEFT JOIN codex_files f ON f.path = c.path WHERE c.source = ? AND c.path = ?`,
    );
  }

  /** Reads everything new. False when it stopped early because the outbox is full. */
  async poll(): Promise<boolean> {
    const { files, count, rescanned } = this.fileList.current();
    // The priority tier lives in config.toml: read again whenever the files are listed again.
    if (rescanned) this.fast = codexFastTier(this.opts.homes);
    this.stats.files = count;
    this.listed = files;
    // A file holding a sub-agent's first event is looked at every poll until it settles, changed or not.
    const check = [...new Set([...files, ...this.holding])];
    return stepInGroups(this.opts.store, check, (path, budget, until) => this.readFile(path, budget, until), {
      fileBytes: this.fileList.passFileBytes,
      cut: (path) => this.fileList.again(path),
      left: (paths) => this.fileList.unread(paths),
    });
  }

  /** From now on, read files when they change (see FileList). */
  watch(): void {
    this.fileList.watch();
  }

  /** Its last poll left a file before its end (see PASS_FILE_BYTES): the next should come at once. */
  get behind(): boolean {
    return this.fileList.behind;
  }

  /** Why watching failed, when it did. */
  get watchFailure(): string | undefined {
    return this.fileList.watchFailure;
  }

  close(): void {
    this.fileList.close();
  }

  /** Reads up to about `budget` bytes of one file, inside the caller's transaction (see stepInGroups). */
  private readFile(path: string, budget: number, until: Until): StepResult {
    const now = fileState(path);
    if (!now) {
      this.caughtUp.delete(path);
      this.holding.delete(path);
      return { bytes: 0, done: true };
    }
    const st = { ...until(now), stamp: now.stamp };
    if (sameFile(this.caughtUp.get(path), st)) return { bytes: 0, done: true };
    const saved = this.endState.get(SOURCE, path) as SavedEnd | undefined;
    if (readToEnd(saved, st)) return { bytes: 0, done: true, committed: () => this.caughtUp.set(path, st) };
    const store = this.opts.store;
    // The cursor just read, not looked up a second time.
    let start = resumeFrom(store, SOURCE, path, st, { saved });
    let state = start === 0 ? undefined : this.loadState(path);
    if (!state) {
      start = 0;
      state = newRolloutState(this.forkOf(path));
    }
    const prefix = () => this.prefixOf(state);
    let offset = start;
    while (offset - start < budget) {
      if (store.holdReading) return { bytes: offset - start, done: true };
      const batch = readLines(path, offset, { ...this.opts.read, markers: MARKERS, until: st.size });
      if (!batch) break;
      let malformed = batch.oversized;
      for (const line of batch.lines) {
        const parsed = parseCodexLine(line);
        if (parsed === 'malformed') malformed++;
        for (const t of feedLine(state, parsed, prefix)) this.emit(t);
      }
      this.putState.run(path, JSON.stringify(state));
      store.addCounterIn('codex.malformed', malformed);
      store.setCursor(SOURCE, path, st.ino, batch.end, batch.mark, st.stamp);
      this.stats.malformed += malformed;
      this.stats.bytes += batch.end - offset;
      offset = batch.end;
      if (batch.caughtUp) break; // nothing follows: no second open to find that out
    }
    if (offset - start >= budget) return { bytes: offset - start, done: false };
    if (state.replay === 'one') {
      this.settleIfQuiet(path, state);
      const held = state.replay === 'one';
      return { bytes: offset - start, done: true, committed: () => this.hold(path, held) };
    }
    return { bytes: offset - start, done: true, committed: () => this.caughtUp.set(path, st) };
  }

  private hold(path: string, held: boolean): void {
    if (held) this.holding.add(path);
    else this.holding.delete(path);
  }

  /** A held first event (see RolloutState.replay) is counted once the file has been quiet for settleMs. */
  private settleIfQuiet(path: string, state: RolloutState): void {
    let mtime: number;
    try {
      mtime = statSync(fsPath(path)).mtimeMs;
    } catch {
      return;
    }
    if (this.now() - mtime < (this.opts.settleMs ?? 60_000)) return;
    this.opts.store.transaction(() => {
      for (const t of settle(state)) this.emit(t);
      this.putState.run(path, JSON.stringify(state));
    });
  }

  /** The state saved with the file's cursor; undefined: read the file again from its start (the ids make that safe). */
  private loadState(path: string): RolloutState | undefined {
    const raw = this.getState.pluck().get(path) as string | undefined;
    // No state (a state database from before this table), or one an older reporter saved mid-replay.
    return raw ? upgradeState(JSON.parse(raw)) : undefined;
  }

  /** The replay the file begins with, from its first line (see RolloutState.replay). */
  private forkOf(path: string): ForkOf {
    const head = sessionHead(path);
    if (!head?.parent) return undefined;
    return { parent: this.sessionFile(boundedId(head.parent)), forkedAt: head.at ?? null };
  }

  /**
   * The file whose first line names this session id; the files not looked at yet are read on a miss. Ids are
   * keys as boundedId makes them: a first line may be 1 MiB, and a map of 10,000 such ids would hold 10 GB.
   */
  private sessionFile(id: string): string | null {
    const known = this.sessionFiles.get(id);
    if (known !== undefined) return known;
    for (const path of this.listed) {
      if (this.headRead.has(path)) continue;
      this.headRead.add(path);
      const head = sessionHead(path);
      // The first file listed with an id keeps it (an archived copy comes after the active file).
      const key = head?.id === undefined ? undefined : boundedId(head.id);
      if (key !== undefined && !this.sessionFiles.has(key)) this.sessionFiles.set(key, path);
    }
    return this.sessionFiles.get(id) ?? null;
  }

  /**
   * The turns a fork's file replays: its parent's, as ccusage visits them (no replay of the parent's own
   * skipped), up to the first one after the fork. Read from the parent's file when first needed.
   */
  private prefixOf(state: RolloutState): readonly CodexUsage[] {
    if (state.parent === null) return [];
    const key = `${state.forkedAt ?? ''}:${state.parent}`;
    let prefix = this.prefixes.get(key);
    if (!prefix) {
      prefix = this.readTurns(state.parent, state.forkedAt);
      this.prefixes.set(key, prefix);
    }
    return prefix;
  }

  private readTurns(path: string, until: number | null): CodexUsage[] {
    const turns: CodexUsage[] = [];
    const state = newRolloutState(undefined);
    const none = () => [];
    let offset = 0;
    for (;;) {
      // Read in one go (no commit to yield at): bounded, or a parent made an 8 GiB sparse file held the thread 16 s.
      if (offset >= MAX_PREFIX_BYTES) return turns;
      const batch = readLines(path, offset, { ...this.opts.read, markers: MARKERS });
      if (!batch) return turns;
      for (const line of batch.lines) {
        for (const t of feedLine(state, parseCodexLine(line), none)) {
          if ((until !== null && t.at > until) || turns.length >= MAX_PREFIX_TURNS) return turns;
          turns.push(t.usage);
        }
      }
      offset = batch.end;
      if (batch.caughtUp) return turns;
    }
  }

  private emit(t: CodexTurn): void {
    const u = t.usage;
    const id = `codex:${digest(`${t.at}|${t.model}|${u.input}|${u.cached}|${u.output}|${u.reasoning}|${u.total}`)}`;
    const reasoning = Math.min(u.reasoning, u.output);
    if (u.input + u.output > 0 && !this.opts.prices.find(t.model)) this.opts.onUnpriced?.(t.model);
    const record: UsageRecord = {
      id,
      agentId: this.opts.agents.agentFor(t.cwd),
      model: boundedId(t.model),
      provider: 'openai',
      // Codex's input_tokens include the cached ones, and its output_tokens the reasoning ones: split, so
      // that the five amounts add up to what Codex counted and none includes another (docs/api.md).
      inputTokens: u.input - u.cached,
      outputTokens: u.output - reasoning,
      reasoningTokens: reasoning,
      cacheReadTokens: u.cached,
      cacheWriteTokens: 0,
      costMicrodollars: Math.max(
        0,
        Math.round(
          this.opts.prices.cost(t.model, { input: u.input - u.cached, cached: u.cached, output: u.output }, this.fast) * 1e6,
        ),
      ),
      at: t.at,
      ...sessionField(t.session),
    };
    this.opts.store.enqueue('usage', id, record, 'replace');
    this.stats.turns++;
  }
}

/** A file's saved cursor, with what its saved state says of itself (null: no state saved). */
interface SavedEnd extends SavedCursor {
  v: unknown;
  replay: unknown;
}

/**
 * Whether an earlier process read the file to its end (its cursor at its size, same inode and stamp) with a current state
 * that holds no first event to settle: nothing to read, and no state to load and parse (a `--once` over 4,470
 * unchanged rollouts spent most of its ~0.3 s doing that).
 */
function readToEnd(saved: SavedEnd | undefined, st: FileState): boolean {
  return saved !== undefined && atEnd(saved, st) && saved.v === STATE_VERSION && saved.replay !== 'one';
}
