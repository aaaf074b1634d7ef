import { statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { AgentMap } from '../agents.js';
import { boundedId, digest } from '../ids.js';
import type { Store } from '../outbox/store.js';
import type { RequestPriceList } from '../pricing/request.js';
import { readSmallFile } from '../small-file.js';
import { FileList, type WatchOptions } from '../tail/file-list.js';
import type { UsageRecord } from '../wire.js';
import { chatFiles } from './files.js';
import { type GeminiEvent, parseGeminiJson, parseGeminiJsonl } from './parse.js';

export interface GeminiSourceOptions extends WatchOptions {
  store: Store;
  /** Gemini data dirs (see geminiDataDirs). */
  dirs: readonly string[];
  agents: AgentMap;
  prices: RequestPriceList;
  /** How often the dirs are listed again for new files (default 5 s). */
  rescanMs?: number;
  /** A bigger file is skipped and counted as malformed (default 64 MiB). */
  maxFileBytes?: number;
  now?: () => number;
}

export interface GeminiStats {
  files: number;
  responses: number;
  /** Files (or `.jsonl` lines) that were not JSON, or files over the size limit. */
  malformed: number;
}

const SOURCE = 'gemini';

/**
 * Reads Gemini CLI chats. Gemini CLI rewrites a `.json` chat whole after every message, so a file is
 * read again whole whenever its identity, size or modification time changed, and each response becomes
 * a cumulative record keyed by its session and message id: reading a file again sends the same ids,
 * and a response whose counts grew (a `.jsonl` update of the same id) replaces its record. What was
 * last read of each file (inode and size) is saved with its records, so a restart skips unchanged files.
 */
export class GeminiSource {
  readonly stats: GeminiStats = { files: 0, responses: 0, malformed: 0 };
  private readonly fileList: FileList;
  private readonly now: () => number;
  /** Each file's identity, size and mtime when last read. */
  private readonly read = new Map<string, string>();
  /** The body last enqueued per record id this run: unchanged responses of a rewritten file are not sent again. */
  private readonly sent = new Map<string, string>();
  /** Malformed lines per file at its last read: a file read again counts only new ones. */
  private readonly malformedIn = new Map<string, number>();

  constructor(private readonly opts: GeminiSourceOptions) {
    this.now = opts.now ?? Date.now;
    this.fileList = new FileList({
      ...opts,
      list: () => chatFiles(opts.dirs),
      roots: () => [...opts.dirs],
      accepts: (p) => p.endsWith('.json') || p.endsWith('.jsonl'),
      now: this.now,
    });
    this.stats.malformed = opts.store.counter('gemini.malformed');
  }

  async poll(): Promise<boolean> {
    const { files, count } = this.fileList.current();
    this.stats.files = count;
    for (const path of files) {
      if (this.opts.store.full) return false;
      this.readFile(path);
      await new Promise((r) => setImmediate(r));
    }
    return true;
  }

  /** From now on, read files when they change (see FileList). */
  watch(): void {
    this.fileList.watch();
  }

  /** Why watching failed, when it did. */
  get watchFailure(): string | undefined {
    return this.fileList.watchFailure;
  }

  close(): void {
    this.fileList.close();
  }

  private readFile(path: string): void {
    let st: import('node:fs').Stats;
    try {
      st = statSync(path);
    } catch {
      this.read.delete(path);
      return;
    }
    const signature = `${st.ino}:${st.size}:${st.mtimeMs}`;
    if (this.read.get(path) === signature) return;
    const store = this.opts.store;
    const cursor = store.cursor(SOURCE, path);
    // First look this run: a file unchanged since the saved read (same inode and size) was taken in already.
    if (!this.read.has(path) && cursor && cursor.ino === st.ino && cursor.offset === st.size) {
      this.read.set(path, signature);
      return;
    }
    let events: GeminiEvent[] | undefined;
    let malformed = 0;
    let content: string | undefined;
    try {
      content = readSmallFile(path, this.opts.maxFileBytes ?? 64 * 1024 * 1024);
    } catch {
      this.read.delete(path); // Gone since the stat.
      return;
    }
    if (content === undefined) malformed = 1;
    else {
      const stem = basename(path).replace(/\.jsonl?$/, '');
      if (path.endsWith('.jsonl')) ({ events, malformed } = parseGeminiJsonl(content, stem, st.mtimeMs));
      else {
        events = parseGeminiJson(content, stem, st.mtimeMs);
        // A .json caught mid-rewrite is not JSON yet: read it again when it changes, count nothing.
        if (events === undefined && content.trim() !== '') malformed = 1;
      }
    }
    const cwd = projectRoot(path);
    const newlyMalformed = Math.max(0, malformed - (this.malformedIn.get(path) ?? 0));
    this.malformedIn.set(path, malformed);
    store.transaction(() => {
      let unnamed = 0;
      for (const e of events ?? []) {
        const id = e.id === undefined ? `gemini:${digest(path)}:${unnamed++}` : `gemini:${digest(`${e.session}\n${e.id}`)}`;
        this.emit(id, e, cwd);
      }
      store.addCounterIn('gemini.malformed', newlyMalformed);
      store.setCursor(SOURCE, path, st.ino, st.size);
    });
    this.stats.malformed += newlyMalformed;
    this.read.set(path, signature);
  }

  private emit(id: string, e: GeminiEvent, cwd: string | undefined): void {
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
      at: e.at,
    };
    const body = JSON.stringify(record);
    if (this.sent.get(id) === body) return;
    if (this.sent.size > 100_000) this.sent.clear();
    this.sent.set(id, body);
    this.opts.store.enqueue('usage', id, record, 'replace');
    this.stats.responses++;
  }
}

/**
 * The project a chat belongs to: Gemini CLI keeps `<tmp>/<project>/.project_root` holding the project's
 * path next to `chats/`. Without it (older layouts name the directory by a hash of the path), unknown.
 */
function projectRoot(chatPath: string): string | undefined {
  const dir = basename(dirname(chatPath)) === 'chats' ? dirname(dirname(chatPath)) : dirname(chatPath);
  try {
    const root = readSmallFile(join(dir, '.project_root'), 4096)?.trim();
    return root === '' ? undefined : root;
  } catch {
    return undefined;
  }
}
