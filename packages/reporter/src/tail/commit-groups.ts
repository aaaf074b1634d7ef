import type { Store } from '../outbox/store.js';
import type { FileState } from './jsonl.js';

/** Bytes read per transaction (default): ~25 commits per 100 MB rather than one per file, each short enough (~50 ms) for the sender to run between them. */
export const COMMIT_BYTES = 4 * 1024 * 1024;

/**
 * Bytes of one file a pass of a running reporter reads at most (see StepOptions.fileBytes); the reporter then polls
 * again at once (see `behind`). Until alone ends a pass, but not soon: a file written faster than it is read has more
 * waiting at each pass than at the one before, so each pass took longer and the files and sources after it waited
 * longer each time (a writer of ~55 MB/s beside a transcript: the transcript not delivered in two minutes). A reporter
 * sharing two cores with such a writer read it at ~2.5 MB/s: 64 MiB slices still kept the transcript a minute.
 */
export const PASS_FILE_BYTES = 16 * 1024 * 1024;

/**
 * What a file source does with one file, inside the caller's transaction: read up to about `budget`
 * bytes from where it left off, commit its records and cursor with the transaction, and say how many
 * bytes it read and whether the file is caught up. `committed` runs once the transaction committed (and
 * not when it rolled back): for what a source remembers in memory about its files.
 */
export type FileStep = (path: string, budget: number, until: Until) => StepResult;

/**
 * The file as a step of this pass reads it: `until(st)`, with the identity and size the step sees, gives the size
 * capped at what the file's first step of the pass saw, as if the file ended there. A file written faster than it
 * is read still ends its pass (a `--once` ends, the files after it get their turn); the next pass reads the rest.
 */
export type Until = (st: FileState) => FileState;

/**
 * For a source that reads ahead in a worker: a promise to wait on before stepping this file (its data
 * has not arrived yet), or undefined when it can be stepped now.
 */
export type Pending = (path: string) => Promise<void> | undefined;

export interface StepOptions {
  /** Bytes per transaction (default COMMIT_BYTES). */
  groupBytes?: number;
  pending?: Pending | undefined;
  /**
   * Bytes of one file this pass reads at most (default: no bound): past them, the file is left where it is and
   * `cut` told of it (to look at it again next pass, and to stop reading it ahead), and the pass goes on.
   */
  fileBytes?: number;
  cut?: (path: string) => void;
  /**
   * Told of the files a pass stopped before (the outbox full, the reporter stopping), so that a watched source looks
   * at them again next poll: its watch named them once, and the poll that took them from the list did not read them.
   */
  left?: (paths: readonly string[]) => void;
}

export interface StepResult {
  bytes: number;
  done: boolean;
  committed?: () => void;
}

/**
 * Runs `step` over `files` in transactions of about `groupBytes` each (many small files share one
 * commit; a large file spans several), yielding to the event loop between commits so the sender and
 * the timers run while a backfill is read. The records and cursors of a group commit together, so a
 * crash repeats at most one group's reading and never skips any. False when it stopped because the
 * outbox is full (the files keep the rest).
 */
export async function stepInGroups(
  store: Store,
  files: readonly string[],
  step: FileStep,
  { groupBytes = COMMIT_BYTES, pending, fileBytes = Number.POSITIVE_INFINITY, cut, left }: StepOptions = {},
): Promise<boolean> {
  let i = 0;
  // Bytes of files[i] read this pass (see StepOptions.fileBytes).
  let read = 0;
  // The size files[i] had at its first step (see Until).
  let limit: number | undefined;
  const until: Until = (st) => {
    limit ??= st.size;
    return { ino: st.ino, size: Math.min(st.size, limit) };
  };
  while (i < files.length) {
    if (store.holdReading) break;
    const wait = pending?.(files[i] as string);
    if (wait) await wait;
    const committed: (() => void)[] = [];
    store.transaction(() => {
      let budget = groupBytes;
      let first = true;
      while (i < files.length && budget > 0 && !store.holdReading) {
        // The group ends where the data read ahead runs out, rather than waiting inside a transaction.
        if (!first && pending?.(files[i] as string)) break;
        first = false;
        const r = step(files[i] as string, Math.min(budget, fileBytes - read), until);
        if (r.committed) committed.push(r.committed);
        budget -= Math.max(1, r.bytes);
        read += r.bytes;
        if (r.done || read >= fileBytes) {
          if (!r.done) cut?.(files[i] as string);
          i++;
          limit = undefined;
          read = 0;
        }
      }
    });
    for (const fn of committed) fn();
    await new Promise((r) => setImmediate(r));
  }
  // Stopped by the hold, before a file or after the last: the files not reached, and the file stepped last (a step that
  // met the hold may have called its file done without reading it all, as Codex's and Gemini's do). Said even after the
  // last file: returning true there, a pass was read as caught up, a watched source never looked at the file again
  // until it changed or the 60 s rescan, and a --once ended early.
  if (store.holdReading) {
    left?.(files.slice(Math.max(0, i - 1)));
    return false;
  }
  return true;
}
