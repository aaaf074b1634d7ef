import { abortAllDurableObjects, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { type LiveHub, MAX_LIVE_PER_USER_ALL_TOWNS } from '@gasgauge/api';
import { AppError, type UsageRecord } from '@gasgauge/core';
import { describe, expect, it } from 'vitest';
import { doControl } from '../control.js';
import { CONTROL_NAME } from '../control-do.js';
import { CHANGES_OPENED, HEARTBEAT } from '../remote-error.js';
import { doLive, doTowns } from '../towns.js';

const control = () => env.CONTROL.get(env.CONTROL.idFromName(CONTROL_NAME));
const townStub = (townId: string) => env.TOWN.get(env.TOWN.idFromName(townId));
const handle = (townId: string) => doTowns(env.TOWN).get(townId);
/** The town object's live streams open: what its bound of 200 counts (the hub is private to the object). */
const liveCount = (townId: string) =>
  runInDurableObject(townStub(townId), (o) => (o as unknown as { live: LiveHub }).live.subscriberCount(''));
const lastTickAt = (townId: string) => runInDurableObject(townStub(townId), (o) => o.town.state().lastTickAt);

function record(id: string, costMicrodollars: number, at = Date.now()): UsageRecord {
  return {
    id,
    agentId: 'a',
    model: 'm',
    inputTokens: 10,
    outputTokens: 1,
    reasoningTokens: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    costMicrodollars,
    at,
    mode: 'delta',
  };
}

/** A user with a town and `credit` µ$ in the control object; returns the account (the user's id). */
async function townWithCredit(name: string, credit: number): Promise<string> {
  return runInDurableObject(control(), (o) => {
    o.control.createUser(`usr_${name}`, name);
    o.control.createTown(name, name, { userId: `usr_${name}` });
    o.control.ledger.grant(`usr_${name}`, credit, Date.now());
    return `usr_${name}`;
  });
}

const balance = (account: string) => runInDurableObject(control(), (o) => o.control.ledger.balance(account));

const ingest = (townId: string, records: UsageRecord[]) => handle(townId).ingest({ kind: 'usage', records });

describe('TownDO', () => {
  it('an ingest sets the alarm within the active interval, and the alarm ticks the town', async () => {
    await townWithCredit('alarm', 1000);
    expect((await ingest('alarm', [record('r1', 0)])).accepted).toBe(1);
    const after = Date.now();
    const [due, ticked] = await runInDurableObject(townStub('alarm'), async (o, s) => [
      await s.storage.getAlarm(),
      o.town.state().lastTickAt,
    ]);
    // The next multiple of TICK_MS (100 ms in the tests) after the ingest, unless that alarm is running
    // right now, or ran already (on a slow machine) and set the next one from its own time.
    if (due !== null && ticked === null) expect(due).toBeLessThanOrEqual(after + 100);
    // Nobody calls tick: the runtime fires the alarm.
    await until(async () => (await lastTickAt('alarm')) !== null);
    // The alarm set the next one from nextTickAt: the town keeps ticking without anyone calling it.
    await until(async () => (await runInDurableObject(townStub('alarm'), (_, s) => s.storage.getAlarm())) !== null);
  });

  it('a refused request comes back as its 4xx with the field, and stores nothing', async () => {
    await townWithCredit('refused', 1000);
    // Eleven records at the per-record maximum cross the town's 10^11 µ$ per hour bound.
    const refused = ingest(
      'refused',
      Array.from({ length: 11 }, (_, i) => record(`x${i}`, 10_000_000_000)),
    );
    // An AppError again on this side (RPC keeps an error's fields but not its class): the API answers it with its 4xx.
    const err = await refused.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'bad_request', path: expect.stringMatching(/^records\[\d+\]\.costMicrodollars$/) });
    expect(await runInDurableObject(townStub('refused'), (o) => o.town.totals().usage)).toEqual([]);
  });

  it('the alarm settles spend into the owner account exactly once, also when the same outbox is posted again', async () => {
    const account = await townWithCredit('billing', 1_000_000);
    await ingest('billing', [record('b1', 1234), record('b2', 66)]);
    // A repeat of the same ids adds nothing anywhere.
    expect(await ingest('billing', [record('b1', 1234)])).toMatchObject({ duplicates: 1 });
    const stub = townStub('billing');
    // The first alarm tick with new cost closes it into the outbox, and settles it.
    await until(async () => (await balance(account)) === 1_000_000 - 1300);
    expect(await handle('billing').outbox()).toEqual([]);
    // A crash between the ledger commit and the ack: the same entries come again, and add nothing.
    const replay = [
      { seq: 1, kind: 'debit' as const, at: Date.now(), amountMicrodollars: 1300, details: { hour: hourOf(Date.now()) } },
    ];
    const settled = await doControl(env.CONTROL).settle('billing', replay);
    expect(settled.debits).toBe(0);
    await runDurableObjectAlarm(stub);
    await new Promise((r) => setTimeout(r, 500)); // several more alarm ticks (100 ms)
    expect(await balance(account)).toBe(1_000_000 - 1300);
  });

  it('a fresh instance (eviction) keeps every acknowledged record and still refuses its repeats', async () => {
    await townWithCredit('evict', 1000);
    await ingest('evict', [record('e1', 0), record('e2', 0)]);
    // Abort the instance: the next call constructs a new TownDO over the same storage.
    // e1 and e2 are in the instance's recent ids only (the tick moves them into usage_ids); the new
    // instance must rebuild them from storage, or it would count them again.
    await abortAllDurableObjects();
    const again = await ingest('evict', [record('e1', 0), record('e2', 0), record('e3', 0)]);
    expect(again).toMatchObject({ accepted: 1, duplicates: 2 });
    const usage = await runInDurableObject(townStub('evict'), (o) => o.town.totals().usage);
    expect(usage.map((u) => u.tokens[0])).toEqual([30]);
  });

  it('a failed alarm tick is kept in tickHealth and retried at the backoff; the next success clears it', async () => {
    await townWithCredit('sick', 1000);
    expect((await ingest('sick', [record('s1', 0)])).accepted).toBe(1);
    const stub = townStub('sick');
    await runInDurableObject(stub, (o) => {
      o.town.tick = () => {
        throw new AppError('bad_request', 'disk on fire');
      };
    });
    await until(async () => (await stub.tickHealth()).failures > 0);
    const sick = await stub.tickHealth();
    expect(sick).toMatchObject({ lastError: 'disk on fire', lastOkAt: null });
    expect(sick.failuresTotal).toBe(sick.failures);
    expect(sick.retryAt).toBeGreaterThan(sick.lastErrorAt as number);
    await runInDurableObject(stub, (o) => {
      delete (o.town as { tick?: unknown }).tick; // the prototype's tick again
    });
    await until(async () => (await stub.tickHealth()).lastOkAt !== null);
    expect(await stub.tickHealth()).toMatchObject({ failures: 0, lastError: null, retryAt: null });
    expect((await stub.tickHealth()).failuresTotal).toBeGreaterThanOrEqual(sick.failuresTotal);
  });
});

async function until(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Publishes the town's change until `settled` settles. A stream registers with the town object when its
 * first read reaches it over RPC, which a fixed wait cannot promise on a loaded machine; a publish before
 * that is lost, and the stream would see nothing until its lifetime ended it. A registered stream may see
 * a change or two more than the one awaited.
 */
async function publishUntil(townId: string, settled: Promise<unknown>): Promise<void> {
  const waiting = Symbol('waiting');
  const outcome = settled.then(
    () => undefined,
    () => undefined,
  );
  do await townStub(townId).publish();
  while ((await Promise.race([outcome, new Promise((r) => setTimeout(() => r(waiting), 50))])) === waiting);
}

function hourOf(t: number): number {
  return Math.floor(t / 3_600_000) * 3_600_000;
}

describe('ControlDO.bootstrapAdmin', () => {
  it('makes the admin once, and a rotated GASGAUGE_ADMIN_TOKEN replaces the old one', async () => {
    const stub = env.CONTROL.get(env.CONTROL.idFromName('bootstrap-test'));
    await stub.bootstrapAdmin('hash-a');
    await stub.bootstrapAdmin('hash-a');
    const first = await runInDurableObject(stub, (o) => o.control.userByTokenHash('hash-a'));
    expect(first).toMatchObject({ name: 'admin', isAdmin: true });
    await stub.bootstrapAdmin('hash-b');
    const [a, b, users] = await runInDurableObject(stub, (o) => [
      o.control.userByTokenHash('hash-a'),
      o.control.userByTokenHash('hash-b'),
      o.control.userCount(),
    ]);
    expect(a).toBeUndefined();
    expect(b).toMatchObject({ id: first?.id, isAdmin: true });
    expect(users).toBe(1);
  });
});

/** A LiveBus stream, opened (on Workers its town object has counted it, or refused it), to read by hand. */
async function iterate(stream: AsyncIterable<void> | Promise<AsyncIterable<void>>): Promise<AsyncIterator<void>> {
  return (await stream)[Symbol.asyncIterator]();
}

describe('live streams of a town', () => {
  it('past the bound of 200, the next stream is refused with too_many_requests naming townId, not an internal error', async () => {
    const live = doLive(env.TOWN);
    const abort = new AbortController();
    // Each stream registers with the town object before it is returned; a change then answers its first read.
    const open = await Promise.all(Array.from({ length: 200 }, () => iterate(live.changes('livecap', abort.signal))));
    const first = open.map((g) => g.next());
    await publishUntil('livecap', Promise.all(first));
    expect((await Promise.all(first)).every((r) => r.done === false)).toBe(true);
    // Refused as it is opened, before anything is read from it (the subscription's first push).
    const refused = iterate(live.changes('livecap', abort.signal));
    await expect(refused).rejects.toBeInstanceOf(AppError);
    await expect(refused).rejects.toMatchObject({ code: 'too_many_requests', path: 'townId' });
    abort.abort();
    await Promise.all(open.map((g) => g.return?.(undefined)));
    // Closed streams are released (their cancel reaches the object over RPC, soon): a new one opens and sees a change.
    for (let tries = 0; ; tries++) {
      const outcome = await iterate(live.changes('livecap', undefined)).then(
        async (again) => {
          const next = again.next();
          await new Promise((r) => setTimeout(r, 100));
          await townStub('livecap').publish();
          const done = await next.then(
            (r) => r.done,
            (err: unknown) => err,
          );
          await again.return?.(undefined);
          return done;
        },
        (err: unknown) => err,
      );
      if (outcome === false) break;
      if (tries === 30) throw new Error(`no stream opened after the others closed: ${String(outcome)}`);
    }
  });

  it('lets one user hold 20 of a town’s streams, not all 200: the next is refused naming townId, another user’s opens', async () => {
    const live = doLive(env.TOWN);
    const abort = new AbortController();
    const open = await Promise.all(
      Array.from({ length: 20 }, () => iterate(live.changes('liveuser', abort.signal, { who: 'u1' }))),
    );
    const first = open.map((g) => g.next());
    await publishUntil('liveuser', Promise.all(first));
    expect((await Promise.all(first)).every((r) => r.done === false)).toBe(true);
    const refused = iterate(live.changes('liveuser', abort.signal, { who: 'u1' }));
    await expect(refused).rejects.toMatchObject({
      code: 'too_many_requests',
      path: 'townId',
      message: expect.stringMatching(/you already have/),
    });
    const other = await iterate(live.changes('liveuser', abort.signal, { who: 'u2' }));
    const next = other.next();
    await publishUntil('liveuser', next);
    expect((await next).done).toBe(false);
    abort.abort();
    await Promise.all([...open, other].map((g) => g.return?.(undefined)));
  });

  it(`lets one user hold ${MAX_LIVE_PER_USER_ALL_TOWNS} streams across the towns an isolate serves (each town object counts only its own): the next is refused, another user's opens, an ended or aborted stream frees its place`, async () => {
    const live = doLive(env.TOWN);
    const abort = new AbortController();
    // Ten towns, five streams each: under each town's own 20, so only the isolate's count can refuse.
    const open = await Promise.all(
      Array.from({ length: MAX_LIVE_PER_USER_ALL_TOWNS }, (_, i) =>
        iterate(live.changes(`across-${i % 10}`, abort.signal, { who: 'u1' })),
      ),
    );
    const refusal = { code: 'too_many_requests', path: 'townId', message: expect.stringMatching(/across your towns/) };
    expect(() => live.changes('across-new', abort.signal, { who: 'u1' })).toThrow(AppError);
    expect(() => live.changes('across-new', abort.signal, { who: 'u1' })).toThrow(expect.objectContaining(refusal));
    const other = await iterate(live.changes('across-new', undefined, { who: 'u2' }));
    const next = other.next();
    await publishUntil('across-new', next);
    expect((await next).done).toBe(false);
    await other.return?.(undefined);

    // One of u1's streams read and ended: its place is free (the town object's side closes as before).
    const first = open[0] as AsyncIterator<void>;
    const read = first.next();
    await publishUntil('across-0', read);
    await first.return?.(undefined);
    const again = await iterate(live.changes('across-new', abort.signal, { who: 'u1' }));
    expect(() => live.changes('across-new', abort.signal, { who: 'u1' })).toThrow(expect.objectContaining(refusal));
    // The rest were never read (their clients gone before a first push): aborting their signal frees them all.
    abort.abort();
    const later = new AbortController();
    const reopened = await Promise.all(
      Array.from({ length: MAX_LIVE_PER_USER_ALL_TOWNS }, (_, i) =>
        iterate(live.changes(`across-${i % 10}`, later.signal, { who: 'u1' })),
      ),
    );
    expect(reopened).toHaveLength(MAX_LIVE_PER_USER_ALL_TOWNS);
    later.abort();
    await again.return?.(undefined);
    // A stream asked for with a signal already aborted (its client gone before the call) never counts.
    const gone = AbortSignal.abort();
    const goneStreams = [];
    for (let i = 0; i <= MAX_LIVE_PER_USER_ALL_TOWNS; i++) goneStreams.push(live.changes('across-0', gone, { who: 'u3' }));
    expect(() => goneStreams.push(live.changes('across-0', gone, { who: 'u3' }))).not.toThrow();
    for (const g of await Promise.all(goneStreams.map(iterate))) await g.return?.(undefined);
  });

  it('frees the place of a stream ended before its first read with its signal never aborted (a subscription whose first push failed: tRPC ends it without aborting)', async () => {
    const live = doLive(env.TOWN);
    const signal = new AbortController().signal;
    for (let round = 0; round < 3; round++) {
      const streams = await Promise.all(
        Array.from({ length: MAX_LIVE_PER_USER_ALL_TOWNS }, (_, i) =>
          iterate(live.changes(`unread-${i % 10}`, signal, { who: 'u4' })),
        ),
      );
      // What metrics.live does when its first throughput read throws: it returns the stream it never read.
      for (const stream of streams) await stream.return?.(undefined);
    }
    const stream = await iterate(live.changes('unread-0', signal, { who: 'u4' }));
    await stream.return?.(undefined);
  });

  it('a stream returned before its first read is closed on the town object too, not only counted off in the isolate', async () => {
    // metrics.live returns its stream unread when its first push fails: the object's stream (opened before the
    // first push) stayed open, holding one of the user's 20 places in the town, until its lifetime.
    const live = doLive(env.TOWN);
    const signal = new AbortController().signal;
    const streams = await Promise.all(
      Array.from({ length: 5 }, () => iterate(live.changes('unread-object', signal, { who: 'u5' }))),
    );
    expect(await liveCount('unread-object')).toBe(5);
    for (const stream of streams) await stream.return?.(undefined);
    expect(await liveCount('unread-object')).toBe(0);
  });

  it('a stream whose viewer left while the town object opened it is closed on the object, unread', async () => {
    // The request's signal aborted during the RPC that opens the stream: the abort listener came after it.
    const live = doLive(env.TOWN);
    const streams = await Promise.all(
      Array.from({ length: 3 }, (_, i) => {
        const gone = new AbortController();
        const opening = live.changes('left-opening', gone.signal, i === 0 ? {} : { who: 'u6' });
        gone.abort();
        return opening;
      }),
    );
    expect(streams).toHaveLength(3);
    expect(await liveCount('left-opening')).toBe(0);
  });

  it('releases a stream whose isolate is gone without closeChanges once its lifetime passes (LIVE_STREAM_MAX_MS, 5 s here)', async () => {
    const stub = townStub('live-orphans');
    // What an evicted isolate leaves behind: streams read up to their header, then neither read, cancelled
    // nor closed with closeChanges (a cancel would not reach the object anyway). Held, so that nothing but
    // their lifetime can end them. A few, not the town's bound of 200: opening 200 took over 5 s on a
    // loaded machine, past the first one's lifetime, and the bound counts the same set liveCount reads.
    const opened = performance.now();
    const held: ReadableStream<Uint8Array>[] = [];
    for (let i = 0; i < 3; i++) {
      const stream = await stub.changes();
      const reader = stream.getReader();
      expect((await reader.read()).value?.[0]).toBe(CHANGES_OPENED);
      reader.releaseLock();
      held.push(stream);
    }
    expect(await liveCount('live-orphans')).toBe(3);
    // Their unread heartbeats (every 250 ms) do not end them: the first goes when its lifetime has passed.
    await until(async () => (await liveCount('live-orphans')) < held.length);
    expect(performance.now() - opened).toBeGreaterThanOrEqual(5000);
    await until(async () => (await liveCount('live-orphans')) === 0);
  });

  it('releases a stream whose reader went away without closeChanges at its next heartbeat, long before its lifetime', async () => {
    const stub = townStub('live-cancelled');
    const opened = performance.now();
    const readers: ReadableStreamDefaultReader<Uint8Array>[] = [];
    for (let i = 0; i < 3; i++) {
      const reader = (await stub.changes()).getReader();
      expect((await reader.read()).value?.[0]).toBe(CHANGES_OPENED);
      readers.push(reader);
    }
    expect(await liveCount('live-cancelled')).toBe(3);
    // Cancelled, as by an isolate's end, and no closeChanges: the object hears nothing of it as such.
    await Promise.all(readers.map((r) => r.cancel()));
    await until(async () => (await liveCount('live-cancelled')) === 0);
    // Heartbeats every 250 ms here (a twentieth of the 5 s lifetime; 30 s in production).
    expect(performance.now() - opened).toBeLessThan(5000);
  });

  it('sends heartbeats that the isolate does not count as changes', async () => {
    const stub = townStub('live-heartbeats');
    const reader = (await stub.changes()).getReader();
    const bytes: number[] = [];
    // The header (5 bytes), then heartbeats while nothing changes, long before the stream's 5 s lifetime ends it.
    while (bytes.length < 5 + 4) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes.push(...value);
    }
    await reader.cancel();
    expect(bytes.slice(0, 5)).toEqual([CHANGES_OPENED, 0, 0, 0, expect.any(Number)]);
    expect(bytes.slice(5).length).toBeGreaterThanOrEqual(4);
    expect(bytes.slice(5).every((b) => b === HEARTBEAT)).toBe(true);

    const live = doLive(env.TOWN);
    const abort = new AbortController();
    const stream = await iterate(live.changes('live-heartbeats', abort.signal));
    const next = stream.next();
    const early = await Promise.race([next.then(() => 'a change'), new Promise((r) => setTimeout(() => r('none'), 800))]);
    expect(early).toBe('none');
    await publishUntil('live-heartbeats', next);
    expect(await next).toMatchObject({ done: false });
    abort.abort();
    await stream.return?.(undefined);
  });

  it('ends a stream being read at its lifetime, so the viewer reconnects', async () => {
    const live = doLive(env.TOWN);
    const stream = await iterate(live.changes('live-lifetime', undefined));
    const first = stream.next();
    await publishUntil('live-lifetime', first);
    expect(await first).toMatchObject({ done: false });
    const started = performance.now();
    // Publishes that crossed the first change are a change or two more (publishUntil stopped); then the end.
    while (!(await stream.next()).done);
    expect(performance.now() - started).toBeLessThan(6500);
  });
});
