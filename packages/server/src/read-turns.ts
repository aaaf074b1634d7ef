/**
 * Reads in rotation on one event loop. Without it, requests run in the order they arrived: a user
 * looping an expensive read from 8 connections has 8 reads queued ahead of anyone else's, so another
 * user's read waits for all of them (seconds on a big town) while the greedy user's bucket still holds
 * its burst. Here each principal's reads wait in its own queue and the loop grants one at a time, going
 * round the principals: a read waits for about one read of each other busy principal.
 *
 * A turn ends at the loop's next check phase (`setImmediate`): the granted request's synchronous work
 * runs in the microtasks after its grant, and the requests that arrived meanwhile have been read and
 * queued by then. One that awaits real I/O first only loses its place, never blocks the others. The
 * queues hold only requests in flight, bounded by the server's connection limits.
 */
export class ReadTurns {
  /** Principals with reads waiting, in rotation order (a Map keeps insertion order); each its FIFO. */
  private readonly waiting = new Map<string, (() => void)[]>();
  /**
   * The principal served last, with its reads still waiting: it rejoins the rotation only at the next
   * grant, behind whoever arrived during its turn (so a newcomer is next, not after one more of its reads).
   */
  private served: { principal: string; queue: (() => void)[] } | undefined;
  private busy = false;

  /** Resolves when the principal's read may run: at once when no read holds the loop's turn. */
  turn(principal: string): Promise<void> {
    if (!this.busy) {
      this.busy = true;
      setImmediate(this.next);
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const queue = this.served?.principal === principal ? this.served.queue : this.waiting.get(principal);
      if (queue) queue.push(resolve);
      else this.waiting.set(principal, [resolve]);
    });
  }

  /** Grants the first principal in rotation one read; idle when none wait. */
  private readonly next = (): void => {
    if (this.served) {
      if (this.served.queue.length > 0) this.waiting.set(this.served.principal, this.served.queue);
      this.served = undefined;
    }
    const first = this.waiting.entries().next();
    if (first.done) {
      this.busy = false;
      return;
    }
    const [principal, queue] = first.value;
    this.waiting.delete(principal);
    this.served = { principal, queue };
    (queue.shift() as () => void)();
    setImmediate(this.next);
  };
}
