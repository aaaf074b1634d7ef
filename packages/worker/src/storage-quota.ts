import { DEFAULT_MAX_TOWN_MB, MAX_MAX_TOWN_MB, MIN_MAX_TOWN_MB } from '@gasgauge/core';

/**
 * Each town's storage quota in bytes, from the `MAX_TOWN_MB` var as `gasgauge serve --max-town-mb` takes it
 * (core storage-quota.ts); DEFAULT_MAX_TOWN_MB when unset. A value out of range or not a whole number is
 * refused at the object's start (every request to the town then fails, and `wrangler tail` says why) rather
 * than read as no quota.
 */
export function maxTownBytes(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_MAX_TOWN_MB * 1024 * 1024;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < MIN_MAX_TOWN_MB || n > MAX_MAX_TOWN_MB) {
    throw new Error(
      `MAX_TOWN_MB must be a whole number of MiB from ${MIN_MAX_TOWN_MB} to ${MAX_MAX_TOWN_MB}, not ${JSON.stringify(value)}`,
    );
  }
  return n * 1024 * 1024;
}
