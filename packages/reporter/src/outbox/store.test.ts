import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StateError } from '../errors.js';
import { removeDir, tempDir } from '../testing/server.js';
import { Store } from './store.js';

let dir: string;
beforeEach(() => {
  dir = tempDir('gg-store-');
});
afterEach(() => removeDir(dir));

describe('Store', () => {
  it('replaces a waiting cumulative record, keeps the first event, and acks only the version sent', () => {
    const store = new Store(dir);
    try {
      store.transaction(() => {
        store.enqueue('usage', 'm1', { out: 1 }, 'replace');
        store.enqueue('usage', 'm1', { out: 2 }, 'replace');
        store.enqueue('event', 'e1', { v: 'first' }, 'keep');
        store.enqueue('event', 'e1', { v: 'second' }, 'keep');
      });
      const [sent] = store.nextBatch('usage', 500, 1 << 20);
      expect(JSON.parse(sent?.body ?? '')).toEqual({ out: 2 });
      expect(JSON.parse(store.nextBatch('event', 500, 1 << 20)[0]?.body ?? '')).toEqual({ v: 'first' });
      store.transaction(() => store.enqueue('usage', 'm1', { out: 3 }, 'replace'));
      expect(store.ack(sent ? [sent] : [])).toBe(0);
      expect(store.pendingByKind()).toEqual({ usage: 1, loc: 0, event: 1 });
    } finally {
      store.close();
    }
  });

  it('stops a batch at the byte bound but always takes one record', () => {
    const store = new Store(dir);
    try {
      store.transaction(() => {
        for (let i = 0; i < 10; i++) store.enqueue('usage', `r${i}`, { pad: 'x'.repeat(100) }, 'replace');
      });
      expect(store.nextBatch('usage', 500, 350)).toHaveLength(3);
      expect(store.nextBatch('usage', 500, 10)).toHaveLength(1);
      expect(store.nextBatch('usage', 4, 1 << 20)).toHaveLength(4);
    } finally {
      store.close();
    }
  });

  it('keeps dead letters as JSON lines and rotates the file at its bound', () => {
    const store = new Store(dir, { maxDeadLetterBytes: 300 });
    try {
      store.transaction(() => {
        for (let i = 0; i < 4; i++) store.enqueue('usage', `bad${i}`, { pad: 'y'.repeat(100) }, 'replace');
      });
      for (const row of store.nextBatch('usage', 500, 1 << 20)) store.quarantine(row, 400, 'no');
      expect(store.pendingCount()).toBe(0);
      expect(store.counter('quarantined')).toBe(4);
      const current = readFileSync(store.deadLetterFile, 'utf8').trim().split('\n');
      const rotated = readFileSync(`${store.deadLetterFile}.1`, 'utf8').trim().split('\n');
      expect(current.length + rotated.length).toBe(4);
      expect(JSON.parse(current[0] as string)).toMatchObject({ kind: 'usage', status: 400, reason: 'no' });
    } finally {
      store.close();
    }
  });

  it('lets one reporter at a time use a state directory, taking over from one that was killed', () => {
    const store = new Store(dir);
    expect(() => new Store(dir)).toThrow(StateError);
    store.close();
    writeFileSync(join(dir, 'reporter.pid'), '999999999\n'); // a pid that is not running
    new Store(dir).close();
  });
});
