import { describe, expect, it } from 'vitest';
import { formatUsd, MAX_USD_MICRODOLLARS, parseUsd } from './account.js';
import { UsageError } from './command.js';

describe('formatUsd, the dollars the CLI prints', () => {
  it('is exact, and groups thousands as the web UI does', () => {
    expect(formatUsd(25_000_000)).toBe('$25.00');
    expect(formatUsd(25_000_001)).toBe('$25.000001');
    expect(formatUsd(-1_500_000)).toBe('-$1.50');
    expect(formatUsd(999_990_000)).toBe('$999.99');
    expect(formatUsd(35_499_995_601)).toBe('$35,499.995601');
    expect(formatUsd(1_000_000_000_000)).toBe('$1,000,000.00');
    expect(formatUsd(-1_000_000_000_000_000)).toBe('-$1,000,000,000.00');
    expect(formatUsd(0)).toBe('$0.00');
    expect(formatUsd(parseUsd('1234567.000001', 'usd'))).toBe('$1,234,567.000001');
  });
});

describe('parseUsd, the dollars the CLI takes', () => {
  it('takes up to its bound and names the bound past it (it said "is too large" and no more)', () => {
    expect(parseUsd('9007199254.740991', 'low-usd', { allowZero: true })).toBe(MAX_USD_MICRODOLLARS);
    expect(() => parseUsd('9007199254.740992', 'low-usd', { allowZero: true })).toThrow(
      new UsageError('--low-usd is at most $9,007,199,254.740991, not "9007199254.740992"'),
    );
    expect(parseUsd('1000000', 'usd', { max: 1_000_000_000_000, per: ' per grant' })).toBe(1_000_000_000_000);
    // Past Number's safe integers too, where the check used to be the only one.
    expect(() => parseUsd('99999999999', 'usd', { max: 1_000_000_000_000, per: ' per grant' })).toThrow(
      '--usd is at most $1,000,000.00 per grant, not "99999999999"',
    );
  });
});
