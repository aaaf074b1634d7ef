import { statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type Database from 'better-sqlite3';
import type { AgentMap } from '../agents.js';
import { boundedId, digest, sessionField } from '../ids.js';
import { CommittedMap } from '../outbox/committed-map.js';
import type { Store } from '../outbox/store.js';
import type { RequestPriceList } from '../pricing/request.js';
import type { PricingOptions } from '../pricing/unpriced.js';
import { readSmallFile } from '../small-file.js';
import { type StepResult, stepInGroups, type Until } from '../tail/commit-groups.js';
import { FileList, type WatchOptions } from '../tail/file-list.js';
import { atEnd, type FileState, type ReadOptions, readLines, resumeFrom, sameFile, stampOf } from '../tail/jsonl.js';
import { fsPath, nameEndsWith } from '../tail/names.js';
import type { OnUnreadable } from '../tail/walk.js';
import type { UsageRecord } from '../wire.js';
import { chatFiles } from './files.js';
import {
  feedGeminiJsonl,
  type GeminiEvent,
  type GeminiJsonlState,
  newGeminiJsonlState,
  parseGeminiJson,
  recentNames,
  unnamedId,
} from './parse.js';

export interface GeminiSourceOptions extends WatchOptions, PricingOptions {
  store: Store;
  /** Gemini data dirs (see geminiDataDirs). */
  dirs: readonly string[];
  agents: AgentMap;
  prices: RequestPriceList;
  /** How often the dirs are listed again for new files (default 5 s). */
  rescanMs?: number;
  /** A bigger `.json` chat is skipped and counted as malformed (default 64 MiB). */
  maxFileBytes?: number;
  /** How `.jsonl` chats are read (batch size, longest line). */
  read?: ReadOptions;
  now?: () => number;
}

export interface GeminiStats {
  files: number;
  responses: number;
  /** Files (or `.jsonl` lines) that were not JSON, `.json` files over the size limit, `.jsonl` lines over the line limit. */
  malformed: number;
  /** Bytes read: `.json` chats whole, `.jsonl` chats from where they were read up to. */
  bytes: number;
}

const SOURCE = 'gemini';
/** Record bodies remembered as sent (~350 bytes each): a chat rewritten whole re-sends none of its unchanged responses up to this many. */
const MAX_SENT = 20_000;

/**
 * Reads Gemini CLI chats. Gemini CLI rewrites a `.json` chat whole after every message, so such a file is
 * read again whole whenever its identity, size or stamp (mtime, ctime) changed; it appends to a `.jsonl`
 * chat, so that is tailed from its saved offset like a Claude transcript (a replaced or truncated one is
 * read again from its start), with what a line carries to the next (session, model, the names of responses without an id)
 * saved in `gemini_files` in the same transaction as the offset. Each response becomes a cumulative record
 * keyed by its session and message id: reading a file again sends the same ids, and a response whose
 * counts grew (a `.jsonl` update of the same id) replaces its record. What was last read of each file
 * (inode and offset) is saved with its records, so a restart skips what it took in.
 */
export class GeminiSource {
  readonly stats: GeminiStats = { files: 0, responses: 0, malformed: 0, bytes: 0 };
  private readonly fileList: FileList;
  private readonly now: () => number;
  /** Each `.json` file's identity, size and stamp (mtime and ctime) when last read. */
  private readonly read = new Map<string, FileState>();
  /** The body last enqueued per record id this run: unchanged responses of a rewritten file are not sent again. */
  private readonly sent: CommittedMap<string, string>;
  /** Malformed `.json` files at their last read: a file read again counts only a new one. */
  private readonly malformedIn = new Map<string, number>();
  /** Identity, size and stamp of each `.jsonl` chat when it was last read to its end: an unchanged file costs one stat. */
  private readonly caughtUp = new Map<string, FileState>();
  private readonly getState: Database.Statement;
  private readonly hasState: Database.Statement;
  private readonly putState: Database.Statement;

  constructor(private readonly opts: GeminiSourceOptions) {
    this.now = opts.now ?? Date.now;
    this.sent = new CommittedMap(opts.store, MAX_SENT);
    this.fileList = new FileList({
      ...opts,
      list: () => chatFiles(opts.dirs),
      roots: () => [...opts.dirs],
      accepts: (p) => nameEndsWith(p, '.json') || nameEndsWith(p, '.jsonl'),
      now: this.now,
    });
    this.stats.malformed = opts.store.counter('gemini.malformed');
    this.getState = opts.store.sql.prepare('SELECT state FROM gemini_files WHERE path = ?').pluck();
    this.hasState = opts.store.sql.prepare('SELECT 1 FROM gemini_files WHERE path = ?').pluck();
    this.putState = opts.store.sql.prepare(
      'INSERT INTO gemini_files (path, state) VALUES (?, ?) ON CONFLICT (path) DO UPDATE SET state = excluded.state',
    );
  }

  /** Reads everything new. False when it stopped early because the outbox is full (backpressure). */
  async poll(): Promise<boolean> {
    const { files, count } = this.fileList.current();
    this.stats.files = count;
    return stepInGroups(
      this.opts.store,
      files,
      (path, budget, until) => (nameEndsWith(path, '.jsonl') ? this.tail(path, budget, until) : this.readWhole(path)),
      {
        fileBytes: this.fileList.passFileBytes,
        cut: (path) => this.fileList.again(path),
        left: (paths) => this.fileList.unread(paths),
      },
    );
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

  /** Reads a `.json` chat whole when it changed, inside the caller's transaction (see stepInGroups). */
  private readWhole(path: string): StepResult {
    let st: import('node:fs').Stats;
    try {
      st = statSync(fsPath(path));
    } catch {
      this.read.delete(path);
      return { bytes: 0, done: true };
    }
    const seen: FileState = { ino: st.ino, size: st.size, stamp: stampOf(st) };
    if (sameFile(this.read.get(path), seen)) return { bytes: 0, done: true };
    const store = this.opts.store;
    const cursor = store.cursor(SOURCE, path);
    // First look this run: a file unchanged since the saved read (same inode, size and stamp) was taken in already.
    // Another stamp at the same size is a chat rewritten to the same size (a response's counts changed digit for
    // digit): read again whole, its unchanged responses sending nothing new.
    if (!this.read.has(path) && atEnd(cursor, seen)) {
      this.read.set(path, seen);
      return { bytes: 0, done: true };
    }
    let events: GeminiEvent[] | undefined;
    let malformed = 0;
    let content: string | undefined;
    try {
      content = readSmallFile(path, this.opts.maxFileBytes ?? 64 * 1024 * 1024);
    } catch {
      this.read.delete(path); // Gone since the stat.
      return { bytes: 0, done: true };
    }
    if (content === undefined) malformed = 1;
    else {
      events = parseGeminiJson(content, basename(path).replace(/\.json$/, ''), st.mtimeMs);
      // A .json caught mid-rewrite is not JSON yet: read it again when it changes, count nothing.
      if (events === undefined && content.trim() !== '') malformed = 1;
    }
    const cwd = projectRoot(path, this.opts.onUnreadable);
    const newlyMalformed = Math.max(0, malformed - (this.malformedIn.get(path) ?? 0));
    const recent = recentNames();
    for (const e of events ?? []) this.emit(e.id === undefined ? unnamedId(e, recent) : eventId(e), e, cwd);
    store.addCounterIn('gemini.malformed', newlyMalformed);
    store.setCursor(SOURCE, path, st.ino, st.size, undefined, seen.stamp);
    this.stats.malformed += newlyMalformed;
    const bytes = content === undefined ? 0 : st.size;
    this.stats.bytes += bytes;
    return {
      bytes,
      done: true,
      committed: () => {
        this.malformedIn.set(path, malformed);
        this.read.set(path, seen);
      },
    };
  }

  /**
   * Reads up to about `budget` bytes of a `.jsonl` chat from where it was read up to, inside the caller's
   * transaction (see stepInGroups): complete lines only, a batch at a time, each batch's records, state and
   * offset saved together.
   */
  private tail(path: string, budget: number, until: Until): StepResult {
    let now: import('node:fs').Stats;
    try {
      now = statSync(fsPath(path));
    } catch {
      this.caughtUp.delete(path);
      return { bytes: 0, done: true };
    }
    if (!now.isFile()) return { bytes: 0, done: true };
    const st = { ...until(now), stamp: stampOf(now), mtimeMs: now.mtimeMs };
    if (sameFile(this.caughtUp.get(path), st)) return { bytes: 0, done: true };
    const store = this.opts.store;
    // Read to its end by an earlier process (same inode, cursor at its size, its state saved): nothing to read,
    // no state to load, no .project_root to open.
    const saved = store.cursor(SOURCE, path);
    if (atEnd(saved, st) && this.hasState.get(path) !== undefined)
      return { bytes: 0, done: true, committed: () => this.caughtUp.set(path, st) };
    const stem = basename(path).replace(/\.jsonl$/, '');
    let start = resumeFrom(store, SOURCE, path, st, { saved });
    let state = start === 0 ? undefined : this.loadState(path);
    // A cursor without state (a state database from before the tailing, which read the file whole): start
    // the file over, the ids make that safe.
    if (state === undefined) start = 0;
    state ??= newGeminiJsonlState(stem);
    const cwd = projectRoot(path, this.opts.onUnreadable);
    // A state saved before names were kept (responses were numbered then) has none: they are counted from here on.
    const recent = recentNames(state.recent);
    let offset = start;
    while (offset - start < budget) {
      if (store.holdReading) return { bytes: offset - start, done: true };
      const batch = readLines(path, offset, { ...this.opts.read, until: st.size });
      if (!batch) break;
      const { events, malformed: bad } = feedGeminiJsonl(state, batch.lines, st.mtimeMs);
      for (const e of events) this.emit(e.id === undefined ? unnamedId(e, recent) : eventId(e), e, cwd);
      if (recent.size > 0) state.recent = [...recent];
      const malformed = bad + batch.oversized;
      this.putState.run(path, JSON.stringify(state));
      store.addCounterIn('gemini.malformed', malformed);
      store.setCursor(SOURCE, path, st.ino, batch.end, batch.mark, st.stamp);
      this.stats.malformed += malformed;
      this.stats.bytes += batch.end - offset;
      offset = batch.end;
      if (batch.caughtUp) break; // nothing follows: no second open to find that out
    }
    if (offset - start >= budget) return { bytes: offset - start, done: false };
    return { bytes: offset - start, done: true, committed: () => this.caughtUp.set(path, st) };
  }

  private loadState(path: string): GeminiJsonlState | undefined {
    const raw = this.getState.get(path) as string | undefined;
    return raw === undefined ? undefined : (JSON.parse(raw) as GeminiJsonlState);
  }

  private emit(id: string, e: GeminiEvent, cwd: string | undefined): void {
    if (e.input + e.output + e.reasoning > 0 && !this.opts.prices.find(e.model)) this.opts.onUnpriced?.(e.model);
    const record: UsageRecord = {
      id,
      agentId: this.opts.agents.agentFor(cwd),
      model: boundedId(e.model),
      provider: 'google',
      // Gemini's input includes the cached tokens and its output excludes thoughts: the five amounts
      // below add up to Gemini's total and none includes another (docs/api.md).
      inputTokens: e.input,
      outputTokens: e.output,
      reasoningTokens: e.reasoning,
      cacheReadTokens: e.cacheRead,
      cacheWriteTokens: 0,
      costMicrodollars: Math.max(
        0,
        Math.round(this.opts.prices.cost(e.model, { input: e.input, cached: e.cacheRead, output: e.output + e.reasoning }) * 1e6),
      ),
      // Whole ms: a response without a time is dated by its file's mtime, which has a fraction (the API takes integers).
      at: Math.floor(e.at),
      ...sessionField(e.session),
    };
    const body = JSON.stringify(record);
    if (this.sent.get(id) === body) return;
    this.sent.set(id, body);
    this.opts.store.enqueue('usage', id, record, 'replace');
    this.stats.responses++;
  }
}

/** A response's record id: its session and message id, the same whichever file or read it comes from. */
function eventId(e: GeminiEvent): string {
  return `gemini:${digest(`${e.session}\n${e.id}`)}`;
}

/**
 * The project a chat belongs to: Gemini CLI keeps `<tmp>/<project>/.project_root` holding the project's
 * path next to `chats/`. Without it (older layouts name the directory by a hash of the path), unknown.
 */
function projectRoot(chatPath: string, onUnreadable: OnUnreadable | undefined): string | undefined {
  const dir = basename(dirname(chatPath)) === 'chats' ? dirname(dirname(chatPath)) : dirname(chatPath);
  const file = join(dir, '.project_root');
  try {
    const root = readSmallFile(file, 4096)?.trim();
    return root === '' ? undefined : root;
  } catch (err) {
    // There and not to be read (mode 000, a symlink loop): its chats go to agent `unknown`, which is said.
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') onUnreadable?.(file, err as NodeJS.ErrnoException);
    return undefined;
  }
}
