import { setFlagsFromString } from 'node:v8';

/**
 * How much V8 lets the old generation grow past what the last full collection left (percent). V8's own
 * rule lets a reporter's heap grow to several times its live data: a backfill of the issue's 300 MB tree
 * (90k responses) holds ~16 MB live but peaked at 200–215 MB RSS, most of it garbage promoted out of
 * the young generation and not yet collected. At 20 % it peaks at 155–165 MB for ~6 more full
 * collections (~10 ms each; BENCHMARKS.md, "Reporter backfill: peak RSS").
 */
export const HEAP_FLAG = '--heap-growing-percent=20';

/**
 * Keeps the reporter's heap near its live data. Only for the `report` command's process: a server's
 * heap is its own business. V8 reads this flag each time it sets the next collection's limit, so setting
 * it after start takes effect (heap.test.ts checks that it still does on this Node).
 */
export function keepHeapSmall(): void {
  setFlagsFromString(HEAP_FLAG);
}
