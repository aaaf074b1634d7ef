import { AppError } from '../errors.js';
import type { Sql } from '../sql.js';

/**
 * A town's storage quota, in MiB (`gasgauge serve --max-town-mb`, the Worker's `MAX_TOWN_MB`): 9 GiB by
 * default, under a Durable Object's own limit (10 GB), so a full town meets the quota, not a failed write.
 * Without one, a holder of one town's ingest token could post made-up agents, beads and sessions until the
 * disk every town shares is full; with it, that town alone stops taking data, and the others go on.
 */
export const DEFAULT_MAX_TOWN_MB = 9216;
/** The quota's range: 1 MiB to 1 TiB. */
export const MIN_MAX_TOWN_MB = 1;
export const MAX_MAX_TOWN_MB = 1_048_576;

const MIB = 1024 * 1024;

/** What a town's data takes, against its quota (reads show it: throughput, the Prometheus endpoint). */
export interface StorageUse {
  /** Bytes of data (Sql.sizeBytes): on Node the pages in use, on Workers the storage's size. */
  usedBytes: number;
  /** The quota (null: none, only for a Town opened without one). */
  quotaBytes: number | null;
  /** At or past the quota: every ingest is refused (storageRefusal). */
  full: boolean;
}

export function storageUse(sql: Sql, maxBytes: number | undefined): StorageUse {
  const usedBytes = sql.sizeBytes();
  return { usedBytes, quotaBytes: maxBytes ?? null, full: maxBytes !== undefined && usedBytes >= maxBytes };
}

/**
 * The refusal of an ingest into a town whose data has reached `maxBytes` (Sql.sizeBytes), or undefined
 * while there is room. Checked once per group commit, before it writes: a group admitted under the quota
 * may pass it by what one group holds (the hosts write at most 5,000 items a group, group-commit.ts' MAX_GROUP_ITEMS), and the
 * next tick then indexes the records taken since the last (usage-ids.ts, beads/totals.ts), unchecked: a 20 MiB quota was
 * first refused at 21.8 MiB and held 44.4 MiB once the tick had indexed the 32,000 records (docs/api.md, Storage quota).
 */
export function storageRefusal(sql: Sql, maxBytes: number | undefined): AppError | undefined {
  if (maxBytes === undefined) return undefined; // no quota: no size query on the ingest path
  // One rule for "full" (storageUse), whether a read shows it or an ingest is refused by it.
  const { usedBytes, quotaBytes, full } = storageUse(sql, maxBytes);
  if (!full || quotaBytes === null) return undefined;
  return new AppError(
    'insufficient_storage',
    `the town's storage quota is used up: it holds ${(usedBytes / MIB).toFixed(1)} MiB of data and may hold ${Math.round(quotaBytes / MIB)} MiB ` +
      "(the server's max-town-mb); nothing of this request was stored. Room comes back as data passes its retention, or when the quota is raised",
  );
}
