import { describe, expect, it } from 'vitest';
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
});
