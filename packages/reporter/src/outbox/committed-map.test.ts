import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { removeDir, tempDir } from '../testing/server.js';
import { CommittedMap } from './committed-map.js';
import { Store } from './store.js';

let dir: string;
let store: Store;
beforeEach(() => {
  dir = tempDir('gg-committed-map-');
  store = new Store(join(dir, 'state'));
});
afterEach(() => {
  store.close();
  removeDir(dir);
});

describe('CommittedMap', () => {
  it('keeps what a transaction wrote once it commits, and reads its own writes meanwhile', () => {
    const m = new CommittedMap<string, number>(store, 100);
    store.transaction(() => {
      m.set('a', 1);
      expect(m.get('a')).toBe(1);
      expect(m.size).toBe(0); // not kept yet
    });
    expect(m.get('a')).toBe(1);
    expect(m.size).toBe(1);
  });

  it('forgets what a transaction wrote when it rolls back, and keeps what was kept before', () => {
    const m = new CommittedMap<string, number>(store, 100);
    m.set('a', 1); // outside a transaction: kept at once
    expect(() =>
      store.transaction(() => {
        m.set('a', 2);
        m.set('b', 3);
        throw new Error('a write failed');
      }),
    ).toThrow('a write failed');
    expect(m.get('a')).toBe(1);
    expect(m.has('b')).toBe(false);
    // The next transaction stages afresh.
    store.transaction(() => m.set('b', 4));
    expect(m.get('b')).toBe(4);
  });

  it('waits for the outermost transaction: an inner one that commits does not keep what the outer then rolls back', () => {
    const m = new CommittedMap<string, number>(store, 100);
    expect(() =>
      store.transaction(() => {
        store.transaction(() => m.set('a', 1));
        throw new Error('outer failed');
      }),
    ).toThrow('outer failed');
    expect(m.has('a')).toBe(false);
  });

  it('holds at most max kept entries, forgetting the oldest', () => {
    const m = new CommittedMap<number, number>(store, 3);
    store.transaction(() => {
      for (let i = 0; i < 5; i++) m.set(i, i);
    });
    expect(m.size).toBe(3);
    expect([0, 1, 2, 3, 4].map((i) => m.has(i))).toEqual([false, false, true, true, true]);
  });
});
