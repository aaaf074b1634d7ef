import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync, type Stats, statSync } from 'node:fs';
import { BoundedMap } from '@gasgauge/core/bounded-map';
import { isJsonObject, parseJson } from '../json.js';
import { fsPath } from './names.js';

export interface ReadOptions {
  /** Bytes read per batch (default 1 MiB): bounds memory, whatever the file size. */
  batchBytes?: number;
  /** A longer line is skipped and counted as oversized (default 64 MiB). */
  maxLineBytes?: number;
  /**
   * Only lines containing at least one of these byte strings are decoded and returned; the rest are
   * counted as skipped without being decoded or parsed (every source's cheap pre-filter: a line that
   * names none of the fields usage lives in cannot carry usage).
   */
  markers?: readonly Buffer[];
  /** Read as if the file ended at this offset (a line boundary): nothing at or after it is returned. */
  until?: number;
}

export interface LineBatch {
  /** Complete lines (without the newline) that passed the markers filter. */
  lines: string[];
  /**
   * The byte offset just past the last complete line read: where the next batch starts. Inside a line only
   * when the batch is the part of an oversized line looked through (see skipOversized).
   */
  end: number;
  /** Lines that contained none of the markers. */
  skipped: number;
  /** Lines longer than maxLineBytes, not returned. */
  oversized: number;
  /** `end` is the file's end as it was when read: a next read there would find nothing (and need not be made). */
  caughtUp: boolean;
  /** The mark of the line before `end` (see markOf), saved with the cursor (see resumeOffset); none when nothing was read. */
  mark?: Uint8Array | undefined;
}

export interface FileState {
  ino: number;
  size: number;
  /** Its modification and change times (see stampOf), when known: a file rewritten to the same size has new ones. */
  stamp?: string | undefined;
}

/**
 * A file's modification and change times, as one string: a file rewritten in place to exactly the size read (nothing
 * looks new by its size) has another stamp. Both, as a tool that rewrites a file may set its mtime back (`touch -r`,
 * `cp -p`), which it cannot do with the ctime; a chmod or a new link changes the ctime too, and then costs one look.
 */
export function stampOf(st: { mtimeMs: number; ctimeMs: number }): string {
  return `${st.mtimeMs}/${st.ctimeMs}`;
}

/** Whether `now` is the file as `seen` last (same inode, size and stamp). */
export function sameFile(seen: FileState | undefined, now: FileState): boolean {
  return seen !== undefined && seen.ino === now.ino && seen.size === now.size && seen.stamp === now.stamp;
}

/**
 * Whether a saved cursor is at the end of the file as it is now: same inode, offset at its size, and the stamp saved
 * with it (a cursor saved before stamps were kept has none and is trusted). Another stamp: the file may have been
 * rewritten to the same size, and is looked at (its mark checked, see resumeOffset).
 */
export function atEnd(saved: SavedCursor | undefined, now: FileState): boolean {
  return (
    saved !== undefined &&
    saved.ino === now.ino &&
    saved.offset === now.size &&
    (saved.stamp === undefined || saved.stamp === null || saved.stamp === now.stamp)
  );
}

/** The file's identity and size, or undefined when it is gone. */
export function fileState(path: string): FileState | undefined {
  try {
    const st = statSync(fsPath(path), { throwIfNoEntry: false });
    return st?.isFile() ? { ino: st.ino, size: st.size, stamp: stampOf(st) } : undefined;
  } catch {
    return undefined; // unreadable directory on the way: as good as gone
  }
}

/** A saved cursor: the file's inode, the offset read to, and the mark of the line before it, if kept (see markOf). */
export interface SavedCursor {
  ino: number;
  offset: number;
  mark?: Uint8Array | null | undefined;
  /** The file's stamp (stampOf) when the cursor was saved, if kept. */
  stamp?: string | null | undefined;
}

/** Bytes before a cursor its mark covers at most: a whole line but for the longest (a 64 MiB line is not read again). */
export const MARK_SPAN = 64 * 1024;

/**
 * Where to resume in a file from a saved cursor: the saved offset, or 0 when the file was replaced
 * (another inode, as `gt krc prune` does with a rename), truncated below it, or rewritten: the line before
 * the offset is no longer the one marked. The last is a file truncated in place (or deleted and written again,
 * where the file system hands out the same inode at once, as ext4 does) and then written past the cursor
 * before it was looked at: the same inode and a larger size look like growth, and resuming at the cursor lost
 * the new content's head. Starting over is safe: every record is keyed, so lines read twice send nothing new.
 */
export function resumeOffset(saved: SavedCursor | undefined, now: FileState, path: string): number {
  if (!saved) return 0;
  if (saved.ino !== now.ino || now.size < saved.offset) return 0;
  if (saved.mark && saved.offset > 0 && markHolds(path, saved.offset, saved.mark) === false) return 0;
  return saved.offset;
}

/**
 * The mark of the last line of `buf` before `stop` (a line's end; `buf` starts at a line's start, or the mark is of
 * the part of the line it holds): how many bytes it covers (4 bytes: the line's length, at most MARK_SPAN), then
 * their MD5. The whole line, not its ends: lines of one length written by one program often share both ends (the
 * tests' lines do), and differ in an id in the middle. MD5 as a checksum, not for security: a file's writer could
 * as well write the same line. Its own small ArrayBuffer: a view would post (from a parse worker) the buffer under it.
 */
function markOf(buf: Uint8Array, stop: number): Uint8Array | undefined {
  if (stop <= 0) return undefined;
  const from = Math.max(stop >= 2 ? buf.lastIndexOf(NL, stop - 2) + 1 : 0, stop - MARK_SPAN);
  return markBytes(buf.subarray(from, stop));
}

function markBytes(bytes: Uint8Array): Uint8Array {
  const mark = new Uint8Array(4 + 16);
  new DataView(mark.buffer).setUint32(0, bytes.length);
  mark.set(createHash('md5').update(bytes).digest(), 4);
  return mark;
}

/**
 * Whether the bytes before `offset` still have `mark`: false when they differ (or the mark is not one), undefined
 * when the file cannot be read now (mode 000 for a while, swapped for a FIFO): the cursor is kept then, or a file
 * that could not be opened for a moment was read again whole once it could.
 */
function markHolds(path: string, offset: number, mark: Uint8Array): boolean | undefined {
  if (mark.length !== 4 + 16) return false;
  const length = new DataView(mark.buffer, mark.byteOffset, mark.length).getUint32(0);
  if (length > offset || length > MARK_SPAN) return false;
  try {
    const buf = Buffer.allocUnsafe(length);
    return withRegularFile(
      path,
      (fd) => readFullySync(fd, buf, offset - length) === length && Buffer.from(markBytes(buf)).equals(mark),
    );
  } catch {
    return undefined;
  }
}

/**
 * Runs `fn` on the file at `path` opened for reading, and closes it; undefined when it cannot be opened or is not a
 * regular file. Opened non-blocking, then checked: a file swapped for a FIFO after it was listed would block a plain
 * open forever.
 */
function withRegularFile<T>(path: string, fn: (fd: number, st: Stats) => T): T | undefined {
  let fd: number;
  try {
    fd = openSync(fsPath(path), constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const st = fstatSync(fd);
    return st.isFile() ? fn(fd, st) : undefined;
  } finally {
    closeSync(fd);
  }
}

/** The cursors a tailer keeps (the outbox store's). */
export interface Cursors {
  cursor(source: string, path: string): SavedCursor | undefined;
  setCursor(
    source: string,
    path: string,
    ino: number,
    offset: number,
    mark?: Uint8Array | undefined,
    stamp?: string | undefined,
  ): void;
}

/**
 * Where to resume (resumeOffset); when that is a start over, the cursor is saved at the start at once
 * (in the caller's transaction, if any: one statement). Left at the old offset until a line was read, a file truncated to nothing
 * (or to a partial line) and then written past that offset before the next poll resumed there: its
 * first lines were never read. `known`: the cursor the caller just read, and where to resume if it already
 * worked that out (neither looked up, nor the mark read, twice).
 */
export function resumeFrom(
  cursors: Cursors,
  source: string,
  path: string,
  now: FileState,
  known?: { saved: SavedCursor | undefined; start?: number },
): number {
  const saved = known ? known.saved : cursors.cursor(source, path);
  const start = known?.start ?? resumeOffset(saved, now, path);
  if (saved && (saved.ino !== now.ino || saved.offset !== start)) cursors.setCursor(source, path, now.ino, start);
  // At its end with another stamp, and not rewritten (its mark holds): the new stamp is saved, so a next look at the
  // unchanged file costs one stat again, not a read of its mark.
  else if (saved && start === now.size && now.stamp !== undefined && saved.stamp !== now.stamp)
    cursors.setCursor(source, path, now.ino, start, saved.mark ?? undefined, now.stamp);
  return start;
}

const NL = 0x0a;

/** Reads up to this size share one buffer per thread; a longer line's read (rare) gets a buffer of its own. */
const SHARED_READ_BYTES = 1024 * 1024;
let shared = Buffer.allocUnsafeSlow(0);

/**
 * A buffer of `size` bytes to read into, valid until the next call. A fresh 1 MiB buffer per read was
 * memory the allocator mapped and the kernel faulted in afresh each time (~250 page faults a MiB, ~10 µs
 * each in a VM); lines leave it as decoded strings, so the next read may reuse it.
 */
function readBuffer(size: number): Buffer {
  if (size > SHARED_READ_BYTES) return Buffer.allocUnsafeSlow(size);
  if (shared.length === 0) shared = Buffer.allocUnsafeSlow(SHARED_READ_BYTES);
  return shared.subarray(0, size);
}

/**
 * Reads the complete lines after `offset`: never the whole file at once, never a partial last line (a
 * writer may be in the middle of it; it is read once its newline arrives, or once it is a whole JSON
 * object). Returns undefined when no complete line follows the offset yet.
 */
export function readLines(path: string, offset: number, opts: ReadOptions = {}): LineBatch | undefined {
  const batchBytes = opts.batchBytes ?? 1024 * 1024;
  const maxLineBytes = opts.maxLineBytes ?? 64 * 1024 * 1024;
  return withRegularFile(path, (fd, st) => {
    const size = Math.min(st.size, opts.until ?? Number.POSITIVE_INFINITY);
    if (offset >= size) return undefined;
    // An oversized line still without its newline: look for it only in what was appended since.
    const scanned = unterminated.get(path);
    if (scanned && scanned.ino === st.ino && scanned.from === offset && scanned.to <= size)
      return skipOversized(fd, scanned.to, size, { path, ino: st.ino, from: offset, counted: scanned.counted });
    let want = Math.min(batchBytes, size - offset);
    for (;;) {
      const buf = readBuffer(want);
      const n = readFullySync(fd, buf, offset);
      const last = buf.lastIndexOf(NL, n - 1);
      const atEnd = offset + n >= size;
      // The file's last line without its newline, already a whole JSON object: a line (ccusage counts it). A JSON
      // object cannot be a proper prefix of a longer one, so a writer still writing this line cannot add to it.
      if (atEnd && last < n - 1 && n - last - 1 <= maxLineBytes && wholeObject(buf, last + 1, n))
        return splitLines(buf, n, offset, maxLineBytes, size, opts.markers);
      if (last >= 0) return splitLines(buf, last + 1, offset, maxLineBytes, size, opts.markers);
      if (atEnd) return undefined; // a partial last line: wait for its newline
      if (want >= maxLineBytes) return skipOversized(fd, offset + n, size, { path, ino: st.ino, from: offset, counted: false });
      want = Math.min(want * 2, maxLineBytes, size - offset);
    }
  });
}

function readFullySync(fd: number, buf: Buffer, position: number): number {
  let n = 0;
  while (n < buf.length) {
    const r = readSync(fd, buf, n, buf.length - n, position + n);
    if (r === 0) break;
    n += r;
  }
  return n;
}

/**
 * The lines of `buf` (read at `offset` of a file of `size` bytes) before `stop` (just past the last line's
 * newline, or the end of a last line that has none).
 */
function splitLines(
  buf: Buffer,
  stop: number,
  offset: number,
  maxLineBytes: number,
  size: number,
  markers?: readonly Buffer[],
): LineBatch {
  const lines: string[] = [];
  let skipped = 0;
  let oversized = 0;
  let start = 0;
  // Where each marker next occurs (-1: nowhere further): lines before the nearest are skipped without decoding.
  const hits = markers?.map((m) => buf.indexOf(m, 0));
  while (start < stop) {
    const nl = buf.indexOf(NL, start);
    // Bounded by stop: the buffer is shared, and past the bytes read it holds an earlier read's.
    const end = nl < 0 || nl >= stop ? stop : nl;
    if (end - start > maxLineBytes) oversized++;
    else if (end > start) {
      if (hits && !hits.some((h) => h >= 0 && h < end)) skipped++;
      else lines.push(buf.toString('utf8', start, end));
    }
    start = end + 1;
    if (hits && markers) {
      for (let k = 0; k < hits.length; k++) {
        const h = hits[k] as number;
        if (h >= 0 && h < start) hits[k] = buf.indexOf(markers[k] as Buffer, start);
      }
    }
  }
  return { lines, end: offset + stop, skipped, oversized, caughtUp: offset + stop >= size, mark: markOf(buf, stop) };
}

const isSpace = (b: number | undefined) => b === 0x20 || b === 0x09 || b === 0x0d;

/** Whether bytes [from, to) are one JSON object (only tried on a file's unterminated last line that ends in `}`). */
function wholeObject(buf: Buffer, from: number, to: number): boolean {
  let a = from;
  let b = to;
  while (a < b && isSpace(buf[a])) a++;
  while (b > a && isSpace(buf[b - 1])) b--;
  if (buf[a] !== 0x7b || buf[b - 1] !== 0x7d) return false;
  // Bounded like every line the sources parse (a line of millions of tiny values is refused, not parsed).
  return isJsonObject(parseJson(buf.toString('utf8', a, b))?.value);
}

/**
 * Oversized lines whose newline has not arrived yet, by file: where the line starts and how far it is
 * known to hold no newline (`counted`: the line was counted as oversized already, by a batch that ended
 * inside it). Without it every poll of a file whose last line grows past maxLineBytes
 * (a 1 GB line being written) read the whole line again: 300 MB growing by a byte at a time kept a
 * reporter busy half of every second. Bounded: forgetting an entry only costs one more full scan.
 */
const MAX_UNTERMINATED = 1024;
const unterminated = new BoundedMap<string, { ino: number; from: number; to: number; counted: boolean }>(MAX_UNTERMINATED);

/**
 * Bytes of an oversized line looked through for its end per call. Unbounded, one call read the whole
 * line synchronously: a transcript or event log made a 20 GB sparse file (`truncate -s 20G`, no disk
 * used) held the reporter's thread 38 s (a terabyte, half an hour), no delivery, no signal answered.
 */
export const SKIP_SCAN_BYTES = 64 * 1024 * 1024;

/**
 * A line longer than the limit: find its end without holding it, and resume after it. At most
 * SKIP_SCAN_BYTES are looked through per call; a line that goes on past them (and past what the file holds
 * now) ends the batch inside it, counted once, and the next call goes on from there: the line's rest is skipped
 * too, also after a restart (read from inside a line, its rest is a line longer than the limit, or a tail
 * of one that is no JSON object).
 */
function skipOversized(
  fd: number,
  from: number,
  size: number,
  line: { path: string; ino: number; from: number; counted: boolean },
): LineBatch | undefined {
  const buf = readBuffer(SHARED_READ_BYTES);
  const stop = Math.min(size, from + SKIP_SCAN_BYTES);
  let pos = from;
  let n = 0;
  while (pos < stop) {
    n = readFullySync(fd, buf.subarray(0, Math.min(buf.length, stop - pos)), pos);
    if (n === 0) return undefined; // cut shorter meanwhile: read again once it changes
    const i = buf.subarray(0, n).indexOf(NL);
    if (i >= 0) {
      unterminated.delete(line.path);
      const end = pos + i + 1;
      // The mark: of the part of the line this read holds (its length is what is checked: the bytes before the cursor).
      return { lines: [], end, skipped: 0, oversized: line.counted ? 0 : 1, caughtUp: end >= size, mark: markOf(buf, i + 1) };
    }
    pos += n;
  }
  if (pos < size) {
    // More of the line is there than one call looks through: the batch ends inside it, and the next goes on. The mark:
    // of the last bytes looked through (buf holds them, no newline among them). Without one, a cursor inside such a
    // line was never checked: the file rewritten past it was read on from there.
    unterminated.set(line.path, { ino: line.ino, from: pos, to: pos, counted: true });
    return { lines: [], end: pos, skipped: 0, oversized: line.counted ? 0 : 1, caughtUp: false, mark: markOf(buf, n) };
  }
  unterminated.set(line.path, { ino: line.ino, from: line.from, to: size, counted: line.counted });
  return undefined;
}
