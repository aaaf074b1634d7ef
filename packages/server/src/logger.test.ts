import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

const T = Date.UTC(2026, 11, 3, 9, 45, 9, 123);
const entry = {
  requestId: 'abc',
  method: 'POST',
  route: '/api/towns/:townId/usage',
  status: 200,
  durationMs: 1.5,
  town: 'town_1',
};

describe('createLogger', () => {
  it('json: one object per line with t in epoch ms, messages and access entries alike', () => {
    const lines: string[] = [];
    const log = createLogger(
      'json',
      (l) => lines.push(l),
      () => T,
    );
    log.message('tick of town_1 failed: "disk"\nfull');
    log.access(entry);
    log.message('listening', { url: 'http://127.0.0.1:8787' });
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      { t: T, kind: 'message', msg: 'tick of town_1 failed: "disk"\nfull' },
      { t: T, kind: 'access', ...entry },
      { t: T, kind: 'message', msg: 'listening', url: 'http://127.0.0.1:8787' },
    ]);
  });

  it('pretty: a timestamp, then the message or method, route, status, duration, town and request id', () => {
    const lines: string[] = [];
    const log = createLogger(
      'pretty',
      (l) => lines.push(l),
      () => T,
    );
    log.message('hello');
    log.access(entry);
    log.access({ ...entry, town: undefined as never, requestId: 'def' });
    expect(lines).toEqual([
      '2026-12-03T09:45:09.123Z hello',
      '2026-12-03T09:45:09.123Z POST /api/towns/:townId/usage 200 1.5ms town=town_1 req=abc',
      '2026-12-03T09:45:09.123Z POST /api/towns/:townId/usage 200 1.5ms req=def',
    ]);
  });
});
