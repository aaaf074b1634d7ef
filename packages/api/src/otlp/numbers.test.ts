import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decimal } from './numbers.js';

describe('decimal', () => {
  it('reads plain decimals and JSON number syntax only', () => {
    expect(['12', '0.5', '1e-7', '12.0'].map(decimal)).toEqual([12, 0.5, 1e-7, 12]);
    for (const bad of ['0x10', '0b1', '0o7', ' 12', '12 ', '', '-1', '+1', 'Infinity', 'NaN', '1_000', '.5', '5.'])
      expect(decimal(bad), bad).toBeUndefined();
  });
});

/** Values that are not sender strings: a BigInt quotient, and asInt as protobufjs re-encodes it (JSON checked in decode.ts). */
const ALLOWED = ['Number(ms)', 'Number(point.asInt)'];

describe('OTLP sources', () => {
  it('read a sender string as a number only through numbers.ts', () => {
    const dir = import.meta.dirname;
    const offenders = readdirSync(dir)
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== 'numbers.ts' && !f.includes('generated'))
      .flatMap((f) =>
        readFileSync(join(dir, f), 'utf8')
          .split('\n')
          .filter((line) => /\b(Number|parseInt|parseFloat)\(/.test(line) && !ALLOWED.some((a) => line.includes(a)))
          .map((line) => `${f}: ${line.trim()}`),
      );
    expect(offenders).toEqual([]);
  });
});
