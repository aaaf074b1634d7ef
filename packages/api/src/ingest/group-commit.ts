import { AppError, type IngestJob, type IngestResult, type IngestResults, plural, type Town } from '@gasgauge/core';

/**
 * Records, events and lines-of-code reports one town's queue holds before it sheds load (503 with
 * `Retry-After`): ten full batches. A town whose writes fall behind answers at once instead of
 * holding ever more bodies in memory; reporters and exporters retry.
 */
export const MAX_QUEUED_ITEMS = 50_000;

interface Waiting {
  job: IngestJob;
  resolve: (result: IngestResult) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit: ingest requests for one town that arrive while the event loop is busy are written in
 * one transaction, so concurrent reporters share a commit instead of paying one each. A request is
 * answered only after the transaction holding its job commits; if it fails, every request in it gets
 * the error and nothing of any of them is stored. A request the data refuses (a bound) gets its own
 * 4xx, and the others commit. It runs where the town's `Town` is (`LocalTowns`): in the Node process,
 * or inside the town's Durable Object.
 */
export class GroupCommit {
  private readonly pending = new Map<string, Waiting[]>();
  private readonly queued = new Map<string, number>();

  constructor(
    /** The town to write to, got again for every group (the host may have closed it meanwhile). */
    private readonly open: (townId: string) => Pick<Town, 'ingest'>,
    /** When to write what has gathered (`afterTwoTurns` on Node). */
    private readonly defer: (fn: () => void) => void,
  ) {}

  submit<K extends IngestJob['kind']>(townId: string, job: Extract<IngestJob, { kind: K }>): Promise<IngestResults[K]> {
    const items = sizeOf(job);
    const queued = this.queued.get(townId) ?? 0;
    if (queued > 0 && queued + items > MAX_QUEUED_ITEMS) {
      const message = `town ${townId} has ${plural(queued, 'item')} waiting to be written (at most ${MAX_QUEUED_ITEMS}); retry`;
      return Promise.reject(new AppError('unavailable', message));
    }
    this.queued.set(townId, queued + items);
    return new Promise<IngestResult>((resolve, reject) => {
      let queue = this.pending.get(townId);
      if (!queue) {
        queue = [];
        this.pending.set(townId, queue);
        this.defer(() => this.flush(townId));
      }
      queue.push({ job, resolve, reject });
    }) as Promise<IngestResults[K]>;
  }

  private flush(townId: string): void {
    const queue = this.pending.get(townId) ?? [];
    this.pending.delete(townId);
    this.queued.delete(townId);
    try {
      const results = this.open(townId).ingest(queue.map((w) => w.job));
      queue.forEach((w, i) => {
        const result = results[i];
        if (result instanceof AppError) w.reject(result);
        else w.resolve(result as IngestResult);
      });
    } catch (err) {
      for (const w of queue) w.reject(err);
    }
  }
}

function sizeOf(job: IngestJob): number {
  if (job.kind === 'events') return job.events.length;
  return job.kind === 'loc' ? job.reports.length : job.records.length;
}
