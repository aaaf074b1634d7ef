import { describe, expect, it } from 'vitest';
import { formatAxisTime, formatInteger, formatMoneyExact, formatStamp, formatTime } from './format.js';
import { dateTimeFormat, numberFormat } from './intl.js';

describe('kept Intl formatters', () => {
  it('builds one formatter per locale and options, and a new one for other options', () => {
    const a = dateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hour12: false, timeZone: 'UTC' });
    const b = dateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hour12: false, timeZone: 'UTC' });
    expect(b).toBe(a);
    expect(dateTimeFormat('en-GB', { hour: '2-digit', hour12: false, timeZone: 'UTC' })).not.toBe(a);
    expect(dateTimeFormat('en-US', { hour: '2-digit', minute: '2-digit', hour12: false, timeZone: 'UTC' })).not.toBe(a);
    expect(numberFormat('en-US', {})).toBe(numberFormat('en-US', {}));
    expect(a.format(Date.UTC(2026, 11, 3, 14, 5))).toBe('14:05');
  });

  it('stays bounded: past its limit it starts over instead of growing', () => {
    const first = dateTimeFormat('en-GB', { timeZone: 'UTC', second: '2-digit' });
    const zones = Intl.supportedValuesOf('timeZone').slice(0, 300);
    expect(zones.length).toBe(300);
    for (const timeZone of zones) dateTimeFormat('en-GB', { timeZone, minute: '2-digit' });
    expect(dateTimeFormat('en-GB', { timeZone: 'UTC', second: '2-digit' })).not.toBe(first);
  });

  it('formats as the per-call formatters did', () => {
    const at = Date.UTC(2026, 11, 3, 14, 5, 9);
    expect(formatAxisTime(at, 3_600_000, 'UTC')).toBe('14:05');
    expect(formatAxisTime(at, 30_000, 'UTC')).toBe('14:05:09');
    expect(formatAxisTime(at, 86_400_000, 'UTC')).toBe('3 Dec');
    expect(formatTime(at, 3_600_000, 'UTC')).toBe('3 Dec, 14:05');
    expect(formatStamp(at, true, 'UTC')).toBe('3 Dec, 14:05:09');
    expect(formatInteger(1234567.4)).toBe('1,234,567');
    expect(formatMoneyExact(-1_234_567_800)).toBe('−$1,234.5678');
  });
});
