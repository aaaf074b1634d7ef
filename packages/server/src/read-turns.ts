/**
 * Reads in rotation on one event loop. Without it, requests run in the order they arrived: a user
 * looping an expensive read from 8 connections has 8 reads queued ahead of anyone else's, so another
 * user's read waits for all of them (seconds on a big town) while the greedy user's bucket still holds
 * its burst. Here each principal's reads wait in its own queue and the loop grants one at a time, going
 * round the principals (a round: TURN_QUANTUM_MS of loop time, at least one read): a read waits for about one
 * round of each other busy principal.
 *
 * A turn ends at the loop's next check phase (`setImmediate`): the granted request's synchronous work
 * runs in the microtasks after its grant, and the requests that arrived meanwhile have been read and
 * queued by then. One that awaits real I/O first only loses its place, never blocks the others. The
 * queues hold only requests in flight, bounded by the server's connection limits.
 */
/**
 * Loop time since a principal's round began (its reads, and whatever else the loop ran meanwhile) after
 * which the next principal's turn comes: the web UI's batch of cheap reads (a few ms each) goes in one
 * round, while expensive reads go one a round.
 */
export const TURN_QUANTUM_MS = 20;

export class ReadTurns {
  /** Principals with reads waiting, in rotation order (a Map keeps insertion order); each its FIFO. */
  private readonly waiting = new Map<string, (() => void)[]>();
  /**
   * The principal served last, with its reads still waiting: it rejoins the rotation only at the next
   * grant, behind whoever arrived during its turn (so a newcomer is next, not after one more of its reads).
   */
  private served: { principal: string; queue: (() => void)[]; since: number } | undefined;
  private busy = false;

  /** Resolves when the principal's read may run: at once when no read holds the loop's turn. */
  turn(principal: string): Promise<void> {
    if (!this.busy) {
      this.busy = true;
      this.served = { principal, queue: [], since: performance.now() };
      setImmediate(this.next);
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const queue = this.served?.principal === principal ? this.served.queue : this.waiting.get(principal);
      if (queue) queue.push(resolve);
      else this.waiting.set(principal, [resolve]);
    });
  }

  /**
   * Grants the next read: the principal served last again while its round is under TURN_QUANTUM_MS,
   * else the first principal in rotation. Idle when none wait.
   */
  private readonly next = (): void => {
    const served = this.served;
    if (served) {
      if (served.queue.length > 0 && performance.now() - served.since < TURN_QUANTUM_MS) {
        (served.queue.shift() as () => void)();
        setImmediate(this.next);
        return;
      }
      if (served.queue.length > 0) this.waiting.set(served.principal, served.queue);
      this.served = undefined;
    }
    const first = this.waiting.entries().next();
    if (first.done) {
      this.busy = false;
      return;
    }
    const [principal, queue] = first.value;
    this.waiting.delete(principal);
    this.served = { principal, queue, since: performance.now() };
    (queue.shift() as () => void)();
    setImmediate(this.next);
  };
}
