import { BoundedMap } from '@gasgauge/core/bounded-map';

const isAlnumCode = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isAlnum = (text: string, i: number) => i >= 0 && i < text.length && isAlnumCode(text.charCodeAt(i));

/** What follows a listed name ending in a digit that makes it another version: `-5`, `.9` (a date, 8 digits, does not). */
const VERSION_AFTER = /[-.](\d+)([^A-Za-z0-9]|$)/y;

/**
 * Whether `key` occurs in `text` as a whole model name: bounded by non-alphanumerics, and not followed by
 * another version number (claude-opus-4 must not price claude-opus-4-5), though a date suffix
 * (claude-opus-4-20250514) is the same model.
 */
function containsModelKey(text: string, key: string): boolean {
  for (let i = text.indexOf(key); i >= 0; i = text.indexOf(key, i + 1)) if (wholeNameAt(text, key, i)) return true;
  return false;
}

/** Whether the occurrence of `key` at `i` in `text` is a whole model name (see containsModelKey). */
function wholeNameAt(text: string, key: string, i: number): boolean {
  if (isAlnum(text, i - 1)) return false;
  const end = i + key.length;
  if (end === text.length) return true;
  if (isAlnum(text, end)) return false;
  if (!/\d$/.test(key)) return true;
  VERSION_AFTER.lastIndex = end;
  const version = VERSION_AFTER.exec(text);
  return !version || (version[1] as string).length === 8;
}

/** `.` and `@` as `-`: ccusage compares names so. */
const normalize = (name: string) => name.replace(/[.@]/g, '-');

/** The maximal runs of ASCII letters and digits of `text`, each with where it starts. */
function runs(text: string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (let i = 0; i < text.length; ) {
    if (!isAlnum(text, i)) {
      i++;
      continue;
    }
    let j = i + 1;
    while (isAlnum(text, j)) j++;
    const run = text.slice(i, j);
    const at = out.get(run);
    if (at) at.push(i);
    else out.set(run, [i]);
    i = j;
  }
  return out;
}

/**
 * A model name longer than this is matched only by its exact name: no model has such a name, and finding the
 * listed names contained in it costs time in proportion to its length (a transcript line may hold a 64 MB one).
 */
export const MAX_MATCHED_MODEL_CHARS = 1024;

interface Key {
  key: string;
  normalized: string;
}

/**
 * ccusage's model lookup over a price table: the exact name, then equal with `.`/`@` as `-`, then the longest
 * listed name found in the model name or containing it, as a whole name (containsModelKey).
 *
 * Indexed once, so that a lookup looks only at the listed names that can match: a listed name found in the model
 * name as a whole name starts where one of its runs of letters and digits starts, and that run is the listed
 * name's own first run; a model name found in a listed name has its first run as a whole run of that listed
 * name. Walking the whole list for every name, as before, cost 0.3 ms a Claude and 1.3 ms a Gemini model name
 * the list lacks, so a transcript naming a new made-up model on every line took the reporter minutes a
 * megabyte, and 2 s for each megabyte of one long name. The index is built at the first lookup of a name the list
 * lacks (~60 ms for the three lists a reporter holds, at every start): most runs look up listed names only, and a
 * Claude-only run never looks at the OpenAI and Google lists.
 */
export class ModelTable<T> {
  /** The first listed name of each normalized name. */
  private readonly byNormalized = new Map<string, string>();
  /** Listed names by their first run of letters and digits. */
  private readonly byHead = new Map<string, Key[]>();
  /** Listed names by each run of letters and digits they hold. */
  private readonly byRun = new Map<string, Key[]>();
  /** Listed names that start with neither a letter nor a digit, and those with none at all: always looked at. */
  private readonly headless: Key[] = [];
  private readonly all: Key[] = [];
  /** Listed names compared with a model name so far, over all lookups (the bound's test). */
  compared = 0;

  private indexed = false;

  constructor(private readonly prices: ReadonlyMap<string, T>) {}

  private index(): void {
    this.indexed = true;
    for (const key of this.prices.keys()) {
      const k: Key = { key, normalized: normalize(key) };
      this.all.push(k);
      if (!this.byNormalized.has(k.normalized)) this.byNormalized.set(k.normalized, key);
      const keyRuns = [...runs(k.normalized)];
      const head = keyRuns[0];
      if (head !== undefined && head[1][0] === 0) push(this.byHead, head[0], k);
      else this.headless.push(k);
      for (const [run] of keyRuns) push(this.byRun, run, k);
    }
  }

  match(model: string): T | undefined {
    const exact = this.prices.get(model);
    if (exact) return exact;
    if (model.length > MAX_MATCHED_MODEL_CHARS) return undefined;
    if (!this.indexed) this.index();
    const normalized = normalize(model);
    const same = this.byNormalized.get(normalized);
    if (same !== undefined) return this.prices.get(same);
    let best: string | undefined;
    const consider = (key: string) => {
      if (best === undefined || key.length > best.length || (key.length === best.length && key < best)) best = key;
    };
    // Listed names found in the model name.
    const modelRuns = runs(normalized);
    for (const [run, starts] of modelRuns) {
      for (const k of this.byHead.get(run) ?? []) {
        this.compared++;
        if (starts.some((i) => normalized.startsWith(k.normalized, i) && wholeNameAt(normalized, k.normalized, i)))
          consider(k.key);
      }
    }
    for (const k of this.headless) {
      this.compared++;
      if (containsModelKey(normalized, k.normalized)) consider(k.key);
    }
    // The model name found in listed names: they hold its first run whole (a name with none may be in any).
    const first = /[A-Za-z0-9]+/.exec(normalized)?.[0];
    for (const k of first === undefined ? this.all : (this.byRun.get(first) ?? [])) {
      this.compared++;
      if (containsModelKey(k.normalized, normalized)) consider(k.key);
    }
    return best === undefined ? undefined : this.prices.get(best);
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * Model names whose lookup is remembered (a lookup of a name the list lacks still compares it with a few listed names). The names
 * come from transcripts, so a tree of made-up ones must not grow the memory: past this, the oldest is looked up again.
 */
export const MAX_MATCHED_MODELS = 4096;

/**
 * A price list's remembered lookups: at most MAX_MATCHED_MODELS names, and none longer than MAX_MATCHED_MODEL_CHARS
 * (looked up by its exact name only, which costs no more than the cache would; remembered, 4,096 names of a
 * megabyte each, as a transcript may hold, would have kept 4 GB).
 */
export class MatchCache<T> {
  private readonly found = new BoundedMap<string, T | null>(MAX_MATCHED_MODELS);

  /** What `look` finds for `model`, remembered. */
  lookup(model: string, look: () => T | undefined): T | undefined {
    const kept = this.found.get(model);
    if (kept !== undefined) return kept ?? undefined;
    const found = look();
    if (model.length <= MAX_MATCHED_MODEL_CHARS) this.found.set(model, found ?? null);
    return found;
  }

  /** Names remembered (tests). */
  get size(): number {
    return this.found.size;
  }
}
