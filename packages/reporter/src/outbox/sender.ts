import { DeliveryError, ReporterError } from '../errors.js';
import { postJson } from '../http/client.js';
import type { TokenSource } from '../http/token.js';
import type { JsonFields } from '../json.js';
import { plural } from '../plural.js';
import { Waker } from '../wait.js';
import { type RecordKind, ROUTES } from '../wire.js';
import { Backoff, type BackoffOptions } from './backoff.js';
import type { OutboxRow, Store } from './store.js';

/** The API's request limit is 1 MiB; the envelope `{"records":[…]}` takes the rest. */
export const MAX_BATCH_BYTES = 1024 * 1024 - 64;
/** The API's bound on records per batch (docs/api.md); with ~350-byte usage records the byte bound closes a batch first. */
export const MAX_BATCH_RECORDS = 5000;
/** Batches waiting for the server at once: the next is built and sent while the server commits the last. */
export const MAX_IN_FLIGHT = 3;

export interface SenderOptions {
  store: Store;
  /** Base URL of the Gas Gauge server, e.g. http://127.0.0.1:8787 */
  serverUrl: string;
  townId: string;
  token: TokenSource;
  maxRecords?: number;
  maxBytes?: number;
  /** Batches in flight at once (default MAX_IN_FLIGHT). */
  maxInFlight?: number;
  backoff?: BackoffOptions;
  requestTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface DeliveryState {
  sent: number;
  quarantined: number;
  /** Server tallies summed over acknowledged batches. */
  server: { accepted: number; duplicates: number; ignored: number; tooOld: number; skewed: number };
  lastError: { message: string; status: number; at: number } | undefined;
  /** When the next try is due after a failure (epoch ms), or undefined while healthy. */
  retryAt: number | undefined;
  /** Set by a refusal that no retry of the same request can fix (unknown town, token for another town, a 4xx not from the API). */
  fatal: DeliveryError | undefined;
}

/**
 * 5xx that no retry of the same request fixes soon, so they are refusals, not outages: the server will not do
 * this at all (501 Not Implemented: `--server` names something other than Gas Gauge, `python3 -m http.server`
 * answers a POST so; 505 HTTP Version Not Supported), or the town is past its storage quota (507: room comes
 * back as its data passes retention, or when an operator raises the quota). A running reporter retries them
 * every minute; `--once` stops and says so, instead of retrying until its timeout.
 */
const NEVER_5XX = new Set([501, 505, 507]);

/** 401 is a token problem, 408/429/5xx and no answer are the server's: all retried, nothing quarantined. */
function isRetryable(err: DeliveryError): boolean {
  return err.status === 0 || err.status === 408 || err.status === 429 || (err.status >= 500 && !NEVER_5XX.has(err.status));
}

/** The statuses with which the ingest API refuses records (docs/api.md); only these ever quarantine. */
const RECORD_REFUSALS = new Set([400, 403, 413, 422]);

/**
 * The API refused records of the batch: a 400/403/413/422 whose body is the API's own error shape
 * (`{"error": {"code", "message"}}`), other than a 403 for the town. Anything else could be a proxy,
 * a wrong URL or another service answering, and is no reason to throw records away.
 */
function isRecordRefusal(err: DeliveryError): boolean {
  if (!err.apiError || !RECORD_REFUSALS.has(err.status)) return false;
  return !(err.status === 403 && (err.path === undefined || err.path === 'townId'));
}

/**
 * A refusal of the request as a whole, which no retry of the same request fixes and no record is to
 * blame for: an unknown town, a token for another town, and every 4xx that is not the API refusing
 * records (405, 409, 410, 415, an HTML 400 from a proxy, …). Nothing is quarantined; `--once` stops and
 * a running reporter retries every minute.
 */
function isConfigRefusal(err: DeliveryError): boolean {
  return err.status !== 401 && !isRetryable(err) && !isRecordRefusal(err);
}

/**
 * Optional record fields newer than some servers: one an older Gas Gauge refuses as an unknown key
 * (`records[3]: Unrecognized key: "session"`) is left out of every batch from then on, and the batch
 * sent again, rather than each record quarantined.
 */
const NEWER_FIELDS: readonly string[] = ['session'];

/** The newer field an API refusal says the server does not know, if that is what it says. */
function unknownNewerField(err: DeliveryError): string | undefined {
  if (err.status !== 400 || !err.apiError) return undefined;
  const keys = /Unrecognized keys?: (.*)$/.exec(err.message)?.[1];
  return keys === undefined ? undefined : NEWER_FIELDS.find((f) => keys.includes(`"${f}"`));
}

/** `records[12].inputTokens` → 12 */
function recordIndex(path: string | undefined): number | undefined {
  const m = path?.match(/^(?:records|agents|events)\[(\d+)\]/);
  return m ? Number(m[1]) : undefined;
}

/**
 * Delivers the outbox: batches of one kind (≤ 5,000 records, ≤ 1 MiB; up to `maxInFlight` at once), deleted only on a 2xx. A record
 * the API refuses (a 400/403/413/422 in the API's JSON error shape naming it, or found by halving the
 * batch) goes to the dead-letter file; no answer, 408, 429, 5xx and a 401 that a fresh token did not
 * fix are retried with backoff and jitter, honouring Retry-After; any other refusal (unknown town, a
 * 4xx that is not the API's) keeps every record and is retried every minute. Records wait in SQLite
 * meanwhile, so a reporter crash or a server outage loses nothing.
 */
export class Sender {
  readonly state: DeliveryState = {
    sent: 0,
    quarantined: 0,
    server: { accepted: 0, duplicates: 0, ignored: 0, tooOld: 0, skewed: 0 },
    lastError: undefined,
    retryAt: undefined,
    fatal: undefined,
  };
  private readonly backoff: Backoff;
  /**
   * Set for a drain with `staleTokenEnds` (`--once`): a 401 that re-reading the token file or running
   * `--token-command` did not mend is a refusal that ends the drain, not a wait until the deadline (a first
   * `--once` with a wrong token waited out its 600 s timeout). A running reporter keeps retrying: its token file
   * may be rewritten meanwhile.
   */
  private staleTokenEnds = false;
  private readonly waker = new Waker();
  /** Cuts an in-flight request short on stop(); its records simply stay in the outbox. */
  private readonly stopping = new AbortController();
  private readonly maxRecords: number;
  private readonly maxBytes: number;
  private readonly maxInFlight: number;
  private readonly log: (line: string) => void;
  private turn = 0;
  private readonly inFlight = new Set<Promise<'sent' | 'failed'>>();
  /**
   * Per kind, the last seq put in a batch while batches are in flight: the next batch starts after it.
   * Reset when none is in flight, so the records of a failed batch are picked again (after the backoff).
   */
  private picked: Record<RecordKind, number> = { usage: 0, loc: 0, event: 0 };
  /** Counts failures, so a batch that succeeds does not clear a backoff that a later-started batch's failure set. */
  private failures = 0;
  /** A failure was logged and no batch has been delivered since (see send). */
  private failingSaid = false;
  /** NEWER_FIELDS the server refused: left out of every batch (see unknownNewerField). */
  private readonly dropped = new Set<string>();

  constructor(private readonly opts: SenderOptions) {
    this.backoff = new Backoff(opts.backoff);
    this.maxRecords = Math.min(opts.maxRecords ?? MAX_BATCH_RECORDS, MAX_BATCH_RECORDS);
    this.maxBytes = Math.min(opts.maxBytes ?? MAX_BATCH_BYTES, MAX_BATCH_BYTES);
    this.maxInFlight = Math.max(1, opts.maxInFlight ?? MAX_IN_FLIGHT);
    this.log = opts.log ?? (() => {});
  }

  /** New records are waiting: send now instead of at the next poll (a backoff still holds). */
  wake(): void {
    this.waker.wake();
  }

  stop(): void {
    this.waker.stop();
    this.stopping.abort();
  }

  /**
   * Sends one batch. 'idle': nothing waits; 'sent': a batch was acknowledged (or quarantined);
   * 'failed': the batch stays and `state.retryAt` says when to try again.
   */
  async sendOnce(): Promise<'idle' | 'sent' | 'failed'> {
    return this.launch() ?? 'idle';
  }

  /** Picks the next batch and sends it, counted in flight; undefined when nothing (not already in flight) waits. */
  private launch(): Promise<'sent' | 'failed'> | undefined {
    const rows = this.pickBatch();
    if (rows.length === 0) return undefined;
    const p = this.send(rows).finally(() => {
      this.inFlight.delete(p);
      if (this.inFlight.size === 0) this.picked = { usage: 0, loc: 0, event: 0 };
    });
    this.inFlight.add(p);
    return p;
  }

  private async send(rows: OutboxRow[]): Promise<'sent' | 'failed'> {
    const failuresBefore = this.failures;
    try {
      await this.deliver(rows, false);
      if (this.failures === failuresBefore) {
        // After a failure was said, that delivery works again is said too (the log ended on the failure).
        if (this.failingSaid) this.log('delivery resumed');
        this.failingSaid = false;
        this.backoff.reset();
        this.state.retryAt = undefined;
        this.state.fatal = undefined;
      }
      return 'sent';
    } catch (err) {
      if (!(err instanceof DeliveryError)) throw err;
      // Cut short by this sender's stop (a signal, or the reporter failing, its state dir full): no failure to say,
      // and no backoff to start; the records stay for the next start.
      if (this.stopping.signal.aborted) return 'failed';
      this.failures++;
      // A 401 no fresh token followed, in a drain that nothing else will mend the token for (`--once`): it ends.
      const refusal = isConfigRefusal(err) || (err.status === 401 && this.staleTokenEnds);
      const wait = refusal ? this.backoff.next(60_000) : this.backoff.next(err.retryAfterMs);
      this.state.lastError = { message: err.message, status: err.status, at: Date.now() };
      this.state.retryAt = Date.now() + wait;
      this.failingSaid = true;
      if (refusal) {
        this.state.fatal = err;
        // A drain (--once) ends at a refusal (drain's state.fatal): it said "retrying in 60.0 s" and then stopped.
        const then = this.staleTokenEnds ? 'stopping (--once)' : retryWhen(wait);
        this.log(`delivery refused (${err.message}): nothing quarantined, the records stay; ${then}`);
      } else this.log(`delivery failed (${err.message}); ${retryWhen(wait)}`);
      return 'failed';
    }
  }

  /**
   * Sends up to `maxInFlight` batches at once while records wait and no failure holds; resolves when
   * one of them settles, or at once with 'idle' when nothing was in flight or could be sent.
   */
  private async step(): Promise<'idle' | 'busy'> {
    while (this.inFlight.size < this.maxInFlight && this.state.retryAt === undefined && !this.stopping.signal.aborted) {
      if (!this.launch()) break;
    }
    if (this.inFlight.size === 0) return 'idle';
    await Promise.race(this.inFlight);
    return 'busy';
  }

  /**
   * Sends until nothing waits (true) or the deadline passes or a configuration refusal arrives (false).
   * While `more()` is true (sources are still being read), an empty outbox is waited on, not the end.
   */
  async drain(deadline: number, more: () => boolean = () => false, opts: { staleTokenEnds?: boolean } = {}): Promise<boolean> {
    this.staleTokenEnds = opts.staleTokenEnds === true;
    try {
      for (;;) {
        if (this.waker.isStopped) return false;
        if (this.state.retryAt !== undefined && this.inFlight.size === 0) {
          if (this.state.fatal) return false;
          const wait = this.state.retryAt - Date.now();
          if (Date.now() + Math.max(0, wait) > deadline) return false;
          await this.waker.sleep(wait);
          if (this.waker.isStopped) return false;
          // A wake (records a `--once` still reading committed, one every few milliseconds) must not cut the backoff
          // short, as in run(): a drain retried a failing server at the rate the reader committed, Retry-After or not.
          if (this.state.retryAt > Date.now()) continue;
          // The wait is over: the next step sends the failed batch again.
          this.state.retryAt = undefined;
        }
        if ((await this.step()) === 'idle' && this.state.retryAt === undefined) {
          if (!more()) return true;
          await this.waker.sleep(1000);
          if (this.waker.isStopped) return false;
        }
      }
    } finally {
      await Promise.allSettled(this.inFlight);
      this.staleTokenEnds = false;
    }
  }

  /** Delivers for as long as the reporter runs: sends while records wait, sleeps while none do. */
  async run(pollMs = 1000): Promise<void> {
    while (!this.waker.isStopped) {
      const due = this.state.retryAt;
      if (due !== undefined && this.inFlight.size === 0) {
        if (due > Date.now()) {
          await this.waker.sleep(due - Date.now());
          // A wake during a backoff (new records) must not cut the backoff short.
          if (!this.waker.isStopped && due > Date.now()) continue;
        }
        this.state.retryAt = undefined;
      }
      try {
        if ((await this.step()) === 'idle' && this.state.retryAt === undefined) await this.waker.sleep(pollMs);
      } catch (err) {
        // Not a delivery failure (those are handled above): the state database. Keep the loop alive, slowly.
        this.state.lastError = { message: (err as Error).message, status: 0, at: Date.now() };
        this.log(`delivery loop error: ${(err as Error).message}`);
        await this.waker.sleep(this.backoff.next());
      }
    }
    await Promise.allSettled(this.inFlight);
  }

  /** Gauges first (they expire in 90 s), then the other kinds in turn so none starves. */
  private pickBatch(): OutboxRow[] {
    const order: RecordKind[] = ['loc', ...(this.turn++ % 2 === 0 ? ['event', 'usage'] : ['usage', 'event'])] as RecordKind[];
    for (const kind of order) {
      const rows = this.opts.store.nextBatch(kind, this.maxRecords, this.maxBytes, this.picked[kind]);
      if (rows.length > 0) {
        this.picked[kind] = (rows[rows.length - 1] as OutboxRow).seq;
        return rows;
      }
    }
    return [];
  }

  private async deliver(rows: OutboxRow[], refreshed: boolean): Promise<void> {
    const kind = (rows[0] as OutboxRow).kind;
    const route = ROUTES[kind];
    const url = `${this.opts.serverUrl.replace(/\/+$/, '')}/api/towns/${encodeURIComponent(this.opts.townId)}/${route.path}`;
    const body = batchBody(route.key, this.dropped.size === 0 ? rows : withoutFields(rows, this.dropped));
    try {
      const res = await postJson(url, await this.opts.token.get(), body, this.opts.requestTimeoutMs, this.stopping.signal);
      this.tally(res.body);
      this.opts.store.ack(rows);
      this.state.sent += rows.length;
      return;
    } catch (err) {
      if (!(err instanceof DeliveryError)) {
        throw new DeliveryError(`delivery to ${url} failed: ${(err as Error).message}`, 0, undefined, undefined, { cause: err });
      }
      if (err.status === 401 && !refreshed) {
        const { changed } = await this.refreshToken();
        if (changed) return this.deliver(rows, true);
        throw err;
      }
      if (!isRecordRefusal(err)) throw err;
      const field = unknownNewerField(err);
      if (field !== undefined && !this.dropped.has(field)) {
        this.dropped.add(field);
        this.log(
          `the server does not take a record's "${field}" (an older Gas Gauge): records are sent without it from now on; ` +
            'upgrade the server so that a session reported both as OpenTelemetry and as transcripts counts once',
        );
        return this.deliver(rows, refreshed);
      }
      return this.refused(rows, err, refreshed);
    }
  }

  private async refreshToken(): Promise<{ changed: boolean }> {
    try {
      const r = await this.opts.token.refresh();
      // Said with what to do: a first run with a wrong or expired token only said the token had not changed.
      const then = this.staleTokenEnds ? 'stopping (--once)' : 'retrying';
      this.log(r.changed ? 'token refreshed after a 401' : `got a 401 and ${this.opts.token.staleAdvice}; ${then}`);
      return r;
    } catch (err) {
      if (err instanceof ReporterError) {
        throw new DeliveryError(`401 and no fresh token: ${err.message}`, 401, undefined, undefined, { cause: err });
      }
      throw err;
    }
  }

  /** The API refused records: quarantine the one named, else halve the batch until the bad one is alone. */
  private async refused(rows: OutboxRow[], err: DeliveryError, refreshed: boolean): Promise<void> {
    const index = recordIndex(err.path);
    if (rows.length === 1 || (index !== undefined && index < rows.length)) {
      const i = rows.length === 1 ? 0 : (index as number);
      const bad = rows[i] as OutboxRow;
      this.opts.store.quarantine(bad, err.status, err.message);
      this.state.quarantined++;
      this.log(`quarantined ${bad.kind} record ${bad.id}: ${err.message}`);
      const rest = rows.filter((_, j) => j !== i);
      if (rest.length > 0) await this.deliver(rest, refreshed);
      return;
    }
    const half = Math.ceil(rows.length / 2);
    await this.deliver(rows.slice(0, half), refreshed);
    await this.deliver(rows.slice(half), refreshed);
  }

  private tally(body: unknown): void {
    if (typeof body !== 'object' || body === null) return;
    const b = body as JsonFields;
    for (const k of Object.keys(this.state.server) as (keyof DeliveryState['server'])[]) {
      if (typeof b[k] === 'number') this.state.server[k] += b[k] as number;
    }
  }
}

/** The rows with `fields` left out of their bodies (only for a server older than those fields: parsed again). */
function withoutFields(rows: readonly OutboxRow[], fields: ReadonlySet<string>): OutboxRow[] {
  return rows.map((row) => {
    const record = JSON.parse(row.body) as JsonFields;
    if (!Object.keys(record).some((k) => fields.has(k))) return row;
    // Only the record's own keys: a note's `data` may hold a key of that name too.
    const body = JSON.stringify(record, function (this: unknown, key: string, value: unknown) {
      return this === record && fields.has(key) ? undefined : value;
    });
    return { ...row, body, bytes: Buffer.byteLength(body) };
  });
}

/**
 * `{"<key>":[<row>,<row>,…]}` written straight into one buffer. Joined as one string, a batch over
 * 128 KiB was a V8 large object: memory mapped and faulted in afresh for every batch (~250 page faults a
 * MiB, ~40 µs each in a Firecracker VM), where a buffer of the same size reuses the allocator's pages.
 */
export function batchBody(key: string, rows: readonly OutboxRow[]): Buffer {
  const head = `{"${key}":[`;
  let size = Buffer.byteLength(head) + 2 + Math.max(0, rows.length - 1);
  // Each row's UTF-8 length was counted when it was stored (Store.enqueue): no second pass over the batch.
  for (const r of rows) size += r.bytes;
  const out = Buffer.allocUnsafe(size);
  let at = out.write(head, 0);
  rows.forEach((r, i) => {
    if (i > 0) out[at++] = 0x2c; // ,
    at += out.write(r.body, at);
  });
  at += out.write(']}', at);
  if (at !== size) throw new Error(`a batch body took ${plural(at, 'byte')} of the ${size} counted`);
  return out;
}

/** When the next try is, in words: the backoff's jitter can make a wait of a few ms, which read "retrying in 0.0 s". */
export function retryWhen(waitMs: number): string {
  const ms = Math.round(waitMs);
  if (ms < 1) return 'retrying now';
  return ms < 1000 ? `retrying in ${ms} ms` : `retrying in ${(ms / 1000).toFixed(1)} s`;
}
