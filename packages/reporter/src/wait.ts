/** The longest delay a Node timer takes (2^31 − 1 ms, 24.8 days). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A sleep that `wake()` or `stop()` cuts short, so loops react at once to new work or to shutdown. */
export class Waker {
  private readonly sleepers = new Set<() => void>();
  private stopped = false;
  private woken = false;

  /**
   * `keepWakes`: a wake while nobody sleeps (the loop is busy) is kept for the next sleep, which then returns at
   * once (the reporter's read loop: a file that changed while it read the others waited a whole poll interval).
   * Not for a loop whose sleep is a backoff that a wake must not cut short before it began.
   */
  constructor(private readonly keepWakes = false) {}

  get isStopped(): boolean {
    return this.stopped;
  }

  /** Sleeps `ms`, at most MAX_TIMER_MS: a longer timer would fire at once (Node's timers are 32-bit). */
  sleep(ms: number): Promise<void> {
    const woken = this.woken;
    this.woken = false;
    if (this.stopped || woken || !(ms > 0)) return Promise.resolve();
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
    if (this.sleepers.size === 0 && this.keepWakes) this.woken = true;
    for (const done of [...this.sleepers]) done();
  }

  stop(): void {
    this.stopped = true;
    this.wake();
  }
}
