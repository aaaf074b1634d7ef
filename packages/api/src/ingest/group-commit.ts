import { AppError, type IngestJob, type IngestResult, type IngestResults, type Town } from '@gasgauge/core';

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

  constructor(
    /** The town to write to, got again for every group (the host may have closed it meanwhile). */
    private readonly open: (townId: string) => Pick<Town, 'ingest'>,
    /** When to write what has gathered (`afterTwoTurns` on Node). */
    private readonly defer: (fn: () => void) => void,
  ) {}

  submit<K extends IngestJob['kind']>(townId: string, job: Extract<IngestJob, { kind: K }>): Promise<IngestResults[K]> {
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
