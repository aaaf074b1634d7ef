import { describe, expect, it } from 'vitest';
import { nextReadIndex, pointValues, readingText, readStep } from './point-reading.js';

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
