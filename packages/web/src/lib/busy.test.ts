import { TRPCClientError } from '@trpc/client';
import { describe, expect, it } from 'vitest';
import { busyError, busyRetrySeconds, loadErrorTone } from './busy.js';

const shed = (data: Record<string, unknown>) =>
  TRPCClientError.from({ error: { message: 'read budget spent: …', code: -32029, data } });

describe('busyRetrySeconds', () => {
  it("reads a shed call's own wait", () => {
    expect(busyRetrySeconds(shed({ code: 'TOO_MANY_REQUESTS', httpStatus: 429, retryAfterSeconds: 3 }))).toBe(3);
    expect(busyError(3).message).toBe('the server is busy, retrying in 3 s');
  });

  it('leaves every other error alone', () => {
    expect(busyRetrySeconds(shed({ code: 'NOT_FOUND', httpStatus: 404 }))).toBeUndefined();
    expect(busyRetrySeconds(shed({ code: 'TOO_MANY_REQUESTS', retryAfterSeconds: 'soon' }))).toBeUndefined();
    expect(busyRetrySeconds(new Error('network'))).toBeUndefined();
  });
});

describe('loadErrorTone', () => {
  it('is amber for a shed read the page retries, red for anything else', () => {
    expect(loadErrorTone(busyError(2))).toBe('warn');
    expect(loadErrorTone(new Error('the server is busy, retrying in 2 s'))).toBe('danger');
    expect(loadErrorTone(new Error('town not found'))).toBe('danger');
  });
});
