import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BoundedMap, BoundedSet } from './bounded-map.js';

describe('BoundedMap', () => {
  it('forgets the oldest key set when a new key comes to a full map, and keeps an updated key in its place', () => {
    const m = new BoundedMap<string, number>(2);
    m.set('a', 1).set('b', 2).set('a', 3);
    expect([...m]).toEqual([
      ['a', 3],
      ['b', 2],
    ]);
    m.set('c', 4);
    expect([...m.keys()]).toEqual(['b', 'c']);
    // Deleted and set again: the newest.
    m.delete('b');
    m.set('b', 5);
    m.set('d', 6);
    expect([...m.keys()]).toEqual(['b', 'd']);
  });

  it('never holds more than its bound, and holds the last keys set, whatever the operations', () => {
    const op = fc.oneof(fc.record({ set: fc.integer({ min: 0, max: 20 }) }), fc.record({ del: fc.integer({ min: 0, max: 20 }) }));
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.array(op, { maxLength: 200 }), (max, ops) => {
        const m = new BoundedMap<number, number>(max);
        // The reference: an array in insertion order, cut from the front.
        let ref: [number, number][] = [];
        ops.forEach((o, i) => {
          if ('set' in o) {
            const at = ref.findIndex(([k]) => k === o.set);
            if (at >= 0) ref[at] = [o.set, i];
            else {
              ref.push([o.set, i]);
              if (ref.length > max) ref = ref.slice(1);
            }
            m.set(o.set, i);
          } else {
            ref = ref.filter(([k]) => k !== o.del);
            m.delete(o.del);
          }
          expect(m.size).toBeLessThanOrEqual(max);
        });
        expect([...m]).toEqual(ref);
      }),
    );
  });

  it('with a weighing, holds values that weigh no more than its bound together, the newest, whatever the operations', () => {
    const op = fc.oneof(
      fc.record({ set: fc.integer({ min: 0, max: 12 }), weight: fc.integer({ min: 0, max: 15 }) }),
      fc.record({ del: fc.integer({ min: 0, max: 12 }) }),
      fc.constant({ clear: true }),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 30 }),
        fc.array(op, { maxLength: 200 }),
        (max, maxWeight, ops) => {
          const m = new BoundedMap<number, number>(max, { max: maxWeight, of: (w) => w });
          // The reference: an array in insertion order, cut from the front by count, then by weight (never the key set).
          let ref: [number, number][] = [];
          const weight = () => ref.reduce((a, [, w]) => a + w, 0);
          for (const o of ops) {
            if ('set' in o) {
              const at = ref.findIndex(([k]) => k === o.set);
              if (at >= 0) ref[at] = [o.set, o.weight];
              else {
                ref.push([o.set, o.weight]);
                if (ref.length > max) ref = ref.slice(1);
              }
              while (weight() > maxWeight && ref.length > 1) {
                const drop = ref.findIndex(([k]) => k !== o.set);
                ref.splice(drop, 1);
              }
              m.set(o.set, o.weight);
            } else if ('del' in o) {
              ref = ref.filter(([k]) => k !== o.del);
              m.delete(o.del);
            } else {
              ref = [];
              m.clear();
            }
            expect(m.size).toBeLessThanOrEqual(max);
            // Over the weight only with one value heavier than the whole bound, held alone.
            const held = [...m.values()].reduce((a, w) => a + w, 0);
            expect(held <= maxWeight || m.size === 1).toBe(true);
          }
          expect([...m]).toEqual(ref);
        },
      ),
    );
  });

  it('refuses a bound that holds nothing', () => {
    expect(() => new BoundedMap(0)).toThrow(RangeError);
    expect(() => new BoundedSet(Number.NaN)).toThrow(RangeError);
  });
});

describe('BoundedSet', () => {
  it('forgets the oldest value when a new one comes to a full set', () => {
    const s = new BoundedSet<string>(2);
    s.add('a').add('b').add('a').add('c');
    expect([...s]).toEqual(['b', 'c']);
  });
});
