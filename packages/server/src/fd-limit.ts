import { readFileSync } from 'node:fs';

/** Descriptors left for sockets, the control database and Node itself when sizing the open-town LRU. */
export const RESERVED_FDS = 128;
/** Each open town holds its database, its WAL and its shared-memory file. */
export const FDS_PER_TOWN = 3;

/** The process's soft limit on open files (from /proc on Linux), or undefined where it cannot be read. */
export function openFileLimit(): number | undefined {
  try {
    const match = readFileSync('/proc/self/limits', 'utf8').match(/^Max open files\s+(\d+)/m);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** At most `requested` open towns, and no more than the descriptor limit leaves room for (at least 1). */
export function fitOpenTowns(requested: number, limit: number | undefined): number {
  if (limit === undefined) return requested;
  return Math.max(1, Math.min(requested, Math.floor((limit - RESERVED_FDS) / FDS_PER_TOWN)));
}
