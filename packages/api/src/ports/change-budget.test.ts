import { AppError } from '@gasgauge/core';
import { describe, expect, it } from 'vitest';
import { ChangeBuckets, changeBudgetOf, DEFAULT_CHANGE_BUDGET_BURST, DEFAULT_CHANGE_BUDGET_PER_MINUTE } from './change-budget.js';

/** The refusal spend throws, or undefined when the change is counted. */
function refusal(b: ChangeBuckets, principal: string): AppError | undefined {
  try {
    b.spend(principal);
    return undefined;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
}

describe('ChangeBuckets (the change budget)', () => {
  it('tells the refusal spend would throw, counting nothing (a tRPC body is read only without one)', () => {
    const clock = { t: 0 };
    const b = new ChangeBuckets({ burst: 2, perMinute: 6, now: () => clock.t });
    for (let i = 0; i < 5; i++) expect(b.refusal('user:a')).toBeUndefined();
    expect(refusal(b, 'user:a')).toBeUndefined();
    expect(refusal(b, 'user:a')).toBeUndefined();
    for (let i = 0; i < 5; i++) expect(b.refusal('user:a')).toMatchObject({ code: 'too_many_requests', retryAfterSeconds: 10 });
    expect(refusal(b, 'user:a')?.message).toBe(b.refusal('user:a')?.message);
    clock.t = 10_000;
    expect(b.refusal('user:a')).toBeUndefined();
  });

  it(`counts the burst's changes, refuses the next with whole seconds until one is earned back, and refills`, () => {
    const clock = { t: 0 };
    const b = new ChangeBuckets({ burst: 5, perMinute: 6, now: () => clock.t });
    for (let i = 1; i <= 5; i++) expect(refusal(b, 'user:a'), `change ${i}`).toBeUndefined();
    const err = refusal(b, 'user:a');
    expect(err?.code).toBe('too_many_requests');
    expect(err?.status).toBe(429);
    // One change a 10 s (6 a minute): the next is earned in 10 s.
    expect(err?.retryAfterSeconds).toBe(10);
    expect(err?.message).toBe(
      'change budget spent: you have made more changes than your share (5 at once, 6 a minute); nothing was changed; retry in 10 s',
    );
    // A refusal counts nothing: still 10 s to wait, not more.
    expect(refusal(b, 'user:a')?.retryAfterSeconds).toBe(10);
    // Another principal is untouched.
    for (let i = 1; i <= 5; i++) expect(refusal(b, 'user:b')).toBeUndefined();
    clock.t = 9_001;
    expect(refusal(b, 'user:a')?.retryAfterSeconds).toBe(1);
    clock.t = 10_000;
    expect(refusal(b, 'user:a')).toBeUndefined();
    expect(refusal(b, 'user:a')?.retryAfterSeconds).toBe(10);
    // Refill stops at the burst, however long the pause.
    clock.t = 10_000 + 3_600_000;
    for (let i = 1; i <= 5; i++) expect(refusal(b, 'user:a')).toBeUndefined();
    expect(refusal(b, 'user:a')).toBeDefined();
  });

  it('a wait under a second is said as 1 s', () => {
    const clock = { t: 0 };
    const b = new ChangeBuckets({ burst: 1, perMinute: 600, now: () => clock.t });
    expect(refusal(b, 'p')).toBeUndefined();
    expect(refusal(b, 'p')?.retryAfterSeconds).toBe(1);
    clock.t = 99;
    expect(refusal(b, 'p')?.retryAfterSeconds).toBe(1);
    clock.t = 100;
    expect(refusal(b, 'p')).toBeUndefined();
  });

  it(`the defaults: ${DEFAULT_CHANGE_BUDGET_BURST} changes at once, then ${DEFAULT_CHANGE_BUDGET_PER_MINUTE} a minute`, () => {
    const clock = { t: 0 };
    const b = new ChangeBuckets({
      burst: DEFAULT_CHANGE_BUDGET_BURST,
      perMinute: DEFAULT_CHANGE_BUDGET_PER_MINUTE,
      now: () => clock.t,
    });
    for (let i = 1; i <= DEFAULT_CHANGE_BUDGET_BURST; i++) expect(refusal(b, 'user:a'), `change ${i}`).toBeUndefined();
    expect(refusal(b, 'user:a')?.retryAfterSeconds).toBe(1);
    // Then 2 a second, sustained.
    for (let s = 1; s <= 30; s++) {
      clock.t = s * 1_000;
      expect(refusal(b, 'user:a')).toBeUndefined();
      expect(refusal(b, 'user:a')).toBeUndefined();
      expect(refusal(b, 'user:a')).toBeDefined();
    }
  });

  it('tracks at most maxPrincipals: the least recently seen is forgotten (and starts full again)', () => {
    const clock = { t: 0 };
    const b = new ChangeBuckets({ burst: 1, perMinute: 1, maxPrincipals: 3, now: () => clock.t });
    for (const p of ['a', 'b', 'c']) expect(refusal(b, p)).toBeUndefined();
    expect(refusal(b, 'a')).toBeDefined();
    expect(b.size).toBe(3);
    expect(refusal(b, 'd')).toBeUndefined();
    expect(b.size).toBe(3);
    // `b` was seen least recently (a was refused after it): forgotten, it starts full.
    expect(refusal(b, 'b')).toBeUndefined();
    expect(refusal(b, 'a')).toBeDefined();
  });

  it('refuses a budget that could never admit; 0 a minute is no budget', () => {
    expect(() => new ChangeBuckets({ burst: 0, perMinute: 60 })).toThrow(RangeError);
    expect(() => new ChangeBuckets({ burst: 1, perMinute: 0 })).toThrow(RangeError);
    expect(changeBudgetOf(60, 0)).toBeUndefined();
    expect(changeBudgetOf(60, 120)).toBeInstanceOf(ChangeBuckets);
  });
});
