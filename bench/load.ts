import { type ChildProcess, fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

interface JobBase {
  /** Loopback base URL, e.g. http://127.0.0.1:43210 */
  url: string;
  token: string;
  /** Requests in flight at once, each on its own keep-alive connection. */
  concurrency: number;
  /** Bounds: stop issuing requests after this many, or after this long, whichever comes first. */
  maxRequests: number;
  maxMs: number;
}

/** POST a fresh body of `batch` usage records to `path` (the ingest route, or the no-op route with the same body). */
export interface PostUsageJob extends JobBase {
  kind: 'usage';
  path: string;
  batch: number;
}

/** GET the REST timeseries of the last `spanMs` (from/to are taken at each request). */
export interface TimeseriesJob extends JobBase {
  kind: 'timeseries';
  townId: string;
  spanMs: number;
  maxPoints: number;
}

/** POST a fresh OTLP/protobuf metrics export of `agents` agents (bench/otlp-body.ts) to /v1/metrics. */
export interface OtlpJob extends JobBase {
  kind: 'otlp';
  agents: number;
}

export type LoadJob = PostUsageJob | TimeseriesJob | OtlpJob;

export interface LoadResult {
  requests: number;
  errors: number;
  firstError: string | null;
  elapsedMs: number;
  latenciesMs: Float64Array;
  /** Sum of `accepted` over ingest responses, or of data points over fully accepted OTLP exports (0 for other routes). */
  accepted: number;
  bodyBytes: number;
}

/**
 * The load generator runs in a child process (its own core and event loop, keep-alive node:http),
 * so the server's thread does only server work. Jobs run one at a time.
 */
export class LoadClient {
  private readonly child: ChildProcess;
  private queue: Promise<unknown> = Promise.resolve();

  constructor() {
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    this.child = fork(new URL('./load-client.ts', import.meta.url), [], {
      execArgv: ['--import', tsx],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
  }

  run(job: LoadJob): Promise<LoadResult> {
    const next = this.queue.then(
      () =>
        new Promise<LoadResult>((resolve, reject) => {
          const onExit = (code: number | null) => reject(new Error(`load client exited (${code})`));
          this.child.once('exit', onExit);
          this.child.once('message', (result) => {
            this.child.off('exit', onExit);
            resolve(result as LoadResult);
          });
          this.child.send(job);
        }),
    );
    this.queue = next.catch(() => undefined);
    return next;
  }

  close(): void {
    if (this.child.connected) this.child.disconnect();
    if (this.child.exitCode === null) this.child.kill();
  }
}
