import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { TickHealthBook } from './tick-health.js';

const intervals = { activeMs: 5_000, idleMs: 60_000 };

describe('tick health', () => {
  it('backs off from the active interval, doubling up to the idle interval, and resets on success', () => {
    const book = new TickHealthBook();
    const waits = Array.from({ length: 6 }, (_, i) => book.failed('t', new Error('disk'), 1000 * i, intervals) - 1000 * i);
    expect(waits).toEqual([5_000, 10_000, 20_000, 40_000, 60_000, 60_000]);
    expect(book.get('t')).toMatchObject({ failures: 6, failuresTotal: 6, lastErrorAt: 5000, lastOkAt: null });
    book.ok('t', 9000);
    expect(book.get('t')).toEqual({
      lastOkAt: 9000,
      failures: 0,
      failuresTotal: 6,
      lastError: null,
      lastErrorAt: null,
      retryAt: null,
    });
    expect(book.failed('t', new Error('again'), 10_000, intervals)).toBe(15_000);
    expect(book.get('other')).toMatchObject({ failures: 0, lastOkAt: null });
  });

  it('shows a client error as it is and an internal one only as having happened', () => {
    const book = new TickHealthBook();
    book.failed('a', new AppError('bad_request', 'a budget zone is unknown'), 0, intervals);
    book.failed('b', new Error('SQLITE_CORRUPT: /data/towns/b.sqlite'), 0, intervals);
    expect(book.get('a').lastError).toBe('a budget zone is unknown');
    expect(book.get('b').lastError).toBe('internal error (the server log has the details)');
  });
});
