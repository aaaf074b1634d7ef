import { type FSWatcher, watch } from 'node:fs';
import { join } from 'node:path';
import { plural } from '../plural.js';
import { fsPath, listDir, nameOf } from './names.js';

/**
 * Opens a watch on one directory (fs.watch, not recursive): `rename` when an entry appeared or went,
 * `change` when a file's content changed. A test passes one that drops events.
 */
export type WatchDir = (dir: string, onEvent: (type: 'rename' | 'change', name: string | null) => void) => FSWatcher;

/** Names come as bytes and are kept as the listing keeps them (nameOf), so a name that is not UTF-8 still names its file. */
export const watchDir: WatchDir = (dir, onEvent) =>
  watch(fsPath(dir), { persistent: false, encoding: 'buffer' }, (type, name) =>
    onEvent(type, name === null ? null : nameOf(name)),
  );

/** Directories watched at most per tree (Claude's bench tree of 13,457 transcripts has 4,940). */
export const MAX_WATCHES = 16_384;

/**
 * Watches every directory under some roots with one inotify watch per directory (fs.watch on each, not
 * recursive: Node 20's recursive mode on Linux puts a watch on every file too, 10,000 transcripts being
 * 10,000 watches) and reports the paths that changed. A directory that appears is watched as soon as
 * its parent reports it. A root that does not exist yet is picked up by the next `sync()`.
 * If watches cannot be had (no inotify, its limit reached), `failed` says so and the caller rescans.
 * At most MAX_WATCHES: inotify watches are the user's (`fs.inotify.max_user_watches`, shared with their
 * editor and every other watcher), and the directories under the sources are anyone's to make (an agent
 * making 100,000 took as many); past the bound the caller rescans instead.
 */
export class TreeWatcher {
  private readonly watchers = new Map<string, FSWatcher>();
  private failure: string | undefined;

  constructor(
    private readonly onChange: (path: string) => void,
    private readonly open: WatchDir = watchDir,
    private readonly maxWatches = MAX_WATCHES,
  ) {}

  /** Why watching stopped working, once it did (then nothing is watched any more). */
  get failed(): string | undefined {
    return this.failure;
  }

  /** Watches the roots and every directory under them that is not watched yet. */
  sync(roots: readonly string[]): void {
    for (const root of roots) this.add(root);
  }

  private add(dir: string): void {
    if (this.failure !== undefined) return;
    let entries: ReturnType<typeof listDir>;
    try {
      entries = listDir(dir);
    } catch {
      this.drop(dir); // gone (a watch on it is dead), not there yet, or not a directory
      return;
    }
    if (!this.watchers.has(dir)) {
      if (this.watchers.size >= this.maxWatches) {
        this.failure = `more than ${plural(this.maxWatches, 'directory', 'directories')} to watch`;
        this.close();
        return;
      }
      try {
        const w = this.open(dir, (type, name) => this.event(dir, type, name));
        w.on('error', () => this.drop(dir));
        this.watchers.set(dir, w);
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') return;
        this.failure = `cannot watch ${dir}: ${(err as Error).message}`;
        this.close();
        return;
      }
    }
    for (const { name, entry } of entries) if (entry.isDirectory()) this.add(join(dir, name));
  }

  private event(dir: string, type: 'rename' | 'change', name: string | null): void {
    // No name: something in the directory changed; report the directory, so the caller rescans.
    const path = name === null ? dir : join(dir, name);
    // Perhaps a new subdirectory: watch it (and what it already holds) before anything is written there unseen.
    if (type === 'rename' && name !== null) this.add(path);
    this.onChange(path);
  }

  private drop(dir: string): void {
    this.watchers.get(dir)?.close();
    this.watchers.delete(dir);
  }

  /** Directories watched now. */
  get size(): number {
    return this.watchers.size;
  }

  close(): void {
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
  }
}
