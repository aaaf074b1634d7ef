/**
 * A Map that never holds more than `max` entries: setting a key it does not hold, when full, first forgets the
 * oldest key set (a Map iterates in insertion order, so that is the first). Setting a key it holds keeps its
 * place; to make an entry the newest, delete it and set it again.
 *
 * Every memory that grows with what clients or files send (caches of verified credentials, per-principal
 * buckets, ids seen, directories read) is one of these, so its bound is one line that a reader finds, and a
 * flood of new keys costs the oldest entries rather than all of them (the hand-rolled "clear when full" that
 * this replaced forgot every real user's entry at once). `lint/no-hand-rolled-bound.grit` keeps it the one way.
 *
 * No imports: the reporter, which runs without the server, uses it too (packages/reporter/src/no-server-imports.test.ts).
 */
export class BoundedMap<K, V> extends Map<K, V> {
  constructor(readonly max: number) {
    if (!Number.isSafeInteger(max) || max < 1) throw new RangeError(`a BoundedMap holds at least 1 entry, not ${max}`);
    super();
  }

  override set(key: K, value: V): this {
    if (this.size >= this.max && !this.has(key)) {
      // biome-ignore lint/plugin/no-hand-rolled-bound: this is the one place that evicts
      const oldest = this.keys().next();
      if (!oldest.done) this.delete(oldest.value);
    }
    return super.set(key, value);
  }
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
