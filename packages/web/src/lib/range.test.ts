import { describe, expect, it } from 'vitest';
import {
  basePreset,
  chartKeyAction,
  coarseMaxPointsFor,
  DEFAULT_RANGE,
  fromLocalInput,
  keyRange,
  MIN_SPAN_MS,
  maxPointsFor,
  parseRange,
  rangeAnnouncement,
  rangeSearch,
  refreshMs,
  resolveRange,
  toLocalInput,
  zoomRange,
} from './range.js';

const NOW = Date.UTC(2026, 10, 25, 12);

describe('presets', () => {
  it('resolve against now; absolute ranges do not move', () => {
    expect(resolveRange({ kind: 'preset', preset: '15m' }, NOW)).toEqual({ from: NOW - 900_000, to: NOW });
    expect(resolveRange({ kind: 'preset', preset: '7d' }, NOW)).toEqual({ from: NOW - 7 * 86_400_000, to: NOW });
    expect(resolveRange({ kind: 'preset', preset: '30d' }, NOW).from).toBe(NOW - 30 * 86_400_000);
    expect(resolveRange({ kind: 'absolute', from: 1, to: 2 }, NOW)).toEqual({ from: 1, to: 2 });
  });
});

describe('the range announced to screen readers', () => {
  it('names a preset, which does not change as it follows now (auto-refresh announces nothing)', () => {
    expect(rangeAnnouncement({ kind: 'preset', preset: '1h' })).toBe('Range: the last hour');
    expect(rangeAnnouncement({ kind: 'preset', preset: '7d' })).toBe('Range: the last 7 days');
  });
  it('gives a fixed range its ends', () => {
    const spec = { kind: 'absolute', from: NOW, to: NOW + 1_800_000 } as const;
    expect(rangeAnnouncement(spec, 'UTC')).toBe('Range: 12:00:00 to 12:30:00');
    expect(rangeAnnouncement({ kind: 'absolute', from: NOW, to: NOW + 2 * 86_400_000 }, 'UTC')).toBe(
      'Range: 25 Nov, 12:00 to 27 Nov, 12:00',
    );
  });
});

describe('the range in the URL', () => {
  it('reads presets and absolute ranges, and falls back to the default on anything else', () => {
    expect(parseRange('?range=6h')).toEqual({ kind: 'preset', preset: '6h' });
    expect(parseRange('?from=1000&to=61000')).toEqual({ kind: 'absolute', from: 1000, to: 61000 });
    expect(parseRange('?range=1h&from=1000&to=61000')).toEqual({ kind: 'absolute', from: 1000, to: 61000 });
    for (const bad of ['', '?range=2y', '?from=5&to=1', '?from=1e3&to=9e9', '?from=1000&to=1001', '?from=-5&to=100000']) {
      expect(parseRange(bad), bad).toEqual(DEFAULT_RANGE);
    }
  });

  it('writes a range back, keeping other parameters and the preset a zoom started from', () => {
    expect(rangeSearch({ kind: 'preset', preset: '24h' }, '?by=model')).toBe('?by=model&range=24h');
    const zoomed = rangeSearch({ kind: 'absolute', from: 1000.4, to: 61000 }, '?range=6h&by=model');
    expect(zoomed).toBe('?range=6h&by=model&from=1000&to=61000');
    expect(parseRange(zoomed)).toEqual({ kind: 'absolute', from: 1000, to: 61000 });
    expect(basePreset(zoomed)).toBe('6h');
    expect(basePreset('?from=1&to=99999')).toBe('1h');
    expect(rangeSearch({ kind: 'preset', preset: '6h' }, zoomed)).toBe('?range=6h&by=model');
  });

  it('round-trips every preset', () => {
    for (const preset of ['15m', '1h', '6h', '24h', '7d', '30d'] as const) {
      expect(parseRange(rangeSearch({ kind: 'preset', preset }))).toEqual({ kind: 'preset', preset });
    }
  });
});

describe('zoom', () => {
  it('orders the ends, rounds to ms and never zooms narrower than the minimum span', () => {
    expect(zoomRange(90_000.6, 30_000.2)).toEqual({ kind: 'absolute', from: 30_000, to: 90_001 });
    expect(zoomRange(0, 120_000)).toEqual({ kind: 'absolute', from: 0, to: 120_000 });
    const narrow = zoomRange(100_000, 100_010);
    expect(narrow.kind === 'absolute' && narrow.to - narrow.from).toBe(MIN_SPAN_MS);
  });
});

describe('resolution', () => {
  it('asks for about one bucket per pixel, within the server limits', () => {
    expect(maxPointsFor(1100)).toBe(1100);
    expect(maxPointsFor(10)).toBe(60);
    expect(maxPointsFor(9000)).toBe(5000);
    expect(coarseMaxPointsFor(1200)).toBe(100);
    expect(coarseMaxPointsFor(50)).toBe(12);
  });
  it('refreshes a following range once a bucket, between 5 s and a minute', () => {
    expect(refreshMs(5000)).toBe(5000);
    expect(refreshMs(1000)).toBe(5000);
    expect(refreshMs(30_000)).toBe(30_000);
    expect(refreshMs(3_600_000)).toBe(60_000);
  });
});

describe('custom range inputs', () => {
  it('round-trips local datetime-input values and refuses malformed ones', () => {
    const at = new Date(2026, 10, 25, 9, 30).getTime();
    expect(toLocalInput(at)).toBe('2026-11-25T09:30');
    expect(fromLocalInput('2026-11-25T09:30')).toBe(at);
    expect(fromLocalInput('')).toBeUndefined();
    expect(fromLocalInput('yesterday')).toBeUndefined();
  });
});

describe('keyboard zoom and pan', () => {
  const H = 3_600_000;
  const r = { from: NOW - H, to: NOW };
  const open = { latest: NOW, maxSpan: 30 * 24 * H };
  it('zooms in and out around the middle, and pans a quarter of the range', () => {
    expect(keyRange(r, 'in', open)).toEqual({ from: NOW - 0.75 * H, to: NOW - 0.25 * H });
    expect(keyRange(r, 'left', open)).toEqual({ from: NOW - 1.25 * H, to: NOW - 0.25 * H });
    const mid = { from: NOW - 2 * H, to: NOW - H };
    expect(keyRange(mid, 'right', open)).toEqual({ from: NOW - 1.75 * H, to: NOW - 0.75 * H });
    expect(keyRange(mid, 'out', open)).toEqual({ from: NOW - 2.5 * H, to: NOW - 0.5 * H });
  });
  it('stays inside its limits: no later than now, no earlier than the first bucket, no wider than the widest range', () => {
    // Zooming out at now keeps the end at now; panning right at now goes nowhere.
    expect(keyRange(r, 'out', open)).toEqual({ from: NOW - 2 * H, to: NOW });
    expect(keyRange(r, 'right', open)).toEqual(r);
    const bead = { earliest: NOW - H, latest: NOW, maxSpan: H };
    expect(keyRange(r, 'left', bead)).toEqual(r);
    expect(keyRange(r, 'out', bead)).toEqual(r);
    const month = { from: NOW - 30 * 24 * H, to: NOW };
    expect(keyRange(month, 'out', open)).toEqual(month);
  });
  it('never zooms in below MIN_SPAN_MS, and a range already narrower is not widened by a zoom in', () => {
    const narrow = { from: NOW - 40_000, to: NOW };
    expect(keyRange(narrow, 'in', open)).toEqual({ from: NOW - 35_000, to: NOW - 5000 });
    const tiny = { from: NOW - 10_000, to: NOW };
    expect(keyRange(tiny, 'in', open)).toEqual(tiny);
  });
  it('names its keys', () => {
    expect(['+', '=', '-', 'ArrowLeft', 'ArrowRight', 'Home', 'Escape', 'a', 'constructor'].map(chartKeyAction)).toEqual([
      'in',
      'in',
      'out',
      'left',
      'right',
      'reset',
      'reset',
      undefined,
      undefined,
    ]);
  });
});
