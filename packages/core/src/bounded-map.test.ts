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
