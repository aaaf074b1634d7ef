import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { fsPath } from './tail/names.js';

const CHUNK = 64 * 1024;

/**
 * A whole file read as UTF-8 when it is a regular file of at most `maxBytes`; undefined when it is
 * not (a FIFO, a device, a directory) or is bigger, also if it grew past the bound while being read.
 * Opened non-blocking and checked before reading: a plain read of a FIFO named like a chat waits for a
 * writer forever, and of `/dev/zero` (a symlink to it, say) fills memory. Throws what open throws
 * (ENOENT, EACCES): the caller decides what a missing file means.
 */
export function readSmallFile(path: string, maxBytes: number): string | undefined {
  const fd = openSync(fsPath(path), constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.size > maxBytes) return undefined;
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(CHUNK);
      const n = readSync(fd, chunk, 0, CHUNK, null);
      if (n === 0) break;
      total += n;
      if (total > maxBytes) return undefined;
      chunks.push(chunk.subarray(0, n));
    }
    return Buffer.concat(chunks, total).toString('utf8');
  } finally {
    closeSync(fd);
  }
}
