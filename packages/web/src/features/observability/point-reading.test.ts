import { describe, expect, it } from 'vitest';
import { nextReadIndex, nextReadIndexFrom, pointValues, readingLeft, readingText, readStep, viewSpan } from './point-reading.js';

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

  it('reads only the buckets in view: one that starts before the range is not drawn, nor pointed at', () => {
    const xs = [95, 100, 105, 110, 115];
    expect(viewSpan(xs, { min: 97, max: 115 })).toEqual({ first: 1, end: 5 });
    expect(viewSpan(xs, { min: 100, max: 112 })).toEqual({ first: 1, end: 4 });
    expect(viewSpan(xs, { min: 200, max: 300 })).toEqual({ first: 5, end: 5 });
    expect(viewSpan([], { min: 0, max: 1 })).toEqual({ first: 0, end: 0 });
    // Before the first draw there is no view: no bucket.
    expect(viewSpan(xs, { min: Number.POSITIVE_INFINITY, max: Number.NEGATIVE_INFINITY })).toEqual({ first: 5, end: 5 });
  });

  it("puts a reading's cursor at its bucket's pixel wherever a refresh moved it, and off the plot once it left the view", () => {
    // 1 px a second from the view's start.
    const toPos = (min: number) => (x: number) => x - min;
    expect(readingLeft(110, { min: 100, max: 200 }, toPos(100))).toBe(10);
    // The range moved 5 s on: the same bucket, 5 px to the left (the cursor stayed at 10 px, on the bucket 115).
    expect(readingLeft(110, { min: 105, max: 205 }, toPos(105))).toBe(5);
    // The bucket is out of the view: no cursor, no tooltip (uPlot hides a cursor left of the plot).
    expect(readingLeft(100, { min: 105, max: 205 }, toPos(105))).toBe(-10);
    expect(readingLeft(210, { min: 105, max: 205 }, toPos(105))).toBe(-10);
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
