import { AppError, type IngestJob, type IngestResult, type IngestResults, plural, type Town } from '@gasgauge/core';

/**
 * Records, events and lines-of-code reports one town's queue holds before it sheds load (503 with
 * `Retry-After`): ten full batches. A town whose writes fall behind answers at once instead of
 * holding ever more bodies in memory; reporters and exporters retry.
 */
export const MAX_QUEUED_ITEMS = 50_000;

/**
 * Items written in one transaction at most, unless one request alone holds more (it is never split:
 * a request is stored whole or not at all). The rest of the queue is written in the next group, after
 * the host's `defer` again, so other requests run in between. A group is synchronous SQLite on the
 * one event loop: ten concurrent 5,000-record requests from one ingest token were one 50,000-record
 * transaction that held every other town's requests for 1.8 s (`group-hold-http.test.ts`).
 */
export const MAX_GROUP_ITEMS = 5_000;

interface Waiting {
  job: IngestJob;
  resolve: (result: IngestResult) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit: ingest requests for one town that arrive while the event loop is busy are written in
 * one transaction (of at most MAX_GROUP_ITEMS items, oldest first; the rest in the next), so concurrent
 * reporters share a commit instead of paying one each. A request is
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
    /** When to write the rest of a queue past one group (MAX_GROUP_ITEMS): `defer` unless a host says otherwise. */
    private readonly deferRest: (fn: () => void) => void = defer,
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
    // The oldest requests up to MAX_GROUP_ITEMS (the first whatever its size); later ones wait for the next group.
    let items = 0;
    let n = 0;
    while (n < queue.length) {
      const size = sizeOf((queue[n] as Waiting).job);
      if (n > 0 && items + size > MAX_GROUP_ITEMS) break;
      items += size;
      n++;
    }
    const group = queue.splice(0, n);
    if (queue.length === 0) this.pending.delete(townId);
    else this.deferRest(() => this.flush(townId));
    const left = (this.queued.get(townId) ?? 0) - items;
    if (left > 0) this.queued.set(townId, left);
    else this.queued.delete(townId);
    try {
      const results = this.open(townId).ingest(group.map((w) => w.job));
      group.forEach((w, i) => {
        const result = results[i];
        if (result instanceof AppError) w.reject(result);
        else w.resolve(result as IngestResult);
      });
    } catch (err) {
      for (const w of group) w.reject(err);
    }
  }
}

function sizeOf(job: IngestJob): number {
  if (job.kind === 'events') return job.events.length;
  return job.kind === 'loc' ? job.reports.length : job.records.length;
}
