import { Worker } from 'node:worker_threads';
import { COMMIT_BYTES } from '../tail/commit-groups.js';
import type { ReadOptions } from '../tail/jsonl.js';
import { type Chunk, chunkBytes, type ReadJob, type WorkerRequest } from './chunk.js';

/**
 * File bytes read ahead at most: two commit groups, so a group rarely ends early for want of data,
 * while the parsed copies waiting in memory stay a few MB.
 */
const AHEAD_BYTES = 2 * COMMIT_BYTES;
/** Credit is returned to the worker in messages of at least this many bytes. */
const CREDIT_BYTES = 1024 * 1024;

/**
 * Reads and parses Claude transcripts in a worker thread while the reporter's thread dedupes, writes
 * the outbox and sends: `begin` hands it the files a poll will read, in order, from where each resumes;
 * `take` hands back the next chunk of a file once it arrived. The worker reads at most AHEAD_BYTES
 * ahead of what was taken. Whatever goes wrong with the worker (it cannot start, it fails), `take`
 * answers undefined and the caller reads the file itself: the worker only ever saves time.
 */
export class ChunkReader {
  private worker: Worker | undefined;
  private failed = false;
  private closing = false;
  private gen = 0;
  private active = false;
  /** Chunks arrived and not taken, by file, in order. */
  private readonly arrived = new Map<string, Chunk[]>();
  private waiting: { path: string; resolve: () => void } | undefined;
  /** Files the caller finished with: chunks of theirs still to arrive are dropped (and their credit returned). */
  private readonly finished = new Set<string>();
  /** The files this poll handed to the worker. */
  private jobs = new Set<string>();
  /** Credit not yet returned to the worker. */
  private owed = 0;

  constructor(
    private readonly read?: ReadOptions,
    private readonly log: (line: string) => void = () => {},
  ) {}

  /**
   * Starts the worker thread without giving it work, so that its start (~50–100 ms) overlaps the caller
   * listing and checking files before a likely backfill (the state has no cursors yet). `release()` stops it
   * again if it was not used.
   */
  warm(): void {
    // Unreferenced until `begin`: a warmed worker never keeps a reporter from exiting (stopping one that is still starting takes ~0.1 s).
    this.start()?.unref();
  }

  /** Stops a warmed worker that was given no work: an idle thread would only hold memory. */
  release(): void {
    if (this.active || !this.worker) return;
    const worker = this.worker;
    this.worker = undefined;
    worker.removeAllListeners('exit');
    void worker.terminate();
  }

  /**
   * Starts reading these files ahead; `more` adds files after them, so reading starts while the caller
   * is still checking the rest. False when no worker can run (the caller reads them itself).
   */
  begin(jobs: ReadJob[]): boolean {
    const worker = this.start();
    if (!worker) return false;
    this.end();
    this.gen++;
    this.active = true;
    // Held open while it reads for us; idle, it never keeps a finished reporter from exiting.
    worker.ref();
    this.jobs = new Set(jobs.map((j) => j.path));
    worker.postMessage({ type: 'begin', gen: this.gen, jobs, credits: AHEAD_BYTES } satisfies WorkerRequest);
    return true;
  }

  /** Files to read after those already given to `begin` (and earlier `more`s), in order. */
  more(jobs: ReadJob[]): void {
    if (!this.active || jobs.length === 0) return;
    for (const job of jobs) this.jobs.add(job.path);
    this.worker?.postMessage({ type: 'more', gen: this.gen, jobs } satisfies WorkerRequest);
  }

  /**
   * A promise to wait on before taking `path`'s next chunk, or undefined when it can be taken now (it
   * arrived, or reading ahead stopped and the caller reads the file itself).
   */
  pending(path: string): Promise<void> | undefined {
    if (!this.active || !this.jobs.has(path) || this.finished.has(path)) return undefined;
    if ((this.arrived.get(path)?.length ?? 0) > 0) return undefined;
    return new Promise((resolve) => {
      this.waiting = { path, resolve };
    });
  }

  /** The next chunk of `path` read ahead, if it arrived; taking it lets the worker read one more. */
  take(path: string): Chunk | undefined {
    const chunk = this.arrived.get(path)?.shift();
    if (!chunk) return undefined;
    if (this.arrived.get(path)?.length === 0) this.arrived.delete(path);
    this.credit(chunk);
    return chunk;
  }

  /** The worker may read as many bytes more as this chunk took (sent a MiB at a time: fewer messages). */
  private credit(chunk: Chunk): void {
    this.owed += chunkBytes(chunk);
    if (this.owed < CREDIT_BYTES) return;
    this.worker?.postMessage({ type: 'credit', gen: this.gen, bytes: this.owed } satisfies WorkerRequest);
    this.owed = 0;
  }

  /** The caller is done with `path` (caught up, gone, or read itself): drops its chunks, taken or to come. */
  finish(path: string): void {
    if (!this.active) return;
    this.finished.add(path);
    for (const chunk of this.arrived.get(path) ?? []) this.credit(chunk);
    this.arrived.delete(path);
  }

  /** Stops reading ahead and forgets what was read (the files' cursors say where to resume). */
  end(): void {
    if (this.active) this.worker?.postMessage({ type: 'end', gen: this.gen } satisfies WorkerRequest);
    this.worker?.unref();
    this.active = false;
    this.arrived.clear();
    this.finished.clear();
    this.jobs.clear();
    this.owed = 0;
    this.wake();
  }

  close(): void {
    this.closing = true;
    this.end();
    void this.worker?.terminate();
    this.worker = undefined;
  }

  private start(): Worker | undefined {
    if (this.failed) return undefined;
    if (this.worker) return this.worker;
    try {
      // A small young generation: its garbage is short-lived parse trees, and the reporter's peak RSS is bounded.
      const worker = new Worker(workerUrl(), {
        workerData: { read: this.read },
        resourceLimits: { maxYoungGenerationSizeMb: 8 },
      });
      worker.on('message', (m: { gen: number; chunk: Chunk }) => this.arrive(m));
      worker.on('error', (err) => this.fail(err.message));
      worker.on('exit', (code) => this.fail(`it exited (${code})`));
      this.worker = worker;
      return worker;
    } catch (err) {
      this.fail((err as Error).message);
      return undefined;
    }
  }

  private arrive({ gen, chunk }: { gen: number; chunk: Chunk }): void {
    if (gen !== this.gen || !this.active) return;
    if (this.finished.has(chunk.path)) {
      this.credit(chunk);
      return;
    }
    const list = this.arrived.get(chunk.path);
    if (list) list.push(chunk);
    else this.arrived.set(chunk.path, [chunk]);
    if (this.waiting?.path === chunk.path) this.wake();
  }

  private fail(why: string): void {
    if (!this.failed && !this.closing) this.log(`Claude parse worker failed (${why}): reading in the reporter's thread instead`);
    this.failed = true;
    this.worker = undefined;
    this.end();
  }

  private wake(): void {
    const w = this.waiting;
    this.waiting = undefined;
    w?.resolve();
  }
}

/** The worker's module: the bundled one in the installable package (pack/bundle.ts), else the source through tsx. */
function workerUrl(): URL {
  return typeof GASGAUGE_CLAUDE_WORKER === 'string'
    ? new URL(GASGAUGE_CLAUDE_WORKER, import.meta.url)
    : new URL('./parse-worker-boot.mjs', import.meta.url);
}
