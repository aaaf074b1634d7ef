import { describe, expect, it } from 'vitest';
import { Waker } from './wait.js';

/** Whether `sleep` ended before a 100 ms timer: a sleep of 60 s that returns at once. */
async function returnsAtOnce(sleep: Promise<void>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((r) => {
    timer = setTimeout(() => r(false), 100);
  });
  const result = await Promise.race([sleep.then(() => true as const), late]);
  clearTimeout(timer);
  return result;
}

describe('Waker', () => {
  it('with keepWakes, a wake while nobody sleeps ends the next sleep at once, and only that one', async () => {
    const waker = new Waker(true);
    waker.wake();
    expect(await returnsAtOnce(waker.sleep(60_000))).toBe(true);
    const second = waker.sleep(60_000);
    expect(await returnsAtOnce(second)).toBe(false);
    waker.stop();
    await second;
  });

  it('without keepWakes, a wake while nobody sleeps is dropped (a backoff that begins later is not cut short)', async () => {
    const waker = new Waker();
    waker.wake();
    const sleep = waker.sleep(60_000);
    expect(await returnsAtOnce(sleep)).toBe(false);
    waker.wake();
    await sleep;
  });
});
