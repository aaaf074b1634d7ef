import { PASS_FILE_BYTES } from './commit-groups.js';
import { TreeWatcher, type WatchDir, watchDir } from './tree-watcher.js';
import { listing, type OnUnreadable } from './walk.js';

/** What a file source passes on to its FileList about watching. */
export interface WatchOptions {
  /** Watched: how often everything is listed and checked all the same (default 60 s). */
  safetyMs?: number;
  /** Called on every event of the watch (the reporter then polls at once). */
  onChange?: () => void;
  /** Told of each directory or file under the source's directories that cannot be read (see walk.ts), at every listing. */
  onUnreadable?: OnUnreadable;
  /** How a directory is watched (tests drop events with it). */
  watchDir?: WatchDir;
  /** Watched: bytes of one file a pass reads at most (default PASS_FILE_BYTES); the next poll reads on. */
  passFileBytes?: number;
}

export interface FileListOptions extends WatchOptions {
  /** Lists the source's files (walks its directories). */
  list: () => string[];
  /** The directories whose trees hold the files: watched once `watch()` was called. */
  roots: () => string[];
  /** Whether a path an event names is one of the source's files (by its name), to list the tree again for it. */
  accepts: (path: string) => boolean;
  /** Unwatched: how often the files are listed again (default 5 s); every known file is checked every poll. */
  rescanMs?: number;
  now?: () => number;
}

/** What a poll should look at. */
export interface FileCheck {
  /** The files to check now: every file after a listing, else (watched) those the watch named. */
  files: readonly string[];
  /** How many files the source has. */
  count: number;
  /** Whether this call listed the files again. */
  rescanned: boolean;
}

/** At most this often, an event naming a file not listed yet lists the tree again. */
const NEW_FILE_RESCAN_MS = 1000;

/**
 * A source's files. Unwatched (`--once`, or where watches cannot be had), it lists them again at most
 * every `rescanMs` and has every known file checked every poll. Watched (`watch()`, a running
 * reporter), it has only the files an event named checked, lists again when an event names a new file
 * (at most once a second), and lists and checks everything every `safetyMs` as a safety net: idle
 * costs nothing per file, and a missed event delays data by at most `safetyMs`. Empty lists are listed
 * again at once, so a source whose directory appears later is found on the next poll.
 */
export class FileList {
  private files: string[] = [];
  private known = new Set<string>();
  private lastScan = 0;
  private readonly changed = new Set<string>();
  private unknownEvent = false;
  private cutShort = false;
  private watcher: TreeWatcher | undefined;
  private readonly now: () => number;

  constructor(private readonly opts: FileListOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** Watches the roots from now on (until close()). */
  watch(): void {
    this.watcher ??= new TreeWatcher((path) => this.event(path), this.opts.watchDir ?? watchDir);
    this.lastScan = Number.NEGATIVE_INFINITY; // list (and sync the watches) on the next call
  }

  /**
   * Bytes of one file a pass reads at most: PASS_FILE_BYTES (or passFileBytes) once watch() was called (a running
   * reporter, whether or not the watches could be had), else no bound (`--once` reads every file to its end).
   */
  get passFileBytes(): number {
    return this.watcher === undefined ? Number.POSITIVE_INFINITY : (this.opts.passFileBytes ?? PASS_FILE_BYTES);
  }

  /** Has the next poll check this file (one a pass left before its end), changed or not. */
  again(path: string): void {
    if (this.known.has(path)) this.changed.add(path);
    this.cutShort = true;
  }

  /** Has the next poll check these files (a pass stopped before them): unlike `again`, no poll at once. */
  unread(paths: readonly string[]): void {
    for (const path of paths) if (this.known.has(path)) this.changed.add(path);
  }

  /** The last pass left a file before its end (see again): the next poll should come at once, not in pollMs. */
  get behind(): boolean {
    return this.cutShort;
  }

  /** Why watching failed, when it did (the list is then rescanned as if unwatched). */
  get watchFailure(): string | undefined {
    return this.watcher?.failed;
  }

  private get watching(): boolean {
    return this.watcher !== undefined && this.watcher.failed === undefined;
  }

  private event(path: string): void {
    if (this.known.has(path)) this.changed.add(path);
    else if (this.opts.accepts(path)) this.unknownEvent = true;
    this.opts.onChange?.();
  }

  current(): FileCheck {
    this.cutShort = false;
    const since = this.now() - this.lastScan;
    const due = this.watching
      ? since >= (this.opts.safetyMs ?? 60_000) || (this.unknownEvent && since >= NEW_FILE_RESCAN_MS)
      : since >= (this.opts.rescanMs ?? 5000);
    if (this.files.length === 0 || due) {
      // Watches first: whatever is written while the tree is listed shows up as an event.
      if (this.watching) this.watcher?.sync(this.opts.roots());
      this.changed.clear();
      this.unknownEvent = false;
      this.files = listing(this.opts.onUnreadable, this.opts.list);
      this.known = new Set(this.files);
      this.lastScan = this.now();
      return { files: this.files, count: this.files.length, rescanned: true };
    }
    if (!this.watching) return { files: this.files, count: this.files.length, rescanned: false };
    const files = [...this.changed];
    this.changed.clear();
    return { files, count: this.files.length, rescanned: false };
  }

  close(): void {
    this.watcher?.close();
  }
}
