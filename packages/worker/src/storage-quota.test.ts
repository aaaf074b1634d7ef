import { DEFAULT_MAX_TOWN_MB } from '@gasgauge/core';
import { describe, expect, it } from 'vitest';
import { maxTownBytes } from './storage-quota.js';

const MIB = 1024 * 1024;

describe('MAX_TOWN_MB (the Worker var)', () => {
  it('is the default when unset, and taken in MiB at its range edges', () => {
    expect(maxTownBytes(undefined)).toBe(DEFAULT_MAX_TOWN_MB * MIB);
    expect(maxTownBytes('')).toBe(DEFAULT_MAX_TOWN_MB * MIB);
    expect(maxTownBytes('1')).toBe(MIB);
    expect(maxTownBytes('1048576')).toBe(1048576 * MIB);
  });

  it('refuses, naming the var and its range, anything else rather than run without a quota', () => {
    for (const bad of ['0', '1048577', '1.5', '-1', ' 5', '5 ', '1e3', '0x10', 'ten', 'Infinity']) {
      expect(() => maxTownBytes(bad), bad).toThrow(/^MAX_TOWN_MB must be a whole number of MiB from 1 to 1048576, not "/);
    }
  });
});
