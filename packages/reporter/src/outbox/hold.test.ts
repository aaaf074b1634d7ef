import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StateError } from '../errors.js';
import { removeDir, tempDir } from '../testing/server.js';
import { CommittedMap } from './committed-map.js';
import { MAX_HELD_BYTES, type OutboxRow, Store } from './store.js';

let dir: string;
let store: Store;
/** What another process (a reporter started after this one was killed) would read: the committed state. */
let committed: Database.Database;
beforeEach(() => {
  dir = tempDir('gg-hold-');
  store = new Store(dir);
  committed = new Database(join(dir, 'state.sqlite'), { readonly: true });
});
afterEach(() => {
  committed.close();
  store.close();
  removeDir(dir);
});

const outboxRows = () => committed.prepare('SELECT count(*) FROM outbox').pluck().get() as number;
const cursorAt = (path: string) =>
  committed.prepare("SELECT offset FROM cursors WHERE source = 'claude' AND path = ?").pluck().get(path) as number | undefined;

/** One file's step: its records and its cursor in one transaction, as the file sources do. */
function read(path: string, offset: number, ids: string[], body: (id: string) => object = (id) => ({ id })): void {
  store.transaction(() => {
    for (const id of ids) store.enqueue('usage', id, body(id), 'replace');
    store.setCursor('claude', path, 1, offset);
  });
}

describe('Store.hold (a backfill sent from memory)', () => {
  it('sends held records without writing them to the outbox, and commits the cursors once they are acknowledged', () => {
    store.hold();
    read('a.jsonl', 100, ['r1', 'r2']);
    expect(store.pendingCount()).toBe(2);
    // Nothing committed: killed now, a reporter reads a.jsonl again from 0 and sends r1 and r2 again.
    expect([outboxRows(), cursorAt('a.jsonl')]).toEqual([0, undefined]);
    const batch = store.nextBatch('usage', 10, 1 << 20);
    expect(batch.map((r) => r.id)).toEqual(['r1', 'r2']);
    expect(store.ack(batch)).toBe(2);
    expect(store.pendingCount()).toBe(0);
    store.release();
    expect([outboxRows(), cursorAt('a.jsonl')]).toEqual([0, 100]);
    expect(store.counter('sent.usage')).toBe(2);
  });

  it('writes what is not acknowledged to the outbox when it commits, with the seqs a batch in flight carries', () => {
    store.hold();
    read('a.jsonl', 100, ['r1', 'r2', 'r3']);
    const inFlight = store.nextBatch('usage', 2, 1 << 20);
    store.release();
    expect([outboxRows(), cursorAt('a.jsonl')]).toEqual([3, 100]);
    expect(store.pendingCount()).toBe(3);
    // The batch in flight is acknowledged after the commit: its rows are deleted from the table.
    expect(store.ack(inFlight)).toBe(2);
    expect(store.nextBatch('usage', 10, 1 << 20).map((r) => r.id)).toEqual(['r3']);
    expect(store.pendingCount()).toBe(1);
  });

  it('keeps the table rules: a replace sends the newest body, an ack of the older copy keeps it, a keep leaves the first', () => {
    store.hold();
    read('a.jsonl', 10, ['m1'], () => ({ out: 1 }));
    const [first] = store.nextBatch('usage', 10, 1 << 20);
    read('a.jsonl', 20, ['m1'], () => ({ out: 2 }));
    store.transaction(() => {
      store.enqueue('event', 'e1', { v: 'first' }, 'keep');
      store.enqueue('event', 'e1', { v: 'second' }, 'keep');
    });
    expect(store.pendingByKind()).toEqual({ usage: 1, loc: 0, event: 1 });
    expect(store.ack(first ? [first] : [])).toBe(0);
    const again = store.nextBatch('usage', 10, 1 << 20);
    expect(again.map((r) => JSON.parse(r.body))).toEqual([{ out: 2 }]);
    expect(JSON.parse(store.nextBatch('event', 10, 1 << 20)[0]?.body ?? '')).toEqual({ v: 'first' });
  });

  it('serves the rows the table held before, then the held ones, in seq order and within the byte bound', () => {
    read('old.jsonl', 5, ['t1', 't2']);
    store.hold();
    read('a.jsonl', 10, ['h1', 'h2']);
    expect(store.nextBatch('usage', 10, 1 << 20).map((r) => r.id)).toEqual(['t1', 't2', 'h1', 'h2']);
    expect(store.nextBatch('usage', 3, 1 << 20).map((r) => r.id)).toEqual(['t1', 't2', 'h1']);
    const one = store.nextBatch('usage', 10, 1 << 20)[0]?.bytes ?? 0;
    expect(store.nextBatch('usage', 10, 3 * (one + 1)).map((r) => r.id)).toEqual(['t1', 't2', 'h1']);
    const [, , h1] = store.nextBatch('usage', 10, 1 << 20);
    expect(store.nextBatch('usage', 10, 1 << 20, h1?.seq).map((r) => r.id)).toEqual(['h2']);
    expect(store.ack(store.nextBatch('usage', 10, 1 << 20))).toBe(4);
    expect(store.pendingCount()).toBe(0);
  });

  it('a record whose id waits in the table (an earlier run, or a held commit) replaces it there: one copy is sent', () => {
    read('old.jsonl', 5, ['m1', 'm2'], (id) => ({ id, out: 1 }));
    store.transaction(() => store.enqueue('event', 'e1', { v: 'first' }, 'keep'));
    store.hold();
    read('a.jsonl', 10, ['m1', 'm3'], (id) => ({ id, out: 2 }));
    store.transaction(() => store.enqueue('event', 'e1', { v: 'second' }, 'keep'));
    const sent = () => store.nextBatch('usage', 10, 1 << 20).map((r) => JSON.parse(r.body));
    expect(sent()).toEqual([
      { id: 'm2', out: 1 },
      { id: 'm1', out: 2 },
      { id: 'm3', out: 2 },
    ]);
    expect(store.nextBatch('event', 10, 1 << 20).map((r) => JSON.parse(r.body))).toEqual([{ v: 'first' }]);
    expect(store.pendingCount()).toBe(4);
    // m3 is held; a commit now writes it to the table, and a later copy replaces it there.
    store.release();
    store.hold();
    read('a.jsonl', 20, ['m3'], (id) => ({ id, out: 3 }));
    expect(sent()).toEqual([
      { id: 'm2', out: 1 },
      { id: 'm1', out: 2 },
      { id: 'm3', out: 3 },
    ]);
    expect(store.pendingCount()).toBe(4);
    store.release();
    expect(outboxRows()).toBe(4);
  });

  it('undoes what a transaction that threw held, and the replaced copy comes back in its place', () => {
    store.hold();
    read('a.jsonl', 10, ['m1', 'm2'], (id) => ({ id, v: 1 }));
    const before = { rows: store.pendingCount(), bytes: store.pendingBytes };
    expect(() =>
      store.transaction(() => {
        store.enqueue('usage', 'm1', { id: 'm1', v: 2 }, 'replace');
        store.enqueue('usage', 'm3', { id: 'm3', v: 1 }, 'replace');
        throw new Error('a source failed');
      }),
    ).toThrow('a source failed');
    expect({ rows: store.pendingCount(), bytes: store.pendingBytes }).toEqual(before);
    expect(store.nextBatch('usage', 10, 1 << 20).map((r) => JSON.parse(r.body))).toEqual([
      { id: 'm1', v: 1 },
      { id: 'm2', v: 1 },
    ]);
    store.release();
    expect(outboxRows()).toBe(2);
  });

  it('counts a savepoint that ended as committed for what a source remembers, and one that threw as not', () => {
    const sent = new CommittedMap<string, number>(store, 10);
    store.hold();
    store.transaction(() => sent.set('a.jsonl', 1));
    expect(() =>
      store.transaction(() => {
        sent.set('b.jsonl', 1);
        throw new Error('rolled back');
      }),
    ).toThrow('rolled back');
    expect([sent.get('a.jsonl'), sent.get('b.jsonl'), sent.size]).toEqual([1, undefined, 1]);
  });

  it(`commits on its own past ${MAX_HELD_BYTES / 1024 / 1024} MiB held, writing the held records to the outbox`, () => {
    store.hold();
    const big = 'x'.repeat(64 * 1024);
    let i = 0;
    while (outboxRows() === 0) {
      read('a.jsonl', ++i, [`r${i}`], () => ({ big }));
      expect(i).toBeLessThanOrEqual(MAX_HELD_BYTES / big.length + 1);
    }
    expect([outboxRows(), cursorAt('a.jsonl')]).toEqual([i, i]);
    // Held again from there: the next one is not in the table until the next commit.
    read('a.jsonl', i + 1, ['next']);
    expect([outboxRows(), store.pendingCount()]).toEqual([i, i + 1]);
  });

  it('commits when every held record is acknowledged, at most once a second', async () => {
    store.hold();
    read('a.jsonl', 10, ['r1']);
    store.ack(store.nextBatch('usage', 10, 1 << 20));
    // The first commit waits for a second after the hold began.
    expect(cursorAt('a.jsonl')).toBeUndefined();
    await new Promise((r) => setTimeout(r, 1050));
    read('a.jsonl', 20, ['r2']);
    expect(cursorAt('a.jsonl')).toBeUndefined();
    store.ack(store.nextBatch('usage', 10, 1 << 20));
    expect(cursorAt('a.jsonl')).toBe(20);
  });

  it('commits every 5 s while records stay held (reading ahead of delivery), writing them to the outbox', async () => {
    store.hold();
    read('a.jsonl', 10, ['r1']);
    await new Promise((r) => setTimeout(r, 5050));
    expect(cursorAt('a.jsonl')).toBeUndefined();
    read('a.jsonl', 20, ['r2']);
    expect([outboxRows(), cursorAt('a.jsonl')]).toEqual([2, 20]);
  }, 15_000);

  it('commits what it holds when the store closes', () => {
    store.hold();
    read('a.jsonl', 10, ['r1']);
    store.close();
    expect([outboxRows(), cursorAt('a.jsonl')]).toEqual([1, 10]);
  });

  it('a commit that fails in an ack loses the store: release and every write throw the state error, nothing commits', async () => {
    // A deferred foreign key that the commit finds broken: COMMIT fails (as on a full disk) with the transaction open.
    store.sql.pragma('foreign_keys = ON');
    store.sql.exec(`CREATE TEMP TABLE parent (id INTEGER PRIMARY KEY);
      CREATE TEMP TABLE child (p INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)`);
    store.hold();
    read('a.jsonl', 10, ['r1']);
    store.transaction(() => store.sql.exec('INSERT INTO child VALUES (1)'));
    await new Promise((r) => setTimeout(r, 1050));
    // The ack is due to commit (everything acknowledged, a second on): the commit fails and rolls it all back.
    expect(() => store.ack(store.nextBatch('usage', 10, 1 << 20))).toThrow(StateError);
    // `--once` ends on it rather than saying "delivered" (it released quietly, and exited 0 with nothing committed).
    expect(() => store.release()).toThrow(StateError);
    // A write outside transaction() would commit on its own: a cursor past records that were rolled back.
    expect(() => store.setCursor('claude', 'a.jsonl', 1, 10)).toThrow(StateError);
    expect(() => store.enqueue('usage', 'r2', { id: 'r2' }, 'replace')).toThrow(StateError);
    expect(() => store.addCounterIn('sent.usage', 1)).toThrow(StateError);
    expect([outboxRows(), cursorAt('a.jsonl'), store.counter('sent.usage')]).toEqual([0, undefined, 0]);
    // It closes without the error (the run already ended on it).
    store.close();
  });

  it("writes a quarantined record's dead-letter line just before the held commit that deletes it", () => {
    const deadLetters = () => (existsSync(store.deadLetterFile) ? readFileSync(store.deadLetterFile, 'utf8') : '');
    store.hold();
    read('a.jsonl', 10, ['r1', 'r2']);
    const [r1, r2] = store.nextBatch('usage', 10, 1 << 20);
    store.quarantine(r1 as OutboxRow, 400, 'records[0]: refused');
    // Killed now, a reporter reads r1 again and the server refuses it again: a line now would be written twice.
    expect([deadLetters(), store.pendingCount()]).toEqual(['', 1]);
    store.ack([r2 as OutboxRow]);
    store.release();
    expect(
      deadLetters()
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).id),
    ).toEqual(['r1']);
    expect([cursorAt('a.jsonl'), store.counter('quarantined')]).toEqual([10, 1]);
  });

  it('an ack whose write throws lets go of nothing: the held record and the count stay as they were', () => {
    store.hold();
    read('a.jsonl', 10, ['r1']);
    // The counter's write fails as a statement does on a full disk: the ack's savepoint rolls back, the held one stays.
    store.sql.exec(`CREATE TEMP TRIGGER fail BEFORE INSERT ON main.counters BEGIN SELECT RAISE(ABORT, 'disk full'); END`);
    const batch = store.nextBatch('usage', 10, 1 << 20);
    expect(() => store.ack(batch)).toThrow(StateError);
    expect([store.pendingCount(), store.pendingByKind().usage]).toEqual([1, 1]);
    store.sql.exec('DROP TRIGGER temp.fail');
    expect(store.ack(store.nextBatch('usage', 10, 1 << 20))).toBe(1);
    expect([store.pendingCount(), store.pendingByKind().usage]).toEqual([0, 0]);
  });
});
