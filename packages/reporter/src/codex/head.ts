import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { fsPath } from '../tail/names.js';
import { type CodexLine, parseCodexLine } from './parse.js';

/** A rollout's first line, when it is a `session_meta`: ccusage reads a session's id and its parent from it alone. */
export type SessionHead = Extract<CodexLine, { kind: 'meta' }>;

/** A first line longer than this is taken as no session_meta (ccusage has no bound; a real one is a few KiB). */
const MAX_HEAD_BYTES = 1024 * 1024;
const READ_BYTES = 64 * 1024;

/**
 * The file's first line as a session_meta, or undefined: not one, not a regular file, gone, or its first line
 * not complete yet. Opened non-blocking and checked, like every file the reporter reads (a FIFO in a
 * rollout's place must not hold it up).
 */
export function sessionHead(path: string): SessionHead | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(fsPath(path), constants.O_RDONLY | constants.O_NONBLOCK);
    if (!fstatSync(fd).isFile()) return undefined;
    let buf = Buffer.allocUnsafe(READ_BYTES);
    let n = 0;
    for (;;) {
      const r = readSync(fd, buf, n, buf.length - n, n);
      const nl = buf.subarray(n, n + r).indexOf(10);
      if (nl >= 0) {
        const line = parseCodexLine(buf.toString('utf8', 0, n + nl));
        return typeof line === 'object' && line.kind === 'meta' ? line : undefined;
      }
      n += r;
      if (r === 0 || n >= MAX_HEAD_BYTES) return undefined;
      if (n === buf.length) {
        const bigger = Buffer.allocUnsafe(Math.min(buf.length * 2, MAX_HEAD_BYTES));
        buf.copy(bigger, 0, 0, n);
        buf = bigger;
      }
    }
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
