import { opendirSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentMap } from '../agents.js';
import { boundedId, sessionField } from '../ids.js';
import type { Store } from '../outbox/store.js';
import type { PricingOptions } from '../pricing/unpriced.js';
import { type StepResult, stepInGroups, type Until } from '../tail/commit-groups.js';
import { FileList, type WatchOptions } from '../tail/file-list.js';
import {
  atEnd,
  type FileState,
  fileState,
  type ReadOptions,
  resumeFrom,
  resumeOffset,
  type SavedCursor,
  sameFile,
} from '../tail/jsonl.js';
import { nameEndsWith } from '../tail/names.js';
import type { UsageRecord } from '../wire.js';
import { type ReadEntry, type ReadJob, readChunk } from './chunk.js';
import { ChunkReader } from './chunk-reader.js';
import { ClaudeDedupe } from './dedupe.js';
import { transcriptFiles } from './files.js';
import { type ClaudeEntry, entryTotal } from './parse.js';
import type { PriceList } from './pricing.js';

export interface ClaudeSourceOptions extends WatchOptions, PricingOptions {
  store: Store;
  /** Claude config directories (see claudeConfigDirs). */
  configDirs: readonly string[];
  agents: AgentMap;
  prices: PriceList;
  /** How often the directory tree is listed again for new files (default 5 s); known files are checked every poll. */
  rescanMs?: number;
  read?: ReadOptions;
  now?: () => number;
  /** Unread bytes from which a poll reads in the parse worker (default WORKER_BYTES; Infinity: never). */
  workerBytes?: number;
  /** Where a parse worker's failure is told (reading then goes on in this thread). */
  log?: (line: string) => void;
}

export interface ClaudeStats {
  files: number;
  /** Lines that carried usage (after the cheap `"usage":{` filter). */
  usageLines: number;
  /** Copies that updated a response's record (the first copy, or a larger one). */
  updates: number;
  /** Copies that added nothing: a response already counted at least as large. */
  duplicates: number;
  /** Copies merged with the next line's copy of the same streamed response before the dedupe (see mergeCopy). */
  merged: number;
  /** Lines that looked like usage but were not JSON, or were too long to read. */
  malformed: number;
  bytes: number;
  /** Chunks the parse worker read and parsed ahead (the rest were read in the reporter's thread). */
  readAhead: number;
}

const SOURCE = 'claude';
/**
 * Unread bytes from which a poll hands reading and parsing to the parse worker (a backfill); a poll with
 * less (tailing) reads in this thread, which costs less than the hand-over.
 */
const WORKER_BYTES = 4 * 1024 * 1024;
/** Files handed to the parse worker per message while a poll is still checking the rest. */
const JOBS_PER_MESSAGE = 256;

/** Whether a directory exists and holds anything (reads its first entry only). */
function hasEntries(dir: string): boolean {
  try {
    const d = opendirSync(dir);
    try {
      return d.readSync() !== null;
    } finally {
      d.closeSync();
    }
  } catch {
    return false;
  }
}

/**
 * Tails Claude Code transcripts (`projects/**\/*.jsonl`): each poll reads only what was appended since
 * the saved offset, in bounded batches, and commits the records with the new offsets, several files'
 * batches per transaction (see stepInGroups).
 * A truncated or replaced file is read again from the start; the dedupe makes that add nothing.
 */
export class ClaudeSource {
  readonly stats: ClaudeStats = {
    files: 0,
    usageLines: 0,
    updates: 0,
    duplicates: 0,
    merged: 0,
    malformed: 0,
    bytes: 0,
    readAhead: 0,
  };
  private readonly dedupe: ClaudeDedupe;
  /** Identity, size and stamp of each file when it was last read to its end: an unchanged file costs one stat. */
  private readonly caughtUp = new Map<string, FileState>();
  private readonly fileList: FileList;
  private readonly reader: ChunkReader;
  private readonly now: () => number;
  /** The copy kept of each response the file being read updated, made a record and written when its step ends (see readFile). */
  private readonly kept = new Map<string, ClaudeEntry>();
  /**
   * Each file to read as this poll found it, and its saved cursor: its first step needs no second stat or
   * cursor lookup (~13k files in a backfill).
   */
  private readonly polled = new Map<string, { st: FileState; saved: SavedCursor | undefined; start: number }>();

  constructor(private readonly opts: ClaudeSourceOptions) {
    this.dedupe = new ClaudeDedupe(opts.store.sql);
    this.now = opts.now ?? Date.now;
    this.reader = new ChunkReader(opts.read, opts.log);
    this.fileList = new FileList({
      ...opts,
      list: () => transcriptFiles(opts.configDirs),
      roots: () => opts.configDirs.map((d) => join(d, 'projects')),
      accepts: (p) => nameEndsWith(p, '.jsonl'),
      now: this.now,
    });
    this.stats.malformed = opts.store.counter('claude.malformed');
  }

  /** Reads everything new. False when it stopped early because the outbox is full (backpressure). */
  async poll(): Promise<boolean> {
    const workerBytes = this.opts.workerBytes ?? WORKER_BYTES;
    // A first read of a tree is likely a backfill: the worker starts while the tree is listed and checked.
    // Not for an empty tree: a worker stopped while it starts holds up the reporter's exit by ~0.15 s.
    const warmed =
      this.caughtUp.size === 0 &&
      Number.isFinite(workerBytes) &&
      !this.opts.store.hasCursors(SOURCE) &&
      this.opts.configDirs.some((d) => hasEntries(join(d, 'projects')));
    if (warmed) this.reader.warm();
    const { files, count } = this.fileList.current();
    this.stats.files = count;
    const todo: string[] = [];
    // No cursor yet (a first read): no lookup per file. A first poll of this process checks every file: one
    // query for all their cursors (13k files: ~10 ms against ~150 ms for one lookup each).
    const anyCursor = this.opts.store.hasCursors(SOURCE);
    const cursors =
      anyCursor && this.caughtUp.size === 0 ? new Map(this.opts.store.cursors(SOURCE).map((c) => [c.path, c])) : undefined;
    // Files to read ahead not yet handed to the worker: once there is enough to read, they go in slices.
    let jobs: ReadJob[] = [];
    let unread = 0;
    let ahead = false;
    for (const path of files) {
      const st = fileState(path);
      const seen = this.caughtUp.get(path);
      if (st && sameFile(seen, st)) continue;
      const saved = cursors ? cursors.get(path) : anyCursor ? this.opts.store.cursor(SOURCE, path) : undefined;
      // Read to its end by an earlier process (the same file, no longer, not touched since): nothing to read, no step to take.
      if (st && atEnd(saved, st)) {
        this.caughtUp.set(path, st);
        continue;
      }
      todo.push(path);
      if (!st) continue;
      const start = resumeOffset(saved, st, path);
      this.polled.set(path, { st, saved, start });
      jobs.push({ path, start, until: st.size });
      unread += st.size - start;
      if (!ahead && unread >= workerBytes) {
        ahead = this.reader.begin(jobs);
        if (ahead) jobs = [];
      } else if (ahead && jobs.length >= JOBS_PER_MESSAGE) {
        this.reader.more(jobs);
        jobs = [];
      }
    }
    if (ahead) this.reader.more(jobs);
    else if (warmed) this.reader.release();
    try {
      return await stepInGroups(this.opts.store, todo, (path, budget, until) => this.readFile(path, budget, until), {
        pending: ahead ? (path) => this.reader.pending(path) : undefined,
        fileBytes: this.fileList.passFileBytes,
        // Left for the next poll: no more of it read ahead (the worker would read on to where the poll saw it end,
        // ahead of the files after it); they are read in this thread.
        cut: (path) => {
          this.reader.end();
          this.fileList.again(path);
        },
        left: (paths) => this.fileList.unread(paths),
      });
    } catch (err) {
      // A transaction rolled back: the groups kept in memory may be ahead of the database.
      this.dedupe.forget();
      throw err;
    } finally {
      if (ahead) this.reader.end();
      this.polled.clear();
    }
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

  /** Forgets the response groups kept in memory: after the database's were pruned. */
  forgetCachedGroups(): void {
    this.dedupe.forget();
  }

  close(): void {
    this.reader.close();
    this.fileList.close();
  }

  /**
   * Reads up to about `budget` bytes of one file, inside the caller's transaction (see stepInGroups).
   * A response's copies in these bytes become one write of its record, of the copy kept.
   */
  private readFile(path: string, budget: number, until: Until): StepResult {
    try {
      const result = this.readSome(path, budget, until);
      this.dedupe.flush();
      this.dedupe.trim();
      for (const [id, entry] of this.kept) this.opts.store.enqueue('usage', id, this.record(id, entry), 'replace');
      return result;
    } finally {
      this.kept.clear();
    }
  }

  private readSome(path: string, budget: number, until: Until): StepResult {
    // The poll's own stat and cursor, for a file's first step only: a later step resumes past the size it saw.
    const polled = this.polled.get(path);
    this.polled.delete(path);
    const st = polled?.st ?? fileState(path);
    const seen = this.caughtUp.get(path);
    if (!st || sameFile(seen, st)) {
      if (!st) this.caughtUp.delete(path);
      this.reader.finish(path);
      return { bytes: 0, done: true };
    }
    const store = this.opts.store;
    if (store.holdReading) return { bytes: 0, done: true };
    const start = resumeFrom(store, SOURCE, path, st, polled);
    const seenTo = until(st);
    let chunk = this.reader.take(path);
    // Read ahead from another place (the file changed meanwhile): stop reading ahead, read it here.
    if (chunk && (chunk.start !== start || chunk.st?.ino !== st.ino)) {
      this.reader.end();
      chunk = undefined;
    }
    if (chunk) this.stats.readAhead++;
    else chunk = readChunk(path, seenTo, start, budget, { ...this.opts.read, until: seenTo.size });
    for (const entry of chunk.entries) this.take(entry);
    this.stats.usageLines += chunk.merged;
    this.stats.merged += chunk.merged;
    if (chunk.end > start) store.setCursor(SOURCE, path, st.ino, chunk.end, chunk.mark, st.stamp);
    store.addCounterIn('claude.malformed', chunk.malformed);
    this.stats.malformed += chunk.malformed;
    this.stats.bytes += chunk.end - start;
    const bytes = chunk.end - start;
    return chunk.done
      ? { bytes, done: true, committed: () => this.caughtUp.set(path, { ...seenTo, stamp: st.stamp }) }
      : { bytes, done: false };
  }

  /** One usage copy: kept when it updates its response. */
  private take(entry: ReadEntry): void {
    this.stats.usageLines++;
    const id = this.dedupe.offer(entry, this.now());
    if (id === undefined) {
      this.stats.duplicates++;
      return;
    }
    this.stats.updates++;
    // A zero-usage response (a synthetic error message) adds nothing anywhere: not worth a request.
    // (Zero tokens cost nothing by the price list, so only a stated costUSD can still count.)
    if (entryTotal(entry) > 0 || Math.round((entry.costUSD ?? 0) * 1e6) > 0) this.kept.set(id, entry);
  }

  private record(id: string, e: ClaudeEntry): UsageRecord {
    // ccusage's "auto" mode: the cost Claude Code wrote, else the price list's.
    if (e.costUSD === undefined && entryTotal(e) > 0 && (e.model === undefined || !this.opts.prices.find(e.model)))
      this.opts.onUnpriced?.(e.model ?? 'unknown');
    const usd =
      e.costUSD ??
      this.opts.prices.cost(e.model, {
        input: e.input,
        output: e.output,
        cacheRead: e.cacheRead,
        cacheWrite5m: e.cacheWrite5m,
        cacheWrite1h: e.cacheWrite1h,
        fast: e.fast,
      });
    return {
      id,
      agentId: this.opts.agents.agentFor(e.cwd),
      model: boundedId(e.model ?? 'unknown'),
      provider: 'anthropic',
      inputTokens: e.input,
      outputTokens: e.output,
      // Anthropic counts thinking inside output_tokens; there is no separate reasoning count.
      reasoningTokens: 0,
      cacheReadTokens: e.cacheRead,
      cacheWriteTokens: e.cacheWrite,
      costMicrodollars: Math.max(0, Math.round(usd * 1e6)),
      at: e.at,
      ...sessionField(e.sessionId),
    };
  }
}
