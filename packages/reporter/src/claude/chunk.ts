import { digest } from '../ids.js';
import { type FileState, type ReadOptions, readLines } from '../tail/jsonl.js';
import { type ClaudeEntry, entryTotal, parseLine, replaces } from './parse.js';

/** ccusage's own pre-filter: a line without it carries no usage. */
const USAGE_MARKERS = [Buffer.from('"usage":{')];

/** A usage copy read from a transcript, and the digest of its line when it has no `message.id` (the dedupe's key then). */
export interface ReadEntry extends ClaudeEntry {
  lineDigest?: string;
}

/** What reading one stretch of a transcript gave: plain data, so a parse worker can post it. */
export interface Chunk {
  path: string;
  /** The file as it was when the stretch was read (undefined: gone). */
  st: FileState | undefined;
  /** The offset reading started at, and the one just past the last complete line read. */
  start: number;
  end: number;
  entries: ReadEntry[];
  /** Copies merged into a later copy of the same response (see mergeCopy), not in `entries`. */
  merged: number;
  /** Lines that looked like usage but were not JSON, or were too long. */
  malformed: number;
  /** No complete line followed `end` when it was read: the file is caught up. */
  done: boolean;
  /** The mark to save with a cursor at `end` (see LineBatch.mark). */
  mark?: Uint8Array | undefined;
}

/** Bytes per chunk: a parse worker posts one chunk per message. */
export const CHUNK_BYTES = 1024 * 1024;

/**
 * Reads the complete lines of `path` from `start` up to about `budget` bytes, keeping the lines that
 * carry usage, parsed. The one reading and parsing step of a Claude transcript, whether it runs in
 * the reporter's thread or in a parse worker.
 */
export function readChunk(path: string, st: FileState | undefined, start: number, budget: number, read?: ReadOptions): Chunk {
  const entries: ReadEntry[] = [];
  let malformed = 0;
  let merged = 0;
  let offset = start;
  let mark: Uint8Array | undefined;
  // Read to its end as it was just seen (a file unchanged since its cursor): nothing to open.
  if (st !== undefined && start >= st.size) return { path, st, start, end: start, entries, merged, malformed, done: true };
  while (offset - start < budget) {
    const batch = readLines(path, offset, { ...read, markers: USAGE_MARKERS });
    if (!batch) return { path, st, start, end: offset, entries, merged, malformed, done: true, mark };
    malformed += batch.oversized;
    for (const line of batch.lines) {
      const entry: ReadEntry | 'malformed' | 'other' = parseLine(line);
      if (entry === 'malformed') malformed++;
      else if (entry !== 'other') {
        if (entry.messageId === undefined) entry.lineDigest = digest(line);
        if (mergeCopy(entries, entry)) merged++;
        else entries.push(entry);
      }
    }
    offset = batch.end;
    mark = batch.mark;
    // At the file's end as read: the next read would find nothing (a file costs one open, not two).
    if (batch.caughtUp) return { path, st, start, end: offset, entries, merged, malformed, done: true, mark };
  }
  return { path, st, start, end: offset, entries, merged, malformed, done: false, mark };
}

/**
 * Claude Code writes a streamed response as consecutive lines with one `message.id` + `requestId`.
 * When `entry` is such a copy of the last entry (same key, same side), keeps the one of the two the
 * dedupe would keep — the first on a tie — in the last one's place, and returns true. Offering the dedupe
 * that one copy ends in the state offering both would (its order is a maximum with the first kept on
 * ties), with half the copies crossing from a parse worker and reaching SQLite. Copies of other
 * responses in between end a run, so the order between different keys is never changed.
 */
export function mergeCopy(entries: ReadEntry[], entry: ReadEntry): boolean {
  const last = entries[entries.length - 1];
  if (!last || entry.messageId === undefined || last.messageId !== entry.messageId) return false;
  if (last.requestId !== entry.requestId || last.sidechain !== entry.sidechain) return false;
  if (replaces(entryTotal(entry), entry.speedSet, entryTotal(last), last.speedSet)) entries[entries.length - 1] = entry;
  return true;
}

/** A file to read ahead, from this offset, up to the size the poll saw (see Until). */
export interface ReadJob {
  path: string;
  start: number;
  until: number;
}

/** What the reporter's thread tells a parse worker (see ChunkReader). */
export type WorkerRequest =
  | { type: 'begin'; gen: number; jobs: ReadJob[]; credits: number }
  | { type: 'more'; gen: number; jobs: ReadJob[] }
  | { type: 'credit'; gen: number; bytes: number }
  | { type: 'end'; gen: number };

/** What a chunk counts against the read-ahead bound: its bytes, at least 1 (an empty chunk still took a message). */
export function chunkBytes(chunk: Chunk): number {
  return Math.max(1, chunk.end - chunk.start);
}
