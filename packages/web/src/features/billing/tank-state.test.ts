import { TRPCClientError } from '@trpc/client';
import { describe, expect, it } from 'vitest';
import type { GasTank } from '../../api/billing.js';
import { tankState } from './tank-state.js';

const refused = (httpStatus: number, code: string) =>
  new TRPCClientError<never>('no', { result: { error: { message: 'no', code: -1, data: { httpStatus, code } } } as never });

const tank = { balanceMicrodollars: 1 } as GasTank;

describe('tankState', () => {
  it('hides a balance the role may not read (403 or 404), even over figures shown before', () => {
    expect(tankState({ data: undefined, error: refused(403, 'FORBIDDEN') })).toEqual({ status: 'hidden' });
    expect(tankState({ data: tank, error: refused(404, 'NOT_FOUND') })).toEqual({ status: 'hidden' });
  });
  it('keeps the last figures through a passing failure, marked stale, and says so when there are none', () => {
    const network = new Error('network');
    expect(tankState({ data: tank, error: network })).toEqual({ status: 'ok', tank, stale: network });
    expect(tankState({ data: tank, error: undefined })).toEqual({ status: 'ok', tank });
    expect(tankState({ data: undefined, error: refused(500, 'INTERNAL_SERVER_ERROR') })).toMatchObject({ status: 'error' });
    expect(tankState({ data: undefined, error: undefined })).toEqual({ status: 'loading' });
  });
});
