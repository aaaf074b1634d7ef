import { readFileSync } from 'node:fs';

/**
 * Descriptors kept for everything but towns and client connections: the control database, Node's own
 * (stdio, the event loop, its threads), webhook POSTs (at most 20), static files, backups.
 */
export const RESERVED_FDS = 128;
/** Each open town holds its database, its WAL and its shared-memory file. */
export const FDS_PER_TOWN = 3;
/** Descriptors the open-town LRU always leaves for client connections, however low the limit: one client's worth (DEFAULT_MAX_CONNECTIONS_PER_CLIENT). */
export const MIN_CONNECTION_FDS = 64;

/** The process's soft limit on open files (from /proc on Linux), or undefined where it cannot be read. */
export function openFileLimit(): number | undefined {
  try {
    const match = readFileSync('/proc/self/limits', 'utf8').match(/^Max open files\s+(\d+)/m);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** At most `requested` open towns, and no more than the descriptor limit leaves room for beside the reserve and connections (at least 1). */
export function fitOpenTowns(requested: number, limit: number | undefined): number {
  if (limit === undefined) return requested;
  return Math.max(1, Math.min(requested, Math.floor((limit - RESERVED_FDS - MIN_CONNECTION_FDS) / FDS_PER_TOWN)));
}

/**
 * At most `requested` client connections, and no more than the descriptors left after `openTowns` towns
 * and the reserve (at least 1): past it Node closes a new connection at once, instead of the process
 * running out of descriptors and failing to open a town or the control database.
 */
export function fitConnections(requested: number, limit: number | undefined, openTowns: number): number {
  if (limit === undefined) return requested;
  return Math.max(1, Math.min(requested, limit - RESERVED_FDS - openTowns * FDS_PER_TOWN));
}
