import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Store } from '../outbox/store.js';
import { removeDir, tempDir } from '../testing/server.js';
import { ClaudeDedupe, recordId } from './dedupe.js';
import { type ClaudeEntry, entryTotal } from './parse.js';

let dir: string;
let store: Store;
beforeEach(() => {
  dir = tempDir();
  store = new Store(join(dir, 'state'));
});
afterEach(() => {
  store.close();
  removeDir(dir);
});

function entry(o: Partial<ClaudeEntry>): ClaudeEntry {
  return {
    messageId: 'msg_1',
    requestId: 'req_1',
    sessionId: 's1',
    sidechain: false,
    model: 'claude-sonnet-4-5-20250929',
    at: 0,
    cwd: undefined,
    costUSD: undefined,
    input: 10,
    output: 100,
    cacheRead: 0,
    cacheWrite5m: 0,
    cacheWrite1h: 0,
    cacheWrite: 0,
    speedSet: false,
    fast: false,
    fromProgress: false,
    ...o,
  };
}

/** One step as ClaudeSource runs it: offers, flush, commit; what each offer answered. */
function step(d: ClaudeDedupe, ...entries: ClaudeEntry[]): (string | undefined)[] {
  try {
    return store.transaction(() => {
      const ids = entries.map((e) => d.offer(e, 1));
      d.flush();
      d.trim();
      return ids;
    });
  } catch (err) {
    d.forget();
    throw err;
  }
}

const reopen = () => {
  store.close();
  store = new Store(join(dir, 'state'));
  return new ClaudeDedupe(store.sql);
};

describe('ClaudeDedupe', () => {
  it('stores the largest copy of a step, so a smaller copy after a restart adds nothing', () => {
    const d = new ClaudeDedupe(store.sql);
    expect(step(d, entry({ output: 10 }), entry({ output: 60 }), entry({ output: 250 }))).toEqual([
      'msg_1:req_1',
      'msg_1:req_1',
      'msg_1:req_1',
    ]);
    const again = reopen();
    expect(step(again, entry({ output: 60 }), entry({ output: 250 }))).toEqual([undefined, undefined]);
    expect(step(again, entry({ output: 300 }))).toEqual(['msg_1:req_1']);
  });

  it('finds a response stored before a restart under another request id (a sidechain replay joins it)', () => {
    step(new ClaudeDedupe(store.sql), entry({ output: 250 }));
    const again = reopen();
    expect(step(again, entry({ requestId: 'req_aside', sidechain: true, output: 250 }))).toEqual([undefined]);
    expect(step(again, entry({ messageId: 'msg_2', requestId: 'req_2' }))).toEqual(['msg_2:req_2']);
  });

  it('joins a sidechain replay to a response created earlier in the same step, before its row is written', () => {
    const d = new ClaudeDedupe(store.sql);
    expect(
      step(d, entry({ output: 250 }), entry({ requestId: 'req_aside', sidechain: true, output: 900 }), entry({ output: 300 })),
    ).toEqual(['msg_1:req_1', undefined, 'msg_1:req_1']);
    expect(store.sql.prepare('SELECT group_id, total FROM claude_groups').all()).toEqual([
      { group_id: 'msg_1:req_1', total: entryTotal(entry({ output: 300 })) },
    ]);
    expect(step(reopen(), entry({ requestId: 'req_aside', sidechain: true, output: 900 }))).toEqual([undefined]);
  });

  it('forgets what a rolled-back step offered: the same copies count when offered again', () => {
    const d = new ClaudeDedupe(store.sql);
    expect(() =>
      step(d, entry({ output: 10 }), {
        ...entry({ messageId: 'msg_2', requestId: 'req_2' }),
        get output(): number {
          throw new Error('read failed');
        },
      }),
    ).toThrow('read failed');
    expect(store.sql.prepare('SELECT count(*) FROM claude_groups').pluck().get()).toBe(0);
    expect(step(d, entry({ output: 10 }), entry({ messageId: 'msg_2', requestId: 'req_2' }))).toEqual([
      'msg_1:req_1',
      'msg_2:req_2',
    ]);
    expect(step(reopen(), entry({ output: 10 }))).toEqual([undefined]);
  });

  it('forgets a rolled-back update of a group committed before: the larger copy counts when offered again', () => {
    const d = new ClaudeDedupe(store.sql);
    expect(step(d, entry({ output: 10 }))).toEqual(['msg_1:req_1']);
    expect(() =>
      step(d, entry({ output: 20 }), {
        ...entry({ messageId: 'msg_2', requestId: 'req_2' }),
        get output(): number {
          throw new Error('read failed');
        },
      }),
    ).toThrow('read failed');
    // The group kept in memory said 20 before the rollback; the database still says 10.
    expect(step(d, entry({ output: 20 }))).toEqual(['msg_1:req_1']);
    expect(step(reopen(), entry({ output: 20 }))).toEqual([undefined]);
  });

  it('keeps the ordinary id message.id:requestId when neither part has a colon', () => {
    expect(step(new ClaudeDedupe(store.sql), entry({}))).toEqual(['msg_1:req_1']);
    expect(recordId('msg_01AbC', 'req_011Xy')).toBe('msg_01AbC:req_011Xy');
    expect(recordId('msg_1', '')).toBe('msg_1:');
  });

  it('gives distinct ids to parts that only differ in where a colon or NUL falls, in one step and after a restart', () => {
    const pairs: [string, string][] = [
      ['a:b', 'c'],
      ['a', 'b:c'],
      ['a:b:c', ''],
      ['a\0b', 'c'],
      ['a', 'b\0c'],
    ];
    const ids = step(new ClaudeDedupe(store.sql), ...pairs.map(([messageId, requestId]) => entry({ messageId, requestId })));
    expect(new Set(ids).size).toBe(pairs.length);
    expect(ids.every((id) => id !== undefined)).toBe(true);
    expect(step(reopen(), ...pairs.map(([messageId, requestId]) => entry({ messageId, requestId, output: 10 })))).toEqual(
      pairs.map(() => undefined),
    );
  });
});
