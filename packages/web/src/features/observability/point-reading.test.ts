import { describe, expect, it } from 'vitest';
import { nextReadIndex, nextReadIndexFrom, pointValues, readingText, readStep } from './point-reading.js';

const key = (k: string, mods: Partial<Record<'shiftKey' | 'altKey' | 'ctrlKey' | 'metaKey', boolean>> = {}) => ({
  key: k,
  shiftKey: false,
  altKey: false,
  ctrlKey: false,
  metaKey: false,
  ...mods,
});

describe('reading a chart point by point', () => {
  it('steps with Shift and an arrow only (the arrows alone pan, other modifiers are the browser’s)', () => {
    expect(readStep(key('ArrowLeft', { shiftKey: true }))).toBe(-1);
    expect(readStep(key('ArrowRight', { shiftKey: true }))).toBe(1);
    expect(readStep(key('ArrowRight'))).toBeUndefined();
    expect(readStep(key('ArrowRight', { shiftKey: true, ctrlKey: true }))).toBeUndefined();
    expect(readStep(key('Home', { shiftKey: true }))).toBeUndefined();
  });

  it('starts at the newest bucket for ← and the oldest for →, then moves one at a time and stays at the ends', () => {
    expect(nextReadIndex(0, undefined, 1)).toBeUndefined();
    expect(nextReadIndex(5, undefined, -1)).toBe(4);
    expect(nextReadIndex(5, undefined, 1)).toBe(0);
    expect(nextReadIndex(5, 2, -1)).toBe(1);
    expect(nextReadIndex(5, 0, -1)).toBe(0);
    expect(nextReadIndex(5, 4, 1)).toBe(4);
    // The data shrank under the reading (a new range): it starts again.
    expect(nextReadIndex(3, 7, 1)).toBe(0);
  });

  it('keeps to the bucket read, by its time, when a refresh moves the range under the reading', () => {
    const xs = [100, 105, 110, 115, 120];
    expect(nextReadIndexFrom(xs, undefined, -1)).toBe(4);
    expect(nextReadIndexFrom([], 110, -1)).toBeUndefined();
    expect(nextReadIndexFrom(xs, 110, -1)).toBe(1);
    expect(nextReadIndexFrom(xs, 110, 1)).toBe(3);
    // The 1-hour preset moved with now: one bucket out at the start, one in at the end. ← from 110 reads 105
    // (by place it read 110 again), → reads 115 (by place it skipped to 120).
    const moved = [105, 110, 115, 120, 125];
    expect(moved[nextReadIndexFrom(moved, 110, -1) as number]).toBe(105);
    expect(moved[nextReadIndexFrom(moved, 110, 1) as number]).toBe(115);
    // The oldest bucket read went out of the range: ← stays at the oldest end, → goes to the next bucket.
    expect(nextReadIndexFrom(moved, 100, -1)).toBe(0);
    expect(nextReadIndexFrom(moved, 100, 1)).toBe(0);
    // A new range whose buckets fall between (another step): the neighbour in the step's direction.
    expect(nextReadIndexFrom([100, 160, 220], 130, -1)).toBe(0);
    expect(nextReadIndexFrom([100, 160, 220], 130, 1)).toBe(1);
    expect(nextReadIndexFrom([100, 160, 220], 300, 1)).toBe(2);
    expect(nextReadIndexFrom([100, 160, 220], 300, -1)).toBe(2);
  });

  it('reads the shown series with their units, a gap as "no data", and says when every series is hidden', () => {
    const u = {
      series: [
        {},
        { label: 'Input', show: true, stroke: '#111' },
        { label: 'Output', show: true },
        { label: 'Hidden', show: false },
      ],
      data: [
        [60, 120],
        [1500, null],
        [2, 3],
        [9, 9],
      ],
    } as unknown as Parameters<typeof pointValues>[0];
    const values = pointValues(u, 1, (v) => `${v} tok/s`);
    expect(values).toEqual([
      { label: 'Input', value: 'no data', color: '#111' },
      { label: 'Output', value: '3 tok/s', color: '' },
    ]);
    expect(readingText('12:02', values)).toBe('12:02: Input no data, Output 3 tok/s');
    expect(readingText('12:02', [])).toBe('12:02: every series hidden');
  });
});
