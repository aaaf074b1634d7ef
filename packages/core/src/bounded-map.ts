/**
 * A Map that never holds more than `max` entries: setting a key it does not hold, when full, first forgets the
 * oldest key set (a Map iterates in insertion order, so that is the first). Setting a key it holds keeps its
 * place; to make an entry the newest, delete it and set it again. With a Weighing, the values held also weigh no
 * more than its bound together.
 *
 * Every memory that grows with what clients or files send (caches of verified credentials, per-principal
 * buckets, ids seen, directories read) is one of these, so its bound is one line that a reader finds, and a
 * flood of new keys costs the oldest entries rather than all of them (the hand-rolled "clear when full" that
 * this replaced forgot every real user's entry at once). `lint/no-hand-rolled-bound.grit` keeps it the one way.
 *
 * No imports: the reporter, which runs without the server, uses it too (packages/reporter/src/no-server-imports.test.ts).
 */
export class BoundedMap<K, V> extends Map<K, V> {
  /** What the values held weigh together (see Weighing). */
  private weight = 0;

  constructor(
    readonly max: number,
    private readonly weighing?: Weighing<V>,
  ) {
    if (!Number.isSafeInteger(max) || max < 1) throw new RangeError(`a BoundedMap holds at least 1 entry, not ${max}`);
    super();
  }

  override set(key: K, value: V): this {
    const held = this.has(key);
    if (this.size >= this.max && !held) {
      // biome-ignore lint/plugin/no-hand-rolled-bound: this is the one place that evicts
      const oldest = this.keys().next();
      if (!oldest.done) this.delete(oldest.value);
    }
    if (this.weighing) {
      if (held) this.weight -= this.weighing.of(this.get(key) as V);
      const w = this.weighing.of(value);
      // The oldest others go until it fits; one heavier than the whole bound is held alone.
      for (const k of this.keys()) {
        if (this.weight + w <= this.weighing.max) break;
        if (k !== key) this.delete(k);
      }
      this.weight += w;
    }
    return super.set(key, value);
  }

  override delete(key: K): boolean {
    if (this.weighing && this.has(key)) this.weight -= this.weighing.of(this.get(key) as V);
    return super.delete(key);
  }

  override clear(): void {
    this.weight = 0;
    super.clear();
  }
}

/**
 * A second bound, for values whose size varies (a list of a few items or of 100,000): the most the values held
 * may weigh together, by `of` (a value must weigh the same each time it is asked). Past it the oldest entries go.
 */
export interface Weighing<V> {
  max: number;
  of: (value: V) => number;
}

/** A Set that never holds more than `max` values: adding a new one when full forgets the oldest (see BoundedMap). */
export class BoundedSet<T> extends Set<T> {
  constructor(readonly max: number) {
    if (!Number.isSafeInteger(max) || max < 1) throw new RangeError(`a BoundedSet holds at least 1 value, not ${max}`);
    super();
  }

  override add(value: T): this {
    if (this.size >= this.max && !this.has(value)) {
      // biome-ignore lint/plugin/no-hand-rolled-bound: this is the one place that evicts
      const oldest = this.values().next();
      if (!oldest.done) this.delete(oldest.value);
    }
    return super.add(value);
  }
}
