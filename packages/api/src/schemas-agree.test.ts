import { MAX_GRANT_MICRODOLLARS, MAX_QUERY_EPOCH_MS } from '@gasgauge/core';
import { describe, expect, it } from 'vitest';
import { grantInput } from './billing/router.js';
import { timeseriesQuery } from './metrics/rest.js';
import { timeseriesInput } from './metrics/router.js';

/*
 * An input schema looser than the core check behind it still gives a 400, but from a later layer
 * (after the auth check, with another message), and the schema stops documenting the limit. Each
 * schema here must refuse exactly where core does, and the REST query where tRPC does.
 */
const accepts = (schema: { safeParse(v: unknown): { success: boolean } }, value: unknown) => schema.safeParse(value).success;

describe('input schemas carry the same bounds as core', () => {
  it('billing.grant: amountMicrodollars up to MAX_GRANT_MICRODOLLARS', () => {
    const grant = (amountMicrodollars: number) => accepts(grantInput, { userName: 'admin', amountMicrodollars });
    expect([grant(MAX_GRANT_MICRODOLLARS), grant(MAX_GRANT_MICRODOLLARS + 1)]).toEqual([true, false]);
  });

  it('metrics.timeseries: from and to up to MAX_QUERY_EPOCH_MS', () => {
    const range = (from: number, to: number) => accepts(timeseriesInput, { townId: 't', from, to });
    expect([range(0, MAX_QUERY_EPOCH_MS), range(0, MAX_QUERY_EPOCH_MS + 1), range(MAX_QUERY_EPOCH_MS + 1, 0)]).toEqual([
      true,
      false,
      false,
    ]);
  });

  it('REST timeseries: tz at most as long as tRPC allows', () => {
    const tz = (length: number) => accepts(timeseriesQuery, { from: '0', to: '1', tz: 'Z'.repeat(length) });
    const trpc = (length: number) => accepts(timeseriesInput, { townId: 't', from: 0, to: 1, tz: 'Z'.repeat(length) });
    expect([tz(64), tz(65)]).toEqual([trpc(64), trpc(65)]);
    expect([tz(64), tz(65)]).toEqual([true, false]);
  });
});
