import { AppError } from '@gasgauge/core';
import { describe, expect, it } from 'vitest';
import { AnswerTimeBuckets, ReadBuckets } from './read-buckets.js';

/** The refusal admit throws, or undefined when it admits. */
function refusal(b: ReadBuckets, principal: string): AppError | undefined {
  try {
    b.admit(principal);
    return undefined;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
}

describe('ReadBuckets (the Node host read budget)', () => {
  it('admits while the bucket holds anything, then refuses with whole seconds until it is positive again', () => {
    const clock = { t: 0 };
    const b = new ReadBuckets({ msPerSecond: 500, burstMs: 2_000, now: () => clock.t });
    expect(refusal(b, 'user:a')).toBeUndefined();
    // One read overdraws a full bucket: admitted while it held anything, charged what it took.
    b.charge('user:a', 3_200);
    const err = refusal(b, 'user:a');
    expect(err?.code).toBe('too_many_requests');
    expect(err?.status).toBe(429);
    // 1,200 ms of debt at 500 ms a second: positive again after 2.4 s, so Retry-After says 3.
    expect(err?.retryAfterSeconds).toBe(3);
    expect(err?.message).toMatch(/^read budget spent: .*500 ms a second, 2000 ms at once.*retry in 3 s$/);
    // Another principal is untouched.
    expect(refusal(b, 'user:b')).toBeUndefined();
    clock.t = 2_399;
    expect(refusal(b, 'user:a')?.retryAfterSeconds).toBe(1);
    clock.t = 2_401;
    expect(refusal(b, 'user:a')).toBeUndefined();
  });

  it('an exactly empty bucket refuses for a second; refill stops at the burst', () => {
    const clock = { t: 0 };
    const b = new ReadBuckets({ msPerSecond: 100, burstMs: 300, now: () => clock.t });
    b.charge('p', 300);
    expect(refusal(b, 'p')?.retryAfterSeconds).toBe(1);
    // An hour idle earns no more than the burst: 300 ms of reads and it is empty again.
    clock.t = 3_600_000;
    b.charge('p', 300);
    expect(refusal(b, 'p')).toBeDefined();
  });

  it('tracks at most maxPrincipals, forgetting the least recently seen', () => {
    const clock = { t: 0 };
    const b = new ReadBuckets({ msPerSecond: 100, burstMs: 100, maxPrincipals: 3, now: () => clock.t });
    b.charge('debtor', 1_000);
    for (let i = 0; i < 1_000; i++) {
      b.admit(`user:${i}`);
      // The debtor, seen again and again, stays tracked (and refused) however many others come.
      expect(refusal(b, 'debtor')).toBeDefined();
    }
    expect(b.size).toBe(3);
  });

  it('refuses a rate or burst that is not positive', () => {
    expect(() => new ReadBuckets({ msPerSecond: 0, burstMs: 100 })).toThrow(RangeError);
    expect(() => new ReadBuckets({ msPerSecond: 100, burstMs: 0 })).toThrow(RangeError);
  });
});

describe('AnswerTimeBuckets (a Worker isolate: the time until answers)', () => {
  it('charges overlapping calls of one principal once, for the time any was under way', () => {
    const clock = { t: 0 };
    const b = new AnswerTimeBuckets({ msPerSecond: 500, burstMs: 2_000, now: () => clock.t });
    expect(refusal(b, 'user:a')).toBeUndefined();
    // Ten reads sent together, answered one after another 100 ms apart (queued in the town object): 1 s in all.
    const ends = Array.from({ length: 10 }, () => b.begin('user:a'));
    for (const end of ends) {
      clock.t += 100;
      end();
      end(); // a second call of the same end charges nothing
    }
    // 2,000 − 1,000 + 500 refilled over the second: 1,500 left (ten times each wait would be 5,500 spent), and
    // three more such seconds empty it.
    expect(refusal(b, 'user:a')).toBeUndefined();
    for (let i = 0; i < 3; i++) {
      const more = Array.from({ length: 10 }, () => b.begin('user:a'));
      for (const end of more) {
        clock.t += 100;
        end();
      }
    }
    const refused = refusal(b, 'user:a');
    expect(refused?.code).toBe('too_many_requests');
    expect(refusal(b, 'user:b')).toBeUndefined();
  });

  it('charges a call still under way at each admit, so a principal who always keeps one going is refused too', () => {
    const clock = { t: 0 };
    const b = new AnswerTimeBuckets({ msPerSecond: 500, burstMs: 2_000, now: () => clock.t });
    expect(refusal(b, 'user:a')).toBeUndefined();
    let end = b.begin('user:a');
    // A full bucket earns nothing: 1,000 left after the first second, then 500 more spent each second.
    for (let i = 0; i < 2; i++) {
      clock.t += 1_000;
      // The next read begins before the last ends: the span never closes.
      expect(refusal(b, 'user:a')).toBeUndefined();
      const next = b.begin('user:a');
      end();
      end = next;
    }
    clock.t += 1_000;
    expect(refusal(b, 'user:a')?.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    end();
  });

  it("refuses a call past the principal's calls under way (all sent at once are admitted from a full bucket), others not", () => {
    const b = new AnswerTimeBuckets({ msPerSecond: 500, burstMs: 2_000, now: () => 0, maxCallsUnderWay: 3 });
    const ends = Array.from({ length: 3 }, () => b.begin('user:a'));
    expect(() => b.begin('user:a')).toThrow(expect.objectContaining({ code: 'too_many_requests', retryAfterSeconds: 1 }));
    const other = b.begin('user:b');
    ends[0]?.();
    b.begin('user:a')();
    other();
  });
});
