import fc from 'fast-check';

/**
 * Any way `events` may reach a town: each at least once, some of them twice (a retry), in any order, cut
 * into one or more batches (requests). For order-independence properties: whatever the arrival, the rows
 * must be the ones the events define.
 */
export function arrivals<T>(events: readonly T[]): fc.Arbitrary<T[][]> {
  return fc
    .subarray([...events])
    .chain((again) =>
      fc.record({
        order: fc.shuffledSubarray([...events, ...again], { minLength: events.length + again.length }),
        cuts: fc.uniqueArray(fc.integer({ min: 1, max: Math.max(1, events.length + again.length - 1) }), { maxLength: 4 }),
      }),
    )
    .map(({ order, cuts }) => {
      const batches: T[][] = [];
      let from = 0;
      for (const cut of [...cuts.sort((a, b) => a - b), order.length]) {
        if (cut <= from) continue;
        batches.push(order.slice(from, cut));
        from = cut;
      }
      return batches;
    });
}
