import { resolve, sep } from 'node:path';
import { AgentMap, type AgentPath } from './agents.js';
import { pruneClaudeGroups } from './claude/dedupe.js';
import { claudeConfigDirs } from './claude/files.js';
import { PriceList } from './claude/pricing.js';
import { ClaudeSource } from './claude/source.js';
import { codexHomes } from './codex/files.js';
import { codexPrices } from './codex/prices.js';
import { CodexSource } from './codex/source.js';
import { GastownSource } from './gastown/source.js';
import { geminiDataDirs } from './gemini/files.js';
import { geminiPrices } from './gemini/prices.js';
import { GeminiSource } from './gemini/source.js';
import { LocPoller, type Worktree } from './git/poller.js';
import { TokenSource } from './http/token.js';
import { attachOpencode, type Credentials } from './opencode/attach.js';
import { OpencodeDiskSource } from './opencode/disk.js';
import { type EventSource, type OpencodeOptions, type OpencodeStats, OpencodeUsage } from './opencode/events.js';
import { opencodeDataDirs, opencodeNamedStores } from './opencode/files.js';
import { pruneOpencodeSteps, SqliteStepLedger } from './opencode/ledger.js';
import { OpencodePrices } from './opencode/prices.js';
import type { BackoffOptions } from './outbox/backoff.js';
import { Sender } from './outbox/sender.js';
import { Store } from './outbox/store.js';
import { unpricedTeller } from './pricing/unpriced.js';
import { type OnUnreadable, unreadable } from './tail/walk.js';
import { Waker } from './wait.js';

export interface ReporterOptions {
  serverUrl: string;
  townId: string;
  tokenFile: string;
  /** Run on a 401 to get a fresh token (see TokenSource). */
  tokenCommand?: string | undefined;
  /** Where the outbox, the cursors and the dead-letter file live. */
  stateDir: string;
  /** Tail Claude Code transcripts (default true). */
  claude?: boolean;
  /** Claude config dirs; empty: CLAUDE_CONFIG_DIR, else ~/.config/claude and ~/.claude. */
  claudeDirs?: readonly string[];
  /** Tail Codex CLI rollout files (default true). */
  codex?: boolean;
  /** Codex homes; empty: CODEX_HOME (comma-separated), else ~/.codex. */
  codexHomes?: readonly string[];
  /** Read Gemini CLI chats (default true). */
  gemini?: boolean;
  /** Gemini data dirs (the `tmp` directory); empty: GEMINI_DATA_DIR (comma-separated), else ~/.gemini/tmp. */
  geminiDirs?: readonly string[];
  /** Read OpenCode's and Kilo's stores on disk (default true). */
  opencode?: boolean;
  /** OpenCode / Kilo data dirs; empty: OPENCODE_DATA_DIR and KILO_DATA_DIR (comma-separated), else ~/.local/share/{opencode,kilo}. */
  opencodeDirs?: readonly string[];
  /** Running `opencode serve` / `kilo serve` servers to attach to while running (not with runOnce). */
  opencodeUrls?: readonly string[];
  /** Their basic-auth pairs to try in turn (opencode serve's, kilo serve's: `opencodeCredentials()`). */
  opencodeCredentials?: readonly Credentials[] | undefined;
  worktrees?: readonly Worktree[];
  base?: string | undefined;
  gastownRoot?: string | undefined;
  /** Extra cwd → agent directories for transcript attribution (the worktrees count too). */
  agentPaths?: readonly AgentPath[];
  /** How often lines of code are measured (default 30 s). */
  locIntervalMs?: number;
  /** How often files are checked for new lines (default 1 s). */
  pollMs?: number;
  /** Bytes of one file a pass reads at most (default PASS_FILE_BYTES; tests make it small). */
  passFileBytes?: number;
  /** How often dedupe state not touched for 45 days is deleted while running (default 1 h; also at a start, unless done within it). */
  pruneIntervalMs?: number;
  maxPendingBytes?: number;
  backoff?: BackoffOptions;
  log?: (line: string) => void;
  /**
   * Source directories and worktrees the caller has already said are wrong (the CLI, at start, naming its option: a
   * `--claude-dir` that is a file, a `--worktree` not there): not said a second time in other words (one that cannot be
   * read still counts in `--once`'s unreadable paths).
   */
  told?: readonly Told[];
}

/**
 * A path the caller has said is wrong (ReporterOptions.told), and, for a source directory that cannot be read, why in
 * the words a walk would say it (unreadableReason of `unreadable(path, true)`): the caller looked already, so the
 * Reporter does not look again. None for a worktree (no source reads it, and it is no unreadable path of `--once`'s)
 * or a directory that is not there.
 */
export interface Told {
  path: string;
  why?: string | undefined;
}

export interface ReporterStatus {
  /** Bytes of Claude Code transcripts and Codex rollouts read so far: a backfill's progress. */
  read: number;
  sent: number;
  pending: number;
  quarantined: number;
  dropped: number;
  lastError: string | undefined;
  retryAt: number | undefined;
  full: boolean;
}

/** An agent CLI's files, as the reporter reads them. */
export type FoundSource = 'claude' | 'codex' | 'gemini' | 'opencode';

/** What one source found, and where it looked (see Reporter.found). */
export interface FoundFiles {
  source: FoundSource;
  files: number;
  dirs: string[];
}

/** What a `--once` run ends with. */
export interface OnceResult {
  /** Everything taken in was acknowledged by the server (nothing pending). */
  delivered: boolean;
  /** Records moved to the dead-letter file during this run. */
  quarantined: number;
  pending: number;
  /** Why delivery stopped short, when it did. */
  error: string | undefined;
  /**
   * Directories and files under the sources' directories that are there but could not be read (said as
   * warnings), at most MAX_UNREADABLE.
   */
  unreadable: string[];
}

/**
 * The agent-side collector: sources (Claude Code transcripts, Codex CLI rollouts, Gemini CLI chats, OpenCode / Kilo stores and
 * live servers, Gas Town events, git worktrees, an OpenCode event stream) → durable outbox → the ingest API. Which guarantee comes from where:
 * - *nothing lost*: a record is in SQLite before anything is sent, and deleted only on a 2xx; a file
 *   source commits its offset with the records it produced, so a crash re-reads, never skips;
 * - *nothing counted twice*: a re-read or a retry sends the same ids — usage as cumulative totals
 *   per response, events by id — and the server adds only what it has not counted (docs/api.md);
 * - *bounded*: batches ≤ 5,000 records and 1 MiB; the outbox has a byte bound, past which file tailers
 *   pause (their data stays in the files) and stream records are dropped and counted, with a warning.
 */
export class Reporter {
  readonly store: Store;
  readonly sender: Sender;
  readonly claude: ClaudeSource | undefined;
  readonly codex: CodexSource | undefined;
  readonly gemini: GeminiSource | undefined;
  /** OpenCode / Kilo: the stores on disk, and the usage live servers feed too (present when either is on). */
  readonly opencodeDisk: OpencodeDiskSource | undefined;
  readonly gastown: GastownSource | undefined;
  readonly loc: LocPoller | undefined;
  /** Stops every loop (stop()); the timed loops (prune, lines of code) sleep on it, so only a stop cuts them short. */
  private readonly waker = new Waker();
  /**
   * Wakes the read loop alone: a watched file changed. The prune and lines-of-code loops slept on the one waker too,
   * so every change a watch reported pruned the state (~70 ms for 118k responses) and ran git in every worktree. A
   * change during a poll is kept for the next sleep (keepWakes).
   */
  private readonly readLoop = new Waker(true);
  private readonly detach = new AbortController();
  private readonly log: (line: string) => void;
  private dropped = 0;
  private sourceError: string | undefined;
  /** A watched file changed: poll now rather than at the next tick. */
  private readonly changed = () => this.readLoop.wake();
  /**
   * Paths a source could not read, and why: each said once, again only when the reason changes. Bounded: a
   * `chmod 000` over a tree of 100k transcripts is remembered up to MAX_UNREADABLE paths and said for the
   * first MAX_UNREADABLE_SAID, then in one line.
   */
  private readonly unreadable = new Map<string, string>();
  private readonly onUnreadable: OnUnreadable = (under, underErr) => {
    const [path, err] = this.atRoot(under, underErr);
    const why = unreadableReason(err);
    const known = this.unreadable.get(path);
    if (known === why || (known === undefined && this.unreadable.size >= MAX_UNREADABLE)) return;
    this.unreadable.set(path, why);
    if (this.unreadable.size <= MAX_UNREADABLE_SAID || known !== undefined)
      this.log(`WARNING: cannot read ${path}: ${why}; skipped until it can be read`);
    else if (this.unreadable.size === MAX_UNREADABLE_SAID + 1)
      this.log(`WARNING: more paths cannot be read; not each is said (--once counts them, up to ${MAX_UNREADABLE})`);
  };

  /** The sources' directories (claude, codex, gemini, opencode data dirs, Gas Town's root): see atRoot. */
  private readonly roots: string[] = [];

  /**
   * A path under a source's directory that cannot be read because that directory cannot (a file given as one):
   * said as the directory, once. A file named as `--codex-home` was said three times: at start, then as its
   * `sessions` and its `archived_sessions` (ENOTDIR); a `--claude-dir`, a `--gastown` twice.
   */
  private atRoot(path: string, err: NodeJS.ErrnoException): [string, NodeJS.ErrnoException] {
    for (const root of this.roots) {
      if (!path.startsWith(root.endsWith(sep) ? root : `${root}${sep}`)) continue;
      const rootErr = this.rootState(root);
      if (rootErr) return [root, rootErr];
    }
    return [path, err];
  }

  /**
   * The roots' state during a poll (collect), each looked up once: atRoot asked for every unreadable path a walk
   * met, a few access calls each, so a directory of n mode-000 transcripts looked up the same roots n times every poll.
   */
  private rootStates: Map<string, NodeJS.ErrnoException | undefined> | undefined;

  private rootState(root: string): NodeJS.ErrnoException | undefined {
    if (!this.rootStates) return unreadable(root, true);
    if (!this.rootStates.has(root)) this.rootStates.set(root, unreadable(root, true));
    return this.rootStates.get(root);
  }

  constructor(private readonly opts: ReporterOptions) {
    this.log = opts.log ?? (() => {});
    // Said by the caller already (opts.told), with why: remembered as said, so a source's walk repeats none of it.
    for (const { path, why } of opts.told ?? []) if (why !== undefined) this.unreadable.set(resolve(path), why);
    this.store = new Store(opts.stateDir, {
      ...(opts.maxPendingBytes === undefined ? {} : { maxPendingBytes: opts.maxPendingBytes }),
      onFull: (pending, max) =>
        this.log(
          `WARNING: the outbox holds ${(pending / 2 ** 20).toFixed(1)} MiB, its bound is ${(max / 2 ** 20).toFixed(1)} MiB: ` +
            'file sources pause until the server takes records; stream records are dropped',
        ),
      // Counted as a record the server refused; said one by one for the first MAX_REFUSED_SAID, then once.
      onRefused: (kind, id, reason) => {
        const n = ++this.sender.state.quarantined;
        if (n <= MAX_REFUSED_SAID) this.log(`quarantined ${kind} record ${id}: ${reason}`);
        else if (n === MAX_REFUSED_SAID + 1)
          this.log(`more records are quarantined unsent; not each is said (the dead-letter file has them)`);
      },
    });
    this.pruneIfDue();
    this.sender = new Sender({
      store: this.store,
      serverUrl: opts.serverUrl,
      townId: opts.townId,
      token: new TokenSource({ file: opts.tokenFile, refreshCommand: opts.tokenCommand }),
      ...(opts.backoff ? { backoff: opts.backoff } : {}),
      // Once stopping, a request cut short is no failure (its records stay for the next start): every Ctrl-C
      // logged "delivery failed (no answer …: AbortError); retrying in 0.3 s", and retried nothing.
      log: (line) => {
        if (!this.waker.isStopped) this.log(line);
      },
    });
    // Every commit that queued records wakes the sender: delivery overlaps reading.
    this.store.onEnqueued(() => this.sender.wake());
    const worktrees = opts.worktrees ?? [];
    const agents = new AgentMap({
      paths: [...(opts.agentPaths ?? []), ...worktrees.map((w) => ({ path: w.path, agentId: w.agentId }))],
      gastownRoot: opts.gastownRoot,
    });
    // One copy of each request-priced list (and of its remembered matches) for every source that prices from it.
    const openaiPrices = codexPrices();
    const googlePrices = geminiPrices();
    // What every file source is given alike: the store, the agent map, whom to wake on a change, where to say a file
    // is unreadable, whom to tell of a model no price list knows, and how much of a file a pass reads.
    const tailing = {
      store: this.store,
      agents,
      onChange: this.changed,
      onUnreadable: this.onUnreadable,
      onUnpriced: unpricedTeller(this.log),
      ...(opts.passFileBytes === undefined ? {} : { passFileBytes: opts.passFileBytes }),
    };
    if (opts.claude !== false) {
      this.claude = new ClaudeSource({
        ...tailing,
        configDirs: this.note('claude', claudeConfigDirs(opts.claudeDirs ?? [])),
        prices: PriceList.load(openaiPrices),
        log: this.log,
      });
    }
    this.codex =
      opts.codex === false
        ? undefined
        : new CodexSource({
            ...tailing,
            homes: this.note('codex', codexHomes(opts.codexHomes ?? [])),
            prices: openaiPrices,
          });
    this.gemini =
      opts.gemini === false
        ? undefined
        : new GeminiSource({
            ...tailing,
            dirs: this.note('gemini', geminiDataDirs(opts.geminiDirs ?? [])),
            prices: googlePrices,
          });
    const attaching = (opts.opencodeUrls ?? []).length > 0;
    const opencodeDirs = opts.opencode === false ? [] : opencodeDataDirs(opts.opencodeDirs ?? []);
    const opencodeStores = opts.opencode === false ? [] : opencodeNamedStores(opts.opencodeDirs ?? []);
    this.opencodeDisk =
      opts.opencode === false && !attaching
        ? undefined
        : new OpencodeDiskSource({
            store: this.store,
            dirs: opencodeDirs,
            stores: opencodeStores,
            agents,
            prices: OpencodePrices.load(openaiPrices, googlePrices),
            onUnpriced: tailing.onUnpriced,
            log: this.log,
            onUnreadable: this.onUnreadable,
          });
    // Where it looked: the data dirs, and the stores OPENCODE_DB / KILO_DB name.
    if (opts.opencode !== false) this.note('opencode', [...opencodeDirs, ...opencodeStores]);
    for (const [source, dirs] of this.lookedIn) if (source !== 'opencode') this.roots.push(...dirs);
    this.roots.push(...opencodeDirs);
    if (opts.gastownRoot) this.roots.push(resolve(opts.gastownRoot));
    this.gastown = opts.gastownRoot ? new GastownSource(this.store, opts.gastownRoot, this.onUnreadable) : undefined;
    this.loc =
      worktrees.length > 0
        ? new LocPoller({
            store: this.store,
            worktrees,
            base: opts.base,
            log: this.log,
            told: (opts.told ?? []).map((t) => t.path),
          })
        : undefined;
  }

  /** The directories each file source that is on looks in (see found). */
  private readonly lookedIn = new Map<FoundSource, readonly string[]>();

  private note(source: FoundSource, dirs: readonly string[]): readonly string[] {
    this.lookedIn.set(source, dirs);
    return dirs;
  }

  /**
   * What each agent CLI source that is on found at its last listing (transcripts, rollouts, chats; OpenCode /
   * Kilo: stores), and where it looked: a first run that sends nothing says where it looked, not only `delivered: 0`.
   */
  found(): FoundFiles[] {
    const count: Record<FoundSource, () => number> = {
      claude: () => this.claude?.stats.files ?? 0,
      codex: () => this.codex?.stats.files ?? 0,
      gemini: () => this.gemini?.stats.files ?? 0,
      opencode: () => this.opencodeDisk?.storeFiles().length ?? 0,
    };
    return [...this.lookedIn].map(([source, dirs]) => ({ source, files: count[source](), dirs: [...dirs] }));
  }

  /**
   * Lines (rows, files) each agent CLI source that is on has skipped as malformed so far, this state's whole life
   * (the counts are kept with it): a `--once` says how many it skipped itself, the difference.
   */
  malformed(): Map<FoundSource, number> {
    const counts = new Map<FoundSource, number>();
    if (this.claude) counts.set('claude', this.claude.stats.malformed);
    if (this.codex) counts.set('codex', this.codex.stats.malformed);
    if (this.gemini) counts.set('gemini', this.gemini.stats.malformed);
    if (this.opencodeDisk) counts.set('opencode', this.opencodeDisk.stats.malformed);
    return counts;
  }

  /** Reads every file source to its end (or until the outbox is full). True when all caught up. */
  async collect(): Promise<boolean> {
    let caughtUp = true;
    this.rootStates = new Map();
    try {
      for (const source of [this.claude, this.codex, this.gemini, this.opencodeDisk, this.gastown]) {
        // Stopped (Ctrl-C): the sources not read yet wait for the next start, as the rest of a file does.
        if (this.waker.isStopped) return false;
        if (source && !(await source.poll())) caughtUp = false;
      }
      this.sourceError = undefined;
      this.noteWatchFailure();
    } catch (err) {
      this.sourceError = (err as Error).message;
      this.log(`reading sources failed: ${this.sourceError}`);
      throw err;
    } finally {
      this.rootStates = undefined;
    }
    return caughtUp;
  }

  /**
   * `--once`: take in what exists now, deliver it, and say whether the server acknowledged everything.
   * Delivery runs while the sources are read: each committed group of records wakes the sender.
   */
  async runOnce(deadline: number): Promise<OnceResult> {
    const quarantinedBefore = this.sender.state.quarantined;
    // What is read is sent from memory, and committed once acknowledged (Store.hold): a backfill's records are
    // not written to the outbox table, read back and deleted. What is not acknowledged at the end is written.
    this.store.hold();
    let reading = true;
    let delivering = true;
    const delivered = this.sender
      .drain(deadline, () => reading, { staleTokenEnds: true })
      .finally(() => {
        delivering = false;
      });
    let caughtUp = false;
    let outOfTime = false;
    try {
      await this.loc?.poll();
      caughtUp = await this.collect();
      // A full outbox stops the tailers short: read on as delivery makes room, unless delivery stopped. A store
      // another process keeps locked is a wait, as a retry is, so the deadline ends it: each poll waited out the busy
      // timeout, read nothing and polled again, and a `--once` waited for the lock to go whatever its --timeout.
      // (Reading that makes progress goes on past the deadline, as delivery that succeeds does.)
      let busy = false;
      while (!caughtUp && !this.waker.isStopped) {
        while (this.store.full && delivering) await new Promise((r) => setTimeout(r, 50));
        if (this.store.full) break;
        if (busy && Date.now() >= deadline) {
          outOfTime = true;
          break;
        }
        const busyBefore = this.opencodeDisk?.stats.busy ?? 0;
        caughtUp = await this.collect();
        busy = (this.opencodeDisk?.stats.busy ?? 0) > busyBefore;
      }
    } catch (err) {
      // A source failed: stop delivering (what was not acknowledged stays in the outbox) before the store closes.
      this.sender.stop();
      await delivered.catch(() => {});
      throw err;
    } finally {
      reading = false;
      this.sender.wake();
    }
    const drained = await delivered;
    this.store.release();
    const pending = this.store.pendingCount();
    const deliveryError = this.sender.state.fatal?.message ?? this.sender.state.lastError?.message;
    return {
      unreadable: [...this.unreadable.keys()],
      delivered: caughtUp && drained && pending === 0,
      quarantined: this.sender.state.quarantined - quarantinedBefore,
      pending,
      error: this.waker.isStopped
        ? caughtUp && drained && pending === 0
          ? undefined
          : 'stopped by a signal before everything was read and delivered'
        : pending > 0 || !drained
          ? (deliveryError ?? 'the deadline passed before the server acknowledged everything')
          : caughtUp
            ? undefined
            : outOfTime
              ? 'the deadline passed while an OpenCode or Kilo store stayed locked by another process, so it was not read'
              : 'the outbox stayed full, so not every source was read',
    };
  }

  private watchFailureLogged = false;

  /** Once: a source could not watch its directories (no inotify, its limit reached) and rescans instead. */
  private noteWatchFailure(): void {
    if (this.watchFailureLogged) return;
    const failure = this.fileSources().find((s) => s.watchFailure)?.watchFailure;
    if (!failure) return;
    this.watchFailureLogged = true;
    this.log(`WARNING: ${failure}; files are checked every poll instead`);
  }

  /** The file sources (Claude, Codex, Gemini) that are on. */
  private fileSources(): (ClaudeSource | CodexSource | GeminiSource)[] {
    return [this.claude, this.codex, this.gemini].filter((s) => s !== undefined);
  }

  /**
   * Runs until stop(): watches the file sources' directories and reads what changed as soon as it
   * changed (and everything every minute all the same: see FileList), polls every `pollMs`, measures
   * worktrees every `locIntervalMs`, delivers meanwhile. `firstRead` is called once, after the first poll
   * (the CLI says what the sources found then).
   */
  async run(firstRead?: () => void): Promise<void> {
    for (const s of this.fileSources()) s.watch();
    this.gastown?.watch();
    const delivering = this.sender.run();
    const measuring = this.loopLoc();
    const pruning = this.loopPrune();
    const attached = (this.opts.opencodeUrls ?? []).map((url) => this.attach(url));
    try {
      for (let first = true; !this.waker.isStopped; first = false) {
        try {
          await this.collect();
        } catch {
          // Logged by collect(); the next poll tries again.
        }
        if (first && !this.waker.isStopped) firstRead?.();
        // A pass left a file before its end (PASS_FILE_BYTES): the next reads on at once, once the sender and the
        // timers had their turn. Waiting pollMs between passes made a 1 GB transcript a minute's wait more.
        if (this.fileSources().some((s) => s.behind) || this.gastown?.behind) await new Promise((r) => setImmediate(r));
        else await this.readLoop.sleep(this.opts.pollMs ?? 1000);
      }
    } finally {
      this.sender.stop();
      this.detach.abort();
      await Promise.allSettled([delivering, measuring, pruning, ...attached]);
    }
  }

  /** Forgets dedupe state (Claude response groups, OpenCode steps) not touched for 45 days. */
  private prune(): void {
    const now = Date.now();
    this.store.transaction(() => {
      pruneClaudeGroups(this.store.sql, now);
      pruneOpencodeSteps(this.store.sql, now);
      this.store.setCounterIn(PRUNED_AT, now);
    });
    this.claude?.forgetCachedGroups();
  }

  /**
   * At start: prunes unless a reporter on this state did within the prune interval. Each prune reads every
   * stored response (~70 ms for 118k), and a `--once` run from cron every few minutes paid it every time
   * for nothing. A clock set back since the last prune prunes.
   */
  private pruneIfDue(): void {
    const last = this.store.counter(PRUNED_AT);
    const now = Date.now();
    if (last <= now && now - last < (this.opts.pruneIntervalMs ?? PRUNE_EVERY_MS)) return;
    this.prune();
  }

  private async loopPrune(): Promise<void> {
    for (;;) {
      await this.waker.sleep(this.opts.pruneIntervalMs ?? PRUNE_EVERY_MS);
      if (this.waker.isStopped) return;
      try {
        this.prune();
      } catch (err) {
        this.log(`pruning the state failed: ${(err as Error).message}`);
      }
    }
  }

  private async loopLoc(): Promise<void> {
    if (!this.loc) return;
    while (!this.waker.isStopped) {
      try {
        await this.loc.poll();
      } catch (err) {
        this.log(`lines of code failed: ${(err as Error).message}`);
      }
      await this.waker.sleep(this.opts.locIntervalMs ?? 30_000);
    }
  }

  /**
   * Follows a live OpenCode / Kilo server until stop(). Each (re)connection first catches up from the
   * stores on disk; a live event that meets a full outbox is dropped and counted (the store keeps it).
   */
  private async attach(url: string): Promise<void> {
    const disk = this.opencodeDisk as OpencodeDiskSource;
    await attachOpencode({
      url,
      credentials: this.opts.opencodeCredentials,
      signal: this.detach.signal,
      log: this.log,
      onConnect: () => disk.poll(),
      onEvent: (event) => {
        if (this.store.full) {
          this.dropped++;
          this.store.transaction(() => this.store.addCounterIn('opencode.dropped', 1));
          return;
        }
        disk.live(event);
      },
    });
  }

  /**
   * Feeds a Kilo / OpenCode SDK event stream (`client.event.subscribe()`, as it comes) into the
   * outbox; resolves when the stream ends. Each grown message total is committed before the next
   * event is read.
   */
  async opencode(stream: EventSource, opts: Omit<OpencodeOptions, 'emit' | 'steps' | 'tx'>): Promise<OpencodeStats> {
    const usage = new OpencodeUsage({
      ...opts,
      tx: this.store,
      steps: new SqliteStepLedger(this.store.sql),
      emit: (record) => {
        // A stream cannot be re-read later, so when the outbox is full there is nowhere to wait: drop and count.
        if (this.store.full) {
          this.dropped++;
          this.store.transaction(() => this.store.addCounterIn('opencode.dropped', 1));
          return;
        }
        this.store.transaction(() => this.store.enqueue('usage', record.id, record, 'replace'));
      },
    });
    await usage.consume(stream);
    return usage.stats;
  }

  status(): ReporterStatus {
    const s = this.sender.state;
    return {
      read: (this.claude?.stats.bytes ?? 0) + (this.codex?.stats.bytes ?? 0) + (this.gemini?.stats.bytes ?? 0),
      sent: s.sent,
      pending: this.store.pendingCount(),
      quarantined: s.quarantined,
      dropped: this.dropped,
      lastError: s.fatal?.message ?? this.sourceError ?? s.lastError?.message,
      retryAt: s.retryAt,
      full: this.store.full,
    };
  }

  stop(): void {
    this.waker.stop();
    this.readLoop.stop();
    // Readers stop at their next commit (a Claude backfill read its whole tree first): the rest waits for the next start.
    this.store.stopReading();
    this.detach.abort();
    this.sender.stop();
  }

  close(): void {
    this.stop();
    for (const s of this.fileSources()) s.close();
    this.opencodeDisk?.close();
    this.store.close();
  }
}

/** How often dedupe state is pruned (ReporterOptions.pruneIntervalMs), and when it is due again at a start. */
const PRUNE_EVERY_MS = 3_600_000;
/** The state's counter that holds when it was last pruned (epoch ms). */
const PRUNED_AT = 'pruned.at';

/** Unreadable paths remembered (each said once), and said one by one. */
export const MAX_UNREADABLE = 10_000;
export const MAX_UNREADABLE_SAID = 100;
/** Records refused unsent (out of the API's bounds) said one by one; the rest in one line. */
const MAX_REFUSED_SAID = 100;

/** What an unreadable path's error means, in words a user acts on (the code kept for a search). */
export function unreadableReason(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'EACCES':
    case 'EPERM':
      return `permission denied (${err.code}): chmod it, or run the reporter as its owner`;
    case 'ELOOP':
      return 'a symlink loop (ELOOP)';
    case 'ENOTDIR':
      return 'not a directory (ENOTDIR)';
    default:
      return err.code ? `${err.code}: ${err.message}` : err.message;
  }
}
