import { describe, expect, it } from 'vitest';
import { Random } from './demo/random.js';
import { DueQueue } from './due-queue.js';

describe('DueQueue', () => {
  it('hands out due towns earliest first, as a plain map scanned in full would, through random moves', () => {
    const rnd = new Random(7);
    const q = new DueQueue();
    const model = new Map<string, number>();
    const taken = new Set<string>();
    let now = 0;
    for (let step = 0; step < 20_000; step++) {
      const id = `t${rnd.int(0, 200)}`;
      if (rnd.next() < 0.6) {
        const at = now + rnd.int(0, 1000);
        q.set(id, at);
        model.set(id, at);
        taken.delete(id);
      } else {
        now += rnd.int(0, 50);
        const id2 = q.takeDue(now);
        const due = [...model].filter(([k, at]) => at <= now && !taken.has(k));
        if (id2 === undefined) {
          expect(due).toEqual([]);
        } else {
          expect(model.get(id2)).toBe(Math.min(...due.map(([, at]) => at)));
          taken.add(id2);
        }
      }
      const waiting = [...model].filter(([k]) => !taken.has(k)).map(([, at]) => at);
      expect(q.earliest()).toBe(waiting.length ? Math.min(...waiting) : undefined);
    }
    expect(q.times).toEqual(model);
  });
});
