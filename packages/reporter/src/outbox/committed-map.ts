import { BoundedMap } from '@gasgauge/core/bounded-map';

/** The part of the Store a CommittedMap needs: whether a transaction is under way, and its end. */
export interface TransactionEnd {
  readonly inTransaction: boolean;
  afterTransaction(fn: (committed: boolean) => void): void;
}

/**
 * A bounded map of what a source has enqueued (a record's last body, a file's signature), whose
 * entries written inside a state transaction count only once it commits. A source that remembered
 * "sent" before its transaction committed skipped the record for good when the transaction rolled back
 * (a full disk): the file is read again, and the memory said the record was already in the outbox.
 * Reads see the transaction's own writes. Written outside a transaction, an entry counts at once.
 * Past `max` entries the oldest is forgotten: what a source forgets it only enqueues once more.
 */
export class CommittedMap<K, V> {
  private readonly kept: BoundedMap<K, V>;
  private readonly staged = new Map<K, V>();
  private hooked = false;

  /** `max` has no default: what a source remembers grows with the files it reads, so each names its bound. */
  constructor(
    private readonly tx: TransactionEnd | undefined,
    max: number,
  ) {
    this.kept = new BoundedMap(max);
  }

  get(key: K): V | undefined {
    return this.staged.has(key) ? this.staged.get(key) : this.kept.get(key);
  }

  has(key: K): boolean {
    return this.staged.has(key) || this.kept.has(key);
  }

  set(key: K, value: V): void {
    if (!this.tx?.inTransaction) {
      this.kept.set(key, value);
      return;
    }
    this.staged.set(key, value);
    if (this.hooked) return;
    this.hooked = true;
    this.tx.afterTransaction((committed) => {
      if (committed) for (const [k, v] of this.staged) this.kept.set(k, v);
      this.staged.clear();
      this.hooked = false;
    });
  }

  /** Forgets a key at once (what it named is gone: reading it again is always safe). */
  delete(key: K): void {
    this.staged.delete(key);
    this.kept.delete(key);
  }

  /** Entries kept (committed). */
  get size(): number {
    return this.kept.size;
  }
}
