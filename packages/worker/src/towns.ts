import { waitUntil } from 'cloudflare:workers';
import {
  concatBytes,
  type LiveBus,
  MAX_LIVE_PER_USER_ALL_TOWNS,
  releasedAtEnd,
  StreamsPerUser,
  type TownDirectory,
  type TownHandle,
} from '@gasgauge/api';
import { AppError, type IngestJob, type IngestResults } from '@gasgauge/core';
import {
  CHANGE,
  CHANGES_HEADER_BYTES,
  CHANGES_REFUSED,
  changesOpening,
  fromRemote,
  platformFailure,
  type Remote,
  settled,
} from './remote-error.js';

type TownNamespace = Env['TOWN'];

const stubOf = (ns: TownNamespace, townId: string) => ns.get(ns.idFromName(townId));
// RPC's inferred types of nested generics lose their shape; every method returns a Remote of the handle's type.
// A call the platform failed (the object reset, overloaded) is a 503 the client retries, not a 500 (platformFailure).
const unwrap = async <T>(r: Promise<unknown>): Promise<T> => fromRemote((await settled(r)) as Remote<T>);

/** The Worker's town handles: each call goes to the town's Durable Object over RPC, a refusal rebuilt as its AppError. */
export function doTowns(ns: TownNamespace): TownDirectory {
  return {
    get(townId: string): TownHandle {
      const stub = stubOf(ns, townId);
      return {
        ingest: <K extends IngestJob['kind']>(job: Extract<IngestJob, { kind: K }>) =>
          unwrap<IngestResults[K]>(stub.ingest(townId, job as IngestJob)),
        setBudget: (input) => unwrap(stub.setBudget(townId, input)),
        tick: () => unwrap(stub.tick()),
        timeseries: (q) => unwrap(stub.timeseries(q)),
        throughput: () => unwrap(stub.throughput()),
        breakdown: (q) => unwrap(stub.breakdown(q)),
        totals: (limit) => unwrap(stub.totals(limit)),
        agents: (q) => unwrap(stub.agents(q)),
        events: (q) => unwrap(stub.events(q)),
        event: (id) => unwrap(stub.event(id)),
        beads: (q) => unwrap(stub.beads(q)),
        bead: (beadId) => unwrap(stub.bead(beadId)),
        beadStats: (q) => unwrap(stub.beadStats(q)),
        runawayRules: () => unwrap(stub.runawayRules()),
        setRunawayRules: (rules) => unwrap(stub.setRunawayRules(townId, rules)),
        beadAssignees: (ids) => unwrap(stub.beadAssignees(ids)),
        outbox: () => unwrap(stub.outbox()),
        ackOutbox: (seq) => unwrap(stub.ackOutbox(seq)),
        nextTickAt: (intervals, spread) => unwrap(stub.nextTickAt(intervals, spread)),
      };
    },
  };
}

/**
 * Live updates on Workers: each town's Durable Object keeps its own subscribers and pushes after a
 * tick and (coalesced) after an ingest; this isolate reads the object's change stream for one SSE.
 * publishSoon is a no-op here: the object publishes its own ingest, which no other isolate sees.
 */
export function doLive(ns: TownNamespace): LiveBus {
  // A town's object counts its own streams, so a user's across towns are counted here, per isolate (built once per isolate).
  const perUser = new StreamsPerUser(MAX_LIVE_PER_USER_ALL_TOWNS);
  return {
    publish: (townId) => settled(stubOf(ns, townId).publish()),
    publishSoon: () => {},
    changes: (townId, signal, opts) => {
      const who = opts?.who;
      if (who === undefined) return openChanges(stubOf(ns, townId), signal, who);
      // Counted from this call, as the Node hub does, so streams opened together cannot pass the cap; released when
      // the stream ends, its signal aborts or the town refuses it (a stream never read, its client gone before the
      // first push, never ends).
      const taken = perUser.take(who);
      const release = () => {
        signal?.removeEventListener('abort', release);
        taken();
      };
      signal?.addEventListener('abort', release, { once: true });
      if (signal?.aborted) release();
      return openChanges(stubOf(ns, townId), signal, who).then(
        (stream) => releasedAtEnd(stream, release),
        (err: unknown) => {
          release();
          throw err;
        },
      );
    },
  };
}

/**
 * The town object's change stream as the LiveBus's changes, opened before it is returned: it opens with a header (its
 * id) or a refusal (the town's bound on live streams), thrown here as its AppError, so the subscription is refused
 * with its 429 before its first push, as on Node (read lazily, a refused stream sent one throughput first, and its
 * error came through tRPC's generator as an httpStatus 500). Then each byte is a change or a heartbeat, however RPC
 * cuts them into chunks; a chunk of heartbeats only is no change. Ending, however it ends (returned before its first
 * read too), it tells the object to close the stream: a cancel alone does not reach the object (its next heartbeat
 * finds out, see TownDO.changes).
 */
async function openChanges(
  stub: ReturnType<typeof stubOf>,
  signal: AbortSignal | undefined,
  who: string | undefined,
): Promise<AsyncGenerator<void>> {
  // The viewer gone before the call: nothing to open.
  if (signal?.aborted) return noChanges();
  let stream: Awaited<ReturnType<typeof stub.changes>>;
  try {
    stream = await stub.changes(who);
  } catch (err) {
    // The object reset as the stream asked it for changes: it ends at once and the viewer opens another.
    if (platformFailure(err)) return noChanges();
    throw err;
  }
  const reader = stream.getReader();
  let id: number | undefined;
  let told: Promise<void> | undefined;
  /** Cancels the object's stream and tells the object to end it (once its id is known): its place is freed at once. */
  const end = () => {
    const cancelled = reader.cancel().catch(() => {});
    if (id === undefined || told) return cancelled;
    told = stub.closeChanges(id).catch(() => {});
    return Promise.all([cancelled, told]).then(() => {});
  };
  // The viewer left (the request's signal, or tRPC's on the body's cancel: the runtime cancels it when a write fails,
  // see keep-alive.ts). The response ends with it, and the isolate would drop what it still had to do after: the
  // end (an RPC to the object) is kept alive past the response by waitUntil, or it waited for the stream's lifetime.
  const onAbort = () => outliveResponse(end());
  signal?.addEventListener('abort', onAbort);
  let finished: Promise<void> | undefined;
  const finish = () => {
    signal?.removeEventListener('abort', onAbort);
    finished ??= outliveResponse(end());
    return finished;
  };
  // Its object's side gone before the header (reset as it opened), or the viewer gone already: it ends at once, and
  // the viewer opens another.
  const head = await opening(reader).catch(() => undefined);
  const opened = head === undefined || head.length === 0 ? undefined : changesOpening(head);
  if (opened === undefined || opened instanceof AppError) {
    await finish();
    if (opened === undefined) return noChanges();
    throw opened;
  }
  id = opened.id;
  // The viewer left while the stream opened (its signal aborted during the RPC, before onAbort listened, or during
  // the header): nobody will read or return what is returned, so the object is told now, not at its lifetime.
  if (signal?.aborted) {
    await finish();
    return noChanges();
  }
  const changedAlready = (head as Uint8Array).subarray(opened.header).includes(CHANGE);
  return releasedAtEnd(
    (async function* () {
      if (changedAlready) yield;
      while (!signal?.aborted) {
        // A read fails only when the object's side of the stream went away (a reset by a deploy or an eviction:
        // "ReadableStream received over RPC disconnected prematurely", no flags). The stream ends as at its
        // lifetime and the viewer opens another, on the object as it starts again, not with an internal error.
        const next = await reader.read().catch(() => undefined);
        if (next === undefined || next.done) return;
        if (next.value.includes(CHANGE)) yield;
      }
    })(),
    finish,
  );
}

/** A change stream that has ended already. */
async function* noChanges(): AsyncGenerator<void> {}

/** `work`, which the isolate keeps doing after the response it belongs to has ended (waitUntil; as is outside a request). */
function outliveResponse(work: Promise<void>): Promise<void> {
  try {
    waitUntil(work);
  } catch {
    // No request to outlive (a Durable Object's own call, a test's).
  }
  return work;
}

/** The first bytes of a change stream: enough for its header, or all of a refusal (a few hundred bytes, then the end). */
async function opening(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    length += value.length;
    if (parts[0]?.[0] !== CHANGES_REFUSED && length >= CHANGES_HEADER_BYTES) break;
  }
  return concatBytes(parts, length);
}
