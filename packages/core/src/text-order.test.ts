import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fileTown, usageRecord } from '@gasgauge/server/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareText } from './text-order.js';

/** Strings mixing ASCII, the top of the BMP (U+E000–U+FFFF) and characters above U+FFFF: where UTF-16 and UTF-8 orders part. */
const mixed = fc
  .array(
    fc.oneof(fc.constantFrom('a', 'z', '\uE000', '\uFFFD', '\uFFFF', '😀', '\u{10FFFF}', 'é'), fc.string({ unit: 'grapheme' })),
    {
      maxLength: 4,
    },
  )
  .map((parts) => parts.join(''));

describe('compareText', () => {
  it("sorts as SQLite's ORDER BY does (BINARY: UTF-8 bytes)", () => {
    const town = fileTown({ t: 0 });
    const sql = (town as unknown as { sql: { rows(q: string, ...p: string[]): string[][] } }).sql;
    fc.assert(
      fc.property(fc.array(mixed, { minLength: 1, maxLength: 20 }), (values) => {
        const bySql = sql.rows('SELECT value FROM json_each(?) ORDER BY value', JSON.stringify(values)).map(([v]) => v as string);
        expect([...values].sort(compareText)).toEqual(bySql);
      }),
      { numRuns: 300 },
    );
  });

  it('pages beads whose ids the two orders part on: every bead once', () => {
    const now = { t: Date.UTC(2026, 10, 1, 12) };
    const town = fileTown(now);
    // Equal costs, so the id decides; JS's `<` would put '😀' before '\uE000'.
    const ids = ['\uE000', '😀', 'a', '\uFFFD', '😀b', '\uE000b'];
    town.ingestUsage(ids.map((beadId, i) => usageRecord({ id: `u${i}`, beadId, costMicrodollars: 500, at: now.t - 60_000 })));
    town.tick();
    for (const sort of ['cost', 'tokens'] as const) {
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = town.beads({ sort, limit: 1, cursor });
        seen.push(...page.items.map((b) => b.beadId));
        cursor = page.nextCursor ?? undefined;
      } while (cursor !== undefined);
      expect(seen).toEqual([...ids].sort(compareText));
    }
  });
});

describe('the order of ids in JS', () => {
  it('is never `<` or `>` between two ids in the core or the API (compareText agrees with SQL; `<` does not)', () => {
    const roots = ['..', '../../api/src'].map((d) => fileURLToPath(new URL(d, import.meta.url)));
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, e.name);
        if (e.isDirectory()) walk(path);
        else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) {
          readFileSync(path, 'utf8')
            .split('\n')
            .forEach((line, i) => {
              if (/^\s*(\*|\/\/)/.test(line)) return;
              if (/\b[\w.]*(Id|id|ID)\s*[<>]=?\s*[\w.]*(Id|id|ID)\b/.test(line.replace(/`[^`]*`|'[^']*'/g, "''")))
                offenders.push(`${path}:${i + 1}`);
            });
        }
      }
    };
    for (const root of roots) walk(root);
    expect(offenders).toEqual([]);
  });
});
