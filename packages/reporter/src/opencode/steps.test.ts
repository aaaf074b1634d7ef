import { describe, expect, it } from 'vitest';
import { MAX_MEMORY_STEPS, MAX_STEPS_PER_MESSAGE, MemoryStepLedger, ZERO } from './steps.js';

const one = { ...ZERO, input: 1 };

describe('MemoryStepLedger (the library default)', () => {
  it('counts a part id once', () => {
    const ledger = new MemoryStepLedger();
    expect(ledger.add('m', 'p1', one)).toBe(true);
    expect(ledger.add('m', 'p1', one)).toBe(false);
    expect(ledger.add('m', 'p2', one)).toBe(true);
    expect(ledger.sum('m')?.input).toBe(2);
  });

  it(`keeps at most ${MAX_STEPS_PER_MESSAGE} steps of one message, the newest`, () => {
    const ledger = new MemoryStepLedger();
    for (let i = 0; i < MAX_STEPS_PER_MESSAGE + 500; i++) ledger.add('m', `p${i}`, { ...ZERO, input: 1, output: i });
    const sum = ledger.sum('m');
    expect(sum?.input).toBe(MAX_STEPS_PER_MESSAGE);
    // The first 500 went: the outputs left are 500 … MAX_STEPS_PER_MESSAGE + 499.
    expect(sum?.output).toBe(((500 + MAX_STEPS_PER_MESSAGE + 499) * MAX_STEPS_PER_MESSAGE) / 2);
  });

  it(`keeps at most ${MAX_MEMORY_STEPS} steps in all, forgetting the messages least recently added to`, () => {
    const ledger = new MemoryStepLedger();
    const messages = Math.ceil((1.5 * MAX_MEMORY_STEPS) / MAX_STEPS_PER_MESSAGE);
    for (let m = 0; m < messages; m++) for (let i = 0; i < MAX_STEPS_PER_MESSAGE; i++) ledger.add(`m${m}`, `p${i}`, one);
    // A step to the oldest message kept makes it the newest: the next message to come takes the place of the one after it.
    const oldestKept = messages - MAX_MEMORY_STEPS / MAX_STEPS_PER_MESSAGE;
    expect(ledger.sum(`m${oldestKept - 1}`)).toBeUndefined();
    expect(ledger.add(`m${oldestKept}`, 'again', { ...ZERO, output: 1 })).toBe(true);
    for (let i = 0; i < MAX_STEPS_PER_MESSAGE; i++) ledger.add('new', `p${i}`, one);
    let held = 0;
    for (const m of [...Array.from({ length: messages }, (_, m) => `m${m}`), 'new']) held += ledger.sum(m)?.input ?? 0;
    expect(held).toBeLessThanOrEqual(MAX_MEMORY_STEPS);
    expect(ledger.sum('m0')).toBeUndefined();
    expect(ledger.sum(`m${oldestKept}`)?.output).toBe(1);
    expect(ledger.sum(`m${oldestKept + 1}`)).toBeUndefined();
    expect(ledger.sum('new')?.input).toBe(MAX_STEPS_PER_MESSAGE);
  });
});
