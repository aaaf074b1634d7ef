import type { Chunk, ReadEntry } from './chunk.js';

/**
 * A chunk's entries as columns, the form a parse worker posts them in. Cloned as objects (~300 bytes and
 * seventeen fields each), a backfill's entries cost ~0.25 s to serialize in the worker and as much again to
 * rebuild in the reporter's thread; as a few typed arrays and string lists they cost about a third of that
 * (a chunk's entries share their session, model and directory, each sent once).
 */
export interface EntryColumns {
  /** `messageId`, `requestId`, `lineDigest` of each entry, in turn (undefined where absent). */
  ids: (string | undefined)[];
  /** The distinct sessions, models and directories, referred to by `refs`. */
  shared: string[];
  /** `sessionId`, `model`, `cwd` of each entry as indexes into `shared` (-1: absent). */
  refs: Int32Array;
  /** `at`, `costUSD`, `input`, `output`, `cacheRead`, `cacheWrite5m`, `cacheWrite1h`, `cacheWrite` of each entry. */
  numbers: Float64Array;
  /** Each entry's flags: FLAG_* below. */
  flags: Uint8Array;
}

/** A chunk as a parse worker posts it: its entries as columns. */
export type PackedChunk = Omit<Chunk, 'entries'> & { columns: EntryColumns };

const IDS = 3;
const REFS = 3;
const NUMBERS = 8;
const SIDECHAIN = 1;
const SPEED_SET = 2;
const FAST = 4;
const FROM_PROGRESS = 8;
const HAS_COST = 16;

export function packChunk({ entries, ...rest }: Chunk): PackedChunk {
  const n = entries.length;
  const ids: (string | undefined)[] = new Array(n * IDS);
  const shared: string[] = [];
  const index = new Map<string, number>();
  const ref = (value: string | undefined): number => {
    if (value === undefined) return -1;
    let k = index.get(value);
    if (k === undefined) {
      k = shared.length;
      shared.push(value);
      index.set(value, k);
    }
    return k;
  };
  const refs = new Int32Array(n * REFS);
  const numbers = new Float64Array(n * NUMBERS);
  const flags = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const e = entries[i] as ReadEntry;
    ids[i * IDS] = e.messageId;
    ids[i * IDS + 1] = e.requestId;
    ids[i * IDS + 2] = e.lineDigest;
    refs[i * REFS] = ref(e.sessionId);
    refs[i * REFS + 1] = ref(e.model);
    refs[i * REFS + 2] = ref(e.cwd);
    const n = i * NUMBERS;
    numbers[n] = e.at;
    numbers[n + 1] = e.costUSD ?? 0;
    numbers[n + 2] = e.input;
    numbers[n + 3] = e.output;
    numbers[n + 4] = e.cacheRead;
    numbers[n + 5] = e.cacheWrite5m;
    numbers[n + 6] = e.cacheWrite1h;
    numbers[n + 7] = e.cacheWrite;
    flags[i] =
      (e.sidechain ? SIDECHAIN : 0) |
      (e.speedSet ? SPEED_SET : 0) |
      (e.fast ? FAST : 0) |
      (e.fromProgress ? FROM_PROGRESS : 0) |
      (e.costUSD !== undefined ? HAS_COST : 0);
  }
  return { ...rest, columns: { ids, shared, refs, numbers, flags } };
}

export function unpackChunk({ columns, ...rest }: PackedChunk): Chunk {
  const { ids, shared, refs, numbers, flags } = columns;
  const at = (k: number): string | undefined => (k < 0 ? undefined : shared[k]);
  const entries: ReadEntry[] = new Array(flags.length);
  for (let i = 0; i < flags.length; i++) {
    const f = flags[i] as number;
    const n = i * NUMBERS;
    const entry: ReadEntry = {
      messageId: ids[i * IDS],
      requestId: ids[i * IDS + 1],
      sessionId: at(refs[i * REFS] as number),
      sidechain: (f & SIDECHAIN) !== 0,
      model: at(refs[i * REFS + 1] as number),
      at: numbers[n] as number,
      cwd: at(refs[i * REFS + 2] as number),
      costUSD: f & HAS_COST ? numbers[n + 1] : undefined,
      input: numbers[n + 2] as number,
      output: numbers[n + 3] as number,
      cacheRead: numbers[n + 4] as number,
      cacheWrite5m: numbers[n + 5] as number,
      cacheWrite1h: numbers[n + 6] as number,
      cacheWrite: numbers[n + 7] as number,
      speedSet: (f & SPEED_SET) !== 0,
      fast: (f & FAST) !== 0,
      fromProgress: (f & FROM_PROGRESS) !== 0,
    };
    const digest = ids[i * IDS + 2];
    if (digest !== undefined) entry.lineDigest = digest;
    entries[i] = entry;
  }
  return { ...rest, entries };
}
