/** The longest delay a Node timer takes (2^31 − 1 ms, 24.8 days). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A sleep that `wake()` or `stop()` cuts short, so loops react at once to new work or to shutdown. */
export class Waker {
  private readonly sleepers = new Set<() => void>();
  private stopped = false;

  get isStopped(): boolean {
    return this.stopped;
  }

  /** Sleeps `ms`, at most MAX_TIMER_MS: a longer timer would fire at once (Node's timers are 32-bit). */
  sleep(ms: number): Promise<void> {
    if (this.stopped || !(ms > 0)) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.min(ms, MAX_TIMER_MS));
      this.sleepers.add(done);
    });
  }

  wake(): void {
    for (const done of [...this.sleepers]) done();
  }

  stop(): void {
    this.stopped = true;
    this.wake();
  }
}
