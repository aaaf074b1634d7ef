import type { Store } from '../outbox/store.js';

/**
 * Makes a source's file grow faster than the source reads it: after each cursor the store saves (one per batch
 * or step read), `grow()` appends more than was read, up to `times` times. A bound rather than forever: a reader
 * that chases the growth then still ends, having read more than the file held when its pass began.
 */
export function growOnEachCursor(store: Store, grow: () => void, times: number): void {
  const setCursor = store.setCursor.bind(store);
  let left = times;
  store.setCursor = (...args) => {
    setCursor(...args);
    if (left-- > 0) grow();
  };
}
