import { describe, expect, it } from 'vitest';
import { formatUsd, parseUsd } from './account.js';

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
