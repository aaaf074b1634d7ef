/**
 * Each town's next due time, and the towns in due order: a binary min-heap beside a map of the current
 * times. Moving a town pushes a new heap entry and leaves the old one to be skipped when it surfaces
 * (it no longer matches the map), so every change is O(log n) and nothing scans all towns.
 */
export class DueQueue {
  private readonly due = new Map<string, number>();
  private heap: [at: number, id: string][] = [];
  /** Towns takeDue handed out: off the heap until `set` gives them their next time. */
  private readonly taken = new Set<string>();

  /** Each town's current due time (readiness reads it). */
  get times(): ReadonlyMap<string, number> {
    return this.due;
  }

  get(id: string): number | undefined {
    return this.due.get(id);
  }

  /** Whether takeDue handed `id` out and no `set` has given it its next time yet (it is being ticked). */
  isTaken(id: string): boolean {
    return this.taken.has(id);
  }

  set(id: string, at: number): void {
    if (this.due.get(id) === at && !this.taken.has(id)) return;
    this.taken.delete(id);
    this.due.set(id, at);
    this.push([at, id]);
    // Superseded entries are skipped lazily; rebuild before they outnumber the live ones.
    if (this.heap.length > 2 * this.due.size + 64) this.rebuild();
  }

  /** Moves every due time by `deltaMs` (the wall clock was set back or forward): O(n), rare. */
  shift(deltaMs: number): void {
    for (const [id, at] of this.due) this.due.set(id, at + deltaMs);
    this.rebuild();
  }

  /** The earliest due time, or undefined when no town is queued. */
  earliest(): number | undefined {
    this.dropStale();
    return this.heap[0]?.[0];
  }

  /**
   * The town due earliest, if it is due by `now`, taken off the queue's order (its time stays in
   * `times` until `set` gives it the next one, so readiness still sees a town being ticked).
   */
  takeDue(now: number): string | undefined {
    this.dropStale();
    const top = this.heap[0];
    if (!top || top[0] > now) return undefined;
    this.pop();
    this.taken.add(top[1]);
    return top[1];
  }

  private dropStale(): void {
    // Superseded, or a copy of an entry takeDue handed out (a town moved away and back to the same time).
    for (let top = this.heap[0]; top && (this.due.get(top[1]) !== top[0] || this.taken.has(top[1])); top = this.heap[0])
      this.pop();
  }

  private rebuild(): void {
    this.heap = [];
    for (const [id, at] of this.due) if (!this.taken.has(id)) this.push([at, id]);
  }

  private push(entry: [number, string]): void {
    const h = this.heap;
    h.push(entry);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((h[parent] as [number, string])[0] <= entry[0]) break;
      h[i] = h[parent] as [number, string];
      i = parent;
    }
    h[i] = entry;
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop() as [number, string];
    if (h.length === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const r = l + 1;
      const c = r < h.length && (h[r] as [number, string])[0] < (h[l] as [number, string])[0] ? r : l;
      if ((h[c] as [number, string])[0] >= last[0]) break;
      h[i] = h[c] as [number, string];
      i = c;
    }
    h[i] = last;
  }
}
