import { TRPCClientError } from '@trpc/client';
import { describe, expect, it } from 'vitest';
import {
  busyError,
  busyRetrySeconds,
  isNoAnswer,
  loadErrorTone,
  NoAnswerError,
  noAnswerError,
  noAnswerRetrySeconds,
} from './busy.js';

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

describe('no answer from the server', () => {
  const down = TRPCClientError.from(new NoAnswerError('no answer from the server'));
  const proxy = TRPCClientError.from(new NoAnswerError('the server answered 502'));

  it('is told from an answer, and from any other failure', () => {
    expect(isNoAnswer(down)).toBe(true);
    expect(isNoAnswer(proxy)).toBe(true);
    expect(isNoAnswer(shed({ code: 'NOT_FOUND', httpStatus: 404 }))).toBe(false);
    expect(isNoAnswer(TRPCClientError.from(new TypeError('Failed to fetch')))).toBe(false);
    expect(isNoAnswer(new NoAnswerError('not through tRPC'))).toBe(false);
  });

  it('is asked again after 1, 2, 4, 8 s, then every 15 s, and shown amber with why', () => {
    expect([0, 1, 2, 3, 4, 5, 50].map(noAnswerRetrySeconds)).toEqual([1, 2, 4, 8, 15, 15, 15]);
    expect(noAnswerError(down, 4).message).toBe('no answer from the server, retrying in 4 s');
    expect(noAnswerError(proxy, 1).message).toBe('the server answered 502, retrying in 1 s');
    expect(loadErrorTone(noAnswerError(down, 1))).toBe('warn');
  });
});
